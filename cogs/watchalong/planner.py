"""Keeping a server's watch-along threads and their timers in step with its settings and the episodes.

Re-planned on /watchalong set and stop, at start-up, and when the facts change (here or in another
process): an episode moved moves its timer and its planned row, one removed (or no longer known to
the minute) cancels both. A thread already posted is never touched: it stays, and still closes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from bot.scheduling.scheduler import Scheduler
from cogs.watchalong.planning import POST, PlannedThread, planned_threads, post_timer
from db import Store
from db.repos.timers import ReconcileResult

log = logging.getLogger(__name__)
T = TypeVar("T")
REPLANNED = "watchalong_replanned_generation"  # meta key: the facts generation threads were last planned for


class WatchAlongPlanner:
    def __init__(self, store: Store, scheduler: Scheduler, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._scheduler = scheduler
        self._clock = clock

    async def apply(self, guild_id: int, change: Callable[[], Awaitable[T]]) -> tuple[T, ReconcileResult]:
        """Make `change` (a set, a stop) and re-plan the server in one transaction: both commit, or neither."""
        async with self._store.transaction():
            outcome = await change()
            plan = await self._reconcile(guild_id)
        if plan.added or plan.cancelled:
            self._scheduler.wake()  # after the commit, so the dispatcher sees the new timers
        return outcome, plan

    async def replan(self, guild_id: int) -> ReconcileResult:
        _, plan = await self.apply(guild_id, _nothing)
        return plan

    async def _reconcile(self, guild_id: int) -> ReconcileResult:
        now = self._clock()
        rows = {row.release_id: row for row in await self._store.watchalong_threads.of_guild(guild_id)}
        wanted: list[PlannedThread] = []
        for watch in await self._store.watchalongs.of_guild(guild_id):
            episodes = await self._store.releases.for_series(watch.series_id, guild_id)
            for thread in planned_threads(watch, episodes, now):
                row = rows.get(thread.release_id)
                if row is None or row.posted_at is None:  # a posted thread is done with planning
                    wanted.append(thread)
        plan = await self._store.timers.reconcile(guild_id, (POST,), [post_timer(t) for t in wanted], now)
        for thread in wanted:
            await self._store.watchalong_threads.plan(guild_id, thread.release_id, thread.channel_id, thread.air_at, thread.closes_at)
        keep = {t.release_id for t in wanted}
        gone = [rid for rid, row in rows.items() if row.posted_at is None and rid not in keep]
        await self._store.watchalong_threads.cancel(guild_id, gone)
        return plan

    async def replan_all(self) -> None:
        """Every server with a watch-along (at start-up, and after the packs changed)."""
        guilds = sorted({w.guild_id for w in await self._store.watchalongs.every()})
        added = cancelled = 0
        for guild_id in guilds:
            result = await self.replan(guild_id)
            added, cancelled = added + result.added, cancelled + result.cancelled
        log.info("re-planned watch-alongs of %d guild(s): %d thread timer(s) added, %d cancelled", len(guilds), added, cancelled)

    async def replan_changed(self) -> None:
        """After the facts changed: re-plan once per change, by the first process to ask (the others
        find the generation done)."""
        async with self._store.deployment_lock("watchalong re-plan"):
            done = await self._store.meta.get(REPLANNED)
            generation, _ = await self._store.packs.changed_since(int(done or 0))
            if done == str(generation):
                return
            await self.replan_all()
            await self._store.meta.set(REPLANNED, str(generation))


async def _nothing() -> None:
    return None
