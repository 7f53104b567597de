"""The TVmaze sync pass on the durable scheduler: one timer for the whole deployment, every TVMAZE_SYNC_HOURS."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.scheduling.scheduler import Outcome, Scheduler
from bot.tvmaze.fandoms import FandomChange, TvmazeFandoms
from db import Store
from db.repos.timers import Timer, TimerSpec

log = logging.getLogger(__name__)

SYNC_KIND = "tvmaze_sync"


class SyncTimer:
    """The sync pass as a durable timer every TVMAZE_SYNC_HOURS. The pass runs in its own task, so a
    slow or absent TVmaze never holds the scheduler (whose deliveries have a time limit)."""

    def __init__(self, store: Store, scheduler: Scheduler, fandoms: TvmazeFandoms, every: timedelta,
                 clock: Callable[[], datetime], changed: Callable[[FandomChange], Awaitable[None]]) -> None:
        self._store, self._scheduler, self._fandoms = store, scheduler, fandoms
        self._every, self._clock, self._changed = every, clock, changed
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Register the kind and plan the one sync timer: now if a show is due (a changed overlay), else a
        period from now (an earlier turn already planned stands). However often the bot starts, in however
        many processes, the store keeps one (`plan_recurring`)."""
        self._scheduler.register(SYNC_KIND, self.deliver, catch_up=None)
        due_now = any(s.show_updated is None for s in await self._store.tvmaze_shows.all())
        now = self._clock()
        spec = TimerSpec(SYNC_KIND, SYNC_KIND, now if due_now else now + self._every, {}, None)
        if await self._store.timers.plan_recurring(spec, now):
            self._scheduler.wake()

    async def deliver(self, timer: Timer) -> Outcome:
        """Start a pass (unless the last is still running) and come back a period from now."""
        next_at = self._clock() + self._every
        if self._task is not None and not self._task.done():
            return Outcome.again(next_at, "the previous pass is still running")
        self._task = asyncio.create_task(self._pass())
        return Outcome.again(next_at, "sync pass started")

    async def _pass(self) -> None:
        started = time.monotonic()
        try:
            for change in await self._fandoms.sync_pass():
                if change.report.changed:
                    await self._changed(change)
        except Exception:  # a bug in one pass must not end the next ones
            log.exception("TVmaze sync pass failed")
        log.info("TVmaze sync pass took %.1f s", time.monotonic() - started)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
