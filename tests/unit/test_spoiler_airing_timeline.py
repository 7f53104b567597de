"""The AiredTimeline (autocomplete's binary search) gives the same `aired` position as the scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.spoilers.airing import AiredTimeline, ListedEpisode, aired_position
from db.facts.dates import parse_partial_date

NOW = datetime(2030, 6, 1, tzinfo=UTC)


def test_the_timeline_agrees_with_the_scan_at_every_moment_and_delay() -> None:
    episodes = [
        ListedEpisode(1, 1, parse_partial_date("2030-01-05 20:00", "UTC")),
        ListedEpisode(1, 2, None),  # undated: never counts
        ListedEpisode(1, 3, parse_partial_date("2030-01-19", "UTC")),
        ListedEpisode(1, None, parse_partial_date("2030-01-10 20:00", "UTC")),  # a special: never a position
        ListedEpisode(2, 1, parse_partial_date("2030-03", "UTC")),  # known to the month: counts at its end
        ListedEpisode(1, 4, parse_partial_date("2030-04-01 20:00", "UTC")),  # aired after S02E01 yet earlier in order
    ]
    timeline = AiredTimeline(episodes)
    for days in range(-10, 200, 3):
        for delay in (timedelta(0), timedelta(days=7)):
            moment = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=days)
            assert timeline.position(delay, moment) == aired_position(episodes, delay, moment), (moment, delay)
    assert str(timeline.position(timedelta(0), NOW).episode) == "S02E01"  # the latest in order, not the last to air
