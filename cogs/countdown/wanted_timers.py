"""Which reminder timers should exist — plain functions of subscriptions, releases and the clock.

Channel reminders are planned over a rolling horizon (HORIZON): only what falls due within it has a
timer, and a daily timer moves the horizon on. A server following fifty weekly shows with every
episode on thus holds about five weeks of timers, not every episode ever announced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cogs.countdown.timeline import starts_at
from db.facts.dates import PartialDate
from db.facts.models import Release, ReleaseKind, ReleaseMove
from db.repos.personal_reminders import PersonalReminder
from db.repos.subscriptions import Subscription
from db.repos.timers import TimerSpec

CHANNEL_REMINDER = "reminder"
PERSONAL_REMINDER = "remindme"
MOVE_NOTICE = "moved"  # one "the episode moved" post per (subscription, move)
REMINDME_NOTICE = "remindme-moved"  # one DM per (/remindme request, move or cancellation of its instant)
HORIZON_TICK = "reminder-horizon"  # the daily re-plan that moves the horizon on; one for the whole bot

HORIZON = timedelta(days=35)

_REMINDER_KEY = re.compile(r"reminder:(\d+):(\d+):\d+:(-?\d+)")
_REMINDME_KEY = re.compile(r"remindme:(\d+):(-?\d+)")
TITLE_MARK = " — “"  # where Release.label puts an episode's own title

# A release's first numbered episode, mapped to whether its season has a release of its own
# (ReleaseRepository.season_openers).
Openers = Mapping[int, bool]


def is_premiere(release: Release, openers: Openers) -> bool:
    """A series or season premiere: a release of its own, or the first episode of a season without one."""
    return release.kind is ReleaseKind.RELEASE or openers.get(release.id) is False


def wants(sub: Subscription, release: Release, openers: Openers) -> bool:
    """Whether the subscription is reminded of (and told about moves of) this release."""
    return sub.episodes or is_premiere(release, openers)


def reminded(releases: Iterable[Release], openers: Openers) -> list[Release]:
    """The releases less any season release whose first episode starts at the same instant: with every
    episode on, that premiere is reminded once, as the episode."""
    releases = list(releases)
    openings = {
        (r.series_id, r.season_number, starts_at(r)) for r in releases if r.id in openers and starts_at(r) is not None
    }
    return [
        r for r in releases
        if not (r.kind is ReleaseKind.RELEASE and r.series_id is not None and (r.series_id, r.season_number, starts_at(r)) in openings)
    ]


def channel_reminders(
    guild_id: int, subscriptions: Iterable[Subscription], releases: Iterable[Release], now: datetime,
    openers: Openers | None = None, until: datetime | None = None,
) -> list[TimerSpec]:
    """One timer per (active subscription, exact-dated release it wants, offset) due after `now` and,
    given `until` (the horizon), no later than it.

    The key carries the release instant: if a release moves, the old reminders stop being wanted and
    new ones are planned; if it moves back, the old ones come back instead of being posted twice.
    """
    openers = openers or {}
    releases = list(releases)
    subs = [s for s in subscriptions if s.active]
    every = reminded(releases, openers)
    premieres = [r for r in releases if is_premiere(r, openers)] if not all(s.episodes for s in subs) else []
    specs = []
    for sub in subs:
        for release in every if sub.episodes else premieres:
            moment = starts_at(release)
            if moment is None:
                continue
            epoch = int(moment.timestamp())
            premiere = release.is_episode and release.id in openers
            for offset in sub.offsets:
                due = moment - timedelta(seconds=offset)
                if due <= now or (until is not None and due > until):
                    continue
                specs.append(TimerSpec(
                    kind=CHANNEL_REMINDER,
                    key=f"reminder:{sub.id}:{release.id}:{offset}:{epoch}",
                    due_at=due,
                    payload={"subscription_id": sub.id, "release_id": release.id, "offset": offset, "starts_at": epoch,
                             "premiere": premiere},
                    guild_id=guild_id,
                ))
    return specs


def personal_reminders(
    guild_id: int | None, reminders: Iterable[PersonalReminder], releases: Mapping[int, Release], now: datetime
) -> list[TimerSpec]:
    """One timer per /remindme whose release has an exact start still ahead (no horizon: one per request)."""
    specs = []
    for reminder in reminders:
        release = releases.get(reminder.release_id)
        moment = starts_at(release) if release is not None else None
        if release is None or moment is None or moment <= now:
            continue
        epoch = int(moment.timestamp())
        specs.append(TimerSpec(
            kind=PERSONAL_REMINDER,
            key=f"remindme:{reminder.id}:{epoch}",
            due_at=moment,
            # The title goes along: if the release is deleted, the DM that cancels the reminder still names it
            # (its code, never an episode's own title: that may be past the member's position).
            payload={"reminder_id": reminder.id, "release_id": release.id, "user_id": reminder.user_id, "starts_at": epoch,
                     "title": release.title},
            guild_id=guild_id,
        ))
    return specs


@dataclass(frozen=True, slots=True)
class PlannedMove:
    """A release a subscription was reminded of at `before` and now starts at `after` (epoch seconds)."""

    subscription_id: int
    release_id: int
    before: int
    after: int | None  # None: no longer reminded in the horizon; the caller looks the release up


def moves_in_plan(cancelled_keys: Iterable[str], wanted: Sequence[TimerSpec]) -> list[PlannedMove]:
    """Releases whose pending reminders were cancelled for another instant: moved since they were planned."""
    now_at = {
        (s.payload["subscription_id"], s.payload["release_id"]): s.payload["starts_at"]
        for s in wanted if s.kind == CHANNEL_REMINDER
    }
    found = set()
    for key in cancelled_keys:
        match = _REMINDER_KEY.fullmatch(key)
        if match is None:
            continue
        sub_id, release_id, before = (int(g) for g in match.groups())
        after = now_at.get((sub_id, release_id))
        if after != before:
            found.add(PlannedMove(sub_id, release_id, before, after))
    return sorted(found, key=lambda m: (m.subscription_id, m.release_id, m.before))


def worth_telling(before: datetime | None, after: datetime | None, now: datetime) -> bool:
    """A move is announced when it has both instants and either lies ahead within the horizon: a past
    episode's correction or a shuffle months away is not worth a post."""
    if before is None or after is None or before == after:
        return False
    return any(now < moment <= now + HORIZON for moment in (before, after))


def move_notice(guild_id: int, sub: Subscription, release_id: int, before: datetime, after: datetime, now: datetime) -> TimerSpec:
    """The timer that posts one move to one channel, keyed by the move: planned twice, posted once."""
    old, new = int(before.timestamp()), int(after.timestamp())
    return TimerSpec(
        kind=MOVE_NOTICE,
        key=f"moved:{sub.id}:{release_id}:{old}:{new}",
        due_at=now,
        payload={"subscription_id": sub.id, "release_id": release_id, "before": old, "after": new},
        guild_id=guild_id,
    )


def move_notices(
    guild_id: int, subs: Iterable[Subscription], release: Release, move: ReleaseMove, openers: Openers, now: datetime
) -> list[TimerSpec]:
    """Notices of an importer's move for the guild's channels that want the release, if the guild sees the
    release at the move's new instant (its own date supersedes the pack's, so then nothing moved there)."""
    if move.before is None or move.after is None or starts_at(release) != move.after:
        return []
    return [move_notice(guild_id, s, release.id, move.before, move.after, now) for s in subs if s.active and wants(s, release, openers)]


class Cancelled(StrEnum):
    """Why a /remindme request lost its instant (the DM says so)."""

    REMOVED = "removed"  # the release was deleted, and the request with it
    UNFOLLOWED = "unfollowed"  # the guild no longer sees the release
    UNDATED = "undated"  # no exact date any more
    PASSED = "passed"  # moved to an instant already past


@dataclass(frozen=True, slots=True)
class PersonalMove:
    """A /remindme request whose DM was planned for `before` and now is for `after` (None: for no instant)."""

    key: str  # the cancelled timer's key
    reminder_id: int
    before: int
    after: int | None


def personal_moves(cancelled_keys: Iterable[str], wanted: Sequence[TimerSpec], now: datetime) -> list[PersonalMove]:
    """The /remindme requests whose pending DM was cancelled while its instant was still ahead: moved, or
    cancelled with nothing in its place. (A DM already due and cancelled only because it is due is no news.)"""
    now_at = {s.payload["reminder_id"]: s.payload["starts_at"] for s in wanted if s.kind == PERSONAL_REMINDER}
    moves = []
    for key in cancelled_keys:
        match = _REMINDME_KEY.fullmatch(key)
        if match is None:
            continue
        reminder_id, before = int(match[1]), int(match[2])
        after = now_at.get(reminder_id)
        if after != before and before > now.timestamp():
            moves.append(PersonalMove(key, reminder_id, before, after))
    return sorted(moves, key=lambda m: (m.reminder_id, m.before))


def cancelled_because(
    reminder: PersonalReminder | None, release: Release | None, now: datetime
) -> tuple[Cancelled, PartialDate | None]:
    """Why a request has no instant to be reminded at now, and the date it is known by instead, if any."""
    if reminder is None:
        return Cancelled.REMOVED, None
    if release is None:
        return Cancelled.UNFOLLOWED, None
    current = release.current
    moment = starts_at(release)
    if moment is not None and moment <= now:
        return Cancelled.PASSED, None
    return Cancelled.UNDATED, current.date if current is not None else None


def personal_notice(
    guild_id: int | None, move: PersonalMove, planned: Mapping[str, Any], now: datetime,
    why: tuple[Cancelled, PartialDate | None] | None = None, title: str | None = None,
) -> TimerSpec:
    """The timer that DMs one member that their /remindme moved (`why` None) or was cancelled; keyed by
    the move, so planned by two processes or twice it is sent once. `planned` is the cancelled timer's
    payload; `title` the release's (never an episode's own title), else what `planned` kept. The date the
    release is known by instead goes as its precision and value, worded when the DM is sent in the
    server's language (`known_as`, its English words, is what timers planned before that kept)."""
    reason, known = why or (None, None)
    known_as = known.display() if known is not None else None
    known_date = {"precision": str(known.precision), "value": known.value} if known is not None else None
    return TimerSpec(
        kind=REMINDME_NOTICE,
        key=f"remindme-moved:{move.reminder_id}:{move.before}:{move.after if move.after is not None else 'cancelled'}",
        due_at=now,
        payload={"reminder_id": move.reminder_id, "release_id": planned["release_id"], "user_id": planned["user_id"],
                 "title": title or stored_title(planned), "before": move.before, "after": move.after,
                 "reason": reason, "known_as": known_as, "known_date": known_date},
        guild_id=guild_id,
    )


def stored_title(payload: Mapping[str, Any]) -> str | None:
    """The release's name a /remindme timer kept for when the release is gone: its title without an
    episode's own title (which may lie past the member's position). A timer planned before titles were
    kept apart stored the whole label, `Show S2E05 — “Title”`: everything from the title on is cut."""
    if payload.get("title"):
        return str(payload["title"])
    label = payload.get("label")
    return str(label).split(TITLE_MARK, 1)[0] if label else None
