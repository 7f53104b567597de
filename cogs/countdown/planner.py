"""Keeping a guild's reminder timers in step with its subscriptions, releases and /remindme requests."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from bot.scheduler import Scheduler
from cogs.countdown.planning import CHANNEL_REMINDER, PERSONAL_REMINDER, channel_reminders, personal_reminders
from db import Store
from db.models import ReleaseMove
from db.timers import ReconcileResult

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReminderPlanner:
    def __init__(self, store: Store, scheduler: Scheduler, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._scheduler = scheduler
        self._clock = clock

    async def apply(self, guild_id: int | None, change: Callable[[], Awaitable[T]]) -> tuple[T, ReconcileResult]:
        """Make `change` and re-plan the guild's reminders in one transaction: both commit, or neither.

        The plan is read inside the transaction, after the change, and writes go one at a time, so two
        re-plans of a guild never interleave: the last to commit planned from everything before it.
        """
        async with self._store.transaction():
            outcome = await change()
            plan = await self._reconcile(guild_id)
        if plan.added or plan.cancelled:
            self._scheduler.wake()  # after the commit, so the dispatcher sees the new timers
        return outcome, plan

    async def replan(self, guild_id: int | None) -> ReconcileResult:
        """Recompute the guild's wanted reminder timers and reconcile the store with them."""
        _, plan = await self.apply(guild_id, _nothing)
        return plan

    async def _reconcile(self, guild_id: int | None) -> ReconcileResult:
        now = self._clock()
        releases = await self._store.releases.visible(guild_id)
        wanted = personal_reminders(
            guild_id, await self._store.personal_reminders.of_guild(guild_id), {r.id: r for r in releases}, now
        )
        if guild_id is not None:
            wanted += channel_reminders(guild_id, await self._store.subscriptions.of_guild(guild_id), releases, now)
        return await self._store.timers.reconcile(guild_id, (CHANNEL_REMINDER, PERSONAL_REMINDER), wanted, now)

    async def replan_all(self) -> None:
        """After the pack changed: every guild with reminders gets its timers recomputed."""
        guilds = await self._store.subscriptions.guilds_with_reminders()
        added = cancelled = 0
        for guild_id in guilds:
            result = await self.replan(guild_id)
            added, cancelled = added + result.added, cancelled + result.cancelled
        log.info("re-planned reminders for %d guild(s): %d added, %d cancelled", len(guilds), added, cancelled)

    async def replan_fandom(self, pack_key: str) -> None:
        """A fandom's releases changed (a TVmaze import or sync): each guild following it re-plans.
        Minimal version from the tvmaze branch; the reminders branch's version wins at merge."""
        for guild_id in await self._store.subscriptions.guilds_with_reminders():
            if pack_key in await self._store.fandoms.followed_keys(guild_id):
                await self.replan(guild_id)

    async def announce_moves(self, pack_key: str, moved: list[ReleaseMove]) -> None:
        """STUB on the tvmaze branch only, for the lead to replace at merge with the reminders branch's
        announcement to subscribed channels: here it only logs."""
        if moved:
            log.info("fandom %s: %d release(s) moved (announcement not implemented on this branch)", pack_key, len(moved))


async def _nothing() -> None:
    return None
