"""Which reminder timers should exist — a plain function of subscriptions, releases and the clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from cogs.countdown.timeline import starts_at
from db.models import Release
from db.personal_reminders import PersonalReminder
from db.subscriptions import Subscription
from db.timers import TimerSpec

CHANNEL_REMINDER = "reminder"
PERSONAL_REMINDER = "remindme"


def channel_reminders(
    guild_id: int, subscriptions: Iterable[Subscription], releases: Iterable[Release], now: datetime
) -> list[TimerSpec]:
    """One timer per (active subscription, exact-dated release, offset) whose time is still ahead.

    The key carries the release instant: if a release moves, the old reminders stop being wanted and
    new ones are planned; if it moves back, the old ones come back instead of being posted twice.
    """
    dated = [(r, starts_at(r)) for r in releases]
    specs = []
    for sub in subscriptions:
        if not sub.active:
            continue
        for release, moment in dated:
            if moment is None:
                continue
            epoch = int(moment.timestamp())
            for offset in sub.offsets:
                due = moment - timedelta(seconds=offset)
                if due <= now:
                    continue
                specs.append(TimerSpec(
                    kind=CHANNEL_REMINDER,
                    key=f"reminder:{sub.id}:{release.id}:{offset}:{epoch}",
                    due_at=due,
                    payload={"subscription_id": sub.id, "release_id": release.id, "offset": offset, "starts_at": epoch},
                    guild_id=guild_id,
                ))
    return specs


def personal_reminders(
    guild_id: int | None, reminders: Iterable[PersonalReminder], releases: Mapping[int, Release], now: datetime
) -> list[TimerSpec]:
    """One timer per /remindme whose release has an exact start still ahead."""
    specs = []
    for reminder in reminders:
        release = releases.get(reminder.release_id)
        moment = starts_at(release) if release is not None else None
        if moment is None or moment <= now:
            continue
        epoch = int(moment.timestamp())
        specs.append(TimerSpec(
            kind=PERSONAL_REMINDER,
            key=f"remindme:{reminder.id}:{epoch}",
            due_at=moment,
            payload={"reminder_id": reminder.id, "release_id": release.id, "user_id": reminder.user_id, "starts_at": epoch},  # type: ignore[union-attr]
            guild_id=guild_id,
        ))
    return specs
