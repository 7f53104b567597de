"""The AiredTimeline (autocomplete's binary search) gives the same `aired` position as the scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.spoilers.airing import AiredTimeline, ListedEpisode, aired_position, counted, listed
from db.facts.dates import parse_partial_date
from db.facts.models import Announcement, Release, ReleaseKind

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


def test_a_season_given_as_a_count_airs_at_its_seasons_date() -> None:
    """`episodes: 8` with the season released on a day: all eight count as watched 7 days after it; a
    season listed episode by episode keeps its own dates, and an undated count never airs."""

    def release(season: int, date: str | None, kind: ReleaseKind = ReleaseKind.RELEASE, number: int | None = None) -> Release:
        history = (Announcement(season, 1, parse_partial_date(date, "UTC"), None, None, None, None),) if date else ()
        return Release(season, f"r{season}{number}", "Show", 1, season, None, None, history, kind, number)

    releases = [
        release(1, "2030-01-05", ReleaseKind.EPISODE, 1),
        release(2, "2030-03-01"),
        release(3, None),
    ]
    episodes = counted(releases, {1: 1, 2: 8, 3: 4})
    assert [(e.season, e.number) for e in episodes] == [(2, n) for n in range(1, 9)] + [(3, n) for n in range(1, 5)]
    timeline = AiredTimeline(listed(releases) + episodes)
    assert str(timeline.position(timedelta(days=7), NOW).episode) == "S02E08"
    assert str(timeline.position(timedelta(days=7), datetime(2030, 3, 5, tzinfo=UTC)).episode) == "S01E01"
