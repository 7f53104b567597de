"""Which watch-along threads and timers a server should have: exact-timed numbered episodes only,
from the moment the watch-along was set, while their rating window is open; keys per (server,
episode, instant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cogs.watchalong.planning import CLOSE, POST, air_instant, close_timer, planned_threads, post_timer
from db.facts.dates import parse_partial_date
from db.facts.models import Announcement, Release, ReleaseKind
from db.repos.watchalong.settings import WatchAlong

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
SET_AT = datetime(2030, 5, 1, 0, 0, tzinfo=UTC)


def episode(rid: int, date: str, number: int | None = 1, kind: ReleaseKind = ReleaseKind.EPISODE) -> Release:
    return Release(
        rid, f"r{rid}", f"Show S1E{number}", 7, 1, None, None,
        (Announcement(rid, 0, parse_partial_date(date, "UTC"), None, None, None, None),), kind=kind, episode=number,
    )


def watch(days: int = 7, guild_id: int = 1, set_at: datetime = SET_AT) -> WatchAlong:
    return WatchAlong(guild_id, 7, 500, None, True, days, 99, set_at)


def test_only_numbered_episodes_known_to_the_minute() -> None:
    assert air_instant(episode(1, "2030-06-02 20:00")) == datetime(2030, 6, 2, 20, 0, tzinfo=UTC)
    assert air_instant(episode(2, "2030-06-02")) is None  # only the day: no moment to gather at
    assert air_instant(episode(3, "June 2030")) is None
    assert air_instant(episode(4, "2030-06-02 20:00", None, ReleaseKind.SPECIAL)) is None
    season = Release(5, "r5", "Show season 1", 7, 1, None, None,
                     (Announcement(5, 0, parse_partial_date("2030-06-02 20:00", "UTC"), None, None, None, None),))
    assert air_instant(season) is None


def test_threads_while_the_rating_is_open_and_from_the_setting_on() -> None:
    releases = [
        episode(1, "2030-06-02 20:00"),  # ahead
        episode(2, "2030-05-30 20:00", 2),  # aired 1 day 16 h ago: within 7 days, posted late
        episode(3, "2030-05-20 20:00", 3),  # aired 12 days ago: its window is over
        episode(4, "2030-04-20 20:00", 4),  # before the watch-along was set
        episode(5, "2030-06-03", 5),  # the day only
    ]
    planned = planned_threads(watch(), releases, NOW)
    assert [(p.release_id, p.channel_id) for p in planned] == [(2, 500), (1, 500)]  # by air instant
    assert planned[1].closes_at - planned[1].air_at == timedelta(days=7)
    assert [p.release_id for p in planned_threads(watch(days=1), releases, NOW)] == [1]


def test_keys_carry_the_instant_and_are_per_server() -> None:
    [here] = planned_threads(watch(), [episode(1, "2030-06-02 20:00")], NOW)
    [moved] = planned_threads(watch(), [episode(1, "2030-06-02 21:00")], NOW)
    [there] = planned_threads(watch(guild_id=2), [episode(1, "2030-06-02 20:00")], NOW)
    keys = {post_timer(p).key for p in (here, moved, there)}
    assert len(keys) == 3 and post_timer(here).kind == POST and post_timer(here).due_at == here.air_at
    assert post_timer(here).payload == {"release_id": 1, "air_at": int(here.air_at.timestamp())}
    assert post_timer(here).key == post_timer(planned_threads(watch(), [episode(1, "2030-06-02 20:00")], NOW)[0]).key
    close = close_timer(1, 1, here.closes_at)
    assert close.kind == CLOSE and close.key == "watchalong-close:1:1" and close.due_at == here.closes_at
