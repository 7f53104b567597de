"""Which watch-along threads and timers should exist — plain functions of settings, episodes and the clock.

A thread is planned for every numbered episode with an exact instant (one known only to its day, or
less, has no air moment to gather at) that airs from the moment the watch-along was set and whose
rating window (`days` after the air instant) has not ended: so a bot that was down at the instant
still posts, late, while the thread is worth having. The post timer's key carries the instant: an
episode moved gets a new timer and its old one is no longer wanted; moved back, the old one revives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.facts.dates import Precision
from db.facts.models import Release, ReleaseKind
from db.repos.timers import TimerSpec
from db.repos.watchalong.settings import WatchAlong

POST = "watchalong-post"  # open the thread at the air instant
CLOSE = "watchalong-close"  # close its rating `days` later
MAX_DAYS = 14  # the longest a rating stays open; also how late a post may still come


@dataclass(frozen=True, slots=True)
class PlannedThread:
    """One episode's thread in one server, as the plan wants it."""

    guild_id: int
    release_id: int
    channel_id: int
    air_at: datetime
    closes_at: datetime


def air_instant(release: Release) -> datetime | None:
    """The instant a numbered episode airs, when it is known to the minute; None otherwise."""
    current = release.current
    if release.kind is not ReleaseKind.EPISODE or release.episode is None or release.season_number is None:
        return None
    if current is None or current.date.precision is not Precision.EXACT:
        return None
    return current.date.starts_at


def planned_threads(watch: WatchAlong, releases: Iterable[Release], now: datetime) -> list[PlannedThread]:
    """The threads the watch-along wants: episodes airing since it was set, their rating still open."""
    window = timedelta(days=watch.days)
    out = []
    for release in releases:
        air_at = air_instant(release)
        if air_at is None or air_at < watch.updated_at or air_at + window <= now:
            continue
        out.append(PlannedThread(watch.guild_id, release.id, watch.channel_id, air_at, air_at + window))
    return sorted(out, key=lambda p: (p.air_at, p.release_id))


def post_timer(thread: PlannedThread) -> TimerSpec:
    """The timer that opens the thread: unique per (server, episode, instant)."""
    epoch = int(thread.air_at.timestamp())
    return TimerSpec(
        kind=POST,
        key=f"watchalong:{thread.guild_id}:{thread.release_id}:{epoch}",
        due_at=thread.air_at,
        payload={"release_id": thread.release_id, "air_at": epoch},
        guild_id=thread.guild_id,
    )


def close_timer(guild_id: int, release_id: int, closes_at: datetime) -> TimerSpec:
    """The timer that closes a posted thread's rating: one per (server, episode), however often planned."""
    return TimerSpec(
        kind=CLOSE,
        key=f"watchalong-close:{guild_id}:{release_id}",
        due_at=closes_at,
        payload={"release_id": release_id},
        guild_id=guild_id,
    )
