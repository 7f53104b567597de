"""The one durable timer mechanism: reminders, poll deadlines and anything else that must happen later.

One dispatcher task sleeps until the earliest pending timer in the store and is woken early when an
earlier one is added, moved or cancelled. Sleeps are capped so a wall-clock jump is noticed within a
minute; nothing polls while nothing is due.

Delivery is claim → act → finish. A timer whose process died between claim and finish is delivered
again on the next start (at-least-once): channel posts carry the timer id as a nonce with
`enforce_nonce`, so Discord itself drops the repeat. A timer more than CATCH_UP late (the bot was
down) is skipped, recorded and logged instead of being posted absurdly late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import discord

from db import Store
from db.timers import Timer, TimerState

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

CATCH_UP = timedelta(hours=1)
MAX_SLEEP = 60.0  # seconds; also how soon a jump of the wall clock is noticed
BATCH = 200  # due timers fetched per wake
CONCURRENCY = 32  # deliveries in flight at once; each is its own task, so one guild can't hold up another
MAX_ATTEMPTS = 6


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a handler's delivery ended; the note is kept on the timer row."""

    state: TimerState
    note: str | None = None

    @classmethod
    def done(cls, note: str | None = None) -> Outcome:
        return cls(TimerState.DONE, note)

    @classmethod
    def cancelled(cls, note: str) -> Outcome:
        return cls(TimerState.CANCELLED, note)

    @classmethod
    def failed(cls, note: str) -> Outcome:
        return cls(TimerState.FAILED, note)


class RetryLater(Exception):
    """A handler hit a passing failure (Discord 5xx, a 429 discord.py gave up on); try again with back-off."""


Handler = Callable[[Timer], Awaitable[Outcome]]


def backoff(attempts: int) -> timedelta:
    """Delay before retry number `attempts`: 5 s, 10 s, 20 s, 40 s, … capped at 10 min.

    discord.py has already retried 500/502/504 within the attempt; what reaches here (a 503, or a
    burst that outlasted those retries) is worth a slower second look, not a storm."""
    return min(timedelta(minutes=10), timedelta(seconds=5) * (2 ** max(0, attempts - 1)))


class Scheduler:
    def __init__(self, store: Store, *, clock: Clock = discord.utils.utcnow, catch_up: timedelta = CATCH_UP) -> None:
        self._store = store
        self._clock = clock
        self._catch_up = catch_up
        self._handlers: dict[str, Handler] = {}
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._loop: asyncio.Task[None] | None = None

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def wake(self) -> None:
        """Something changed (a timer added, moved or cancelled): look again now."""
        self._wake.set()

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="fandex-scheduler")

    async def stop(self, grace: float = 3.0) -> None:
        """Stop dispatching; give in-flight deliveries `grace` seconds, then cancel them (they'll be retried)."""
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
        if self._in_flight:
            _, pending = await asyncio.wait(list(self._in_flight.values()), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def drain(self) -> None:
        """Wait for the deliveries started so far (tests use it after `tick`)."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)

    async def _run(self) -> None:
        recovered = await self._store.timers.release_claims()
        for timer in recovered:
            log.warning("timer %s (%s) was claimed by a process that stopped; delivering it again", timer.id, timer.key)
        while True:
            try:
                delay = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler tick failed; trying again shortly")
                delay = 5.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def tick(self) -> float:
        """Skip what is too late, start what is due, and say how long to sleep until the next one."""
        self._wake.clear()  # a wake() after this point is seen by the next wait, not lost
        now = self._clock()
        for timer in await self._store.timers.skip_overdue(now - self._catch_up, now):
            log.warning(
                "skipped timer %s (%s): due %s, more than %s ago",
                timer.id, timer.key, timer.first_due_at.isoformat(), self._catch_up,
            )
        due = await self._store.timers.due(now, BATCH, excluding=self._in_flight)
        for timer in due:
            task = asyncio.create_task(self._deliver(timer), name=f"timer-{timer.id}")
            self._in_flight[timer.id] = task
            task.add_done_callback(partial(self._forget_delivery, timer.id))
        if len(due) == BATCH:
            return 0.0  # more are due: fetch the next batch at once
        next_at = await self._store.timers.next_due_at(excluding=self._in_flight)
        if next_at is None:
            return MAX_SLEEP
        return max(0.0, min(MAX_SLEEP, (next_at - self._clock()).total_seconds()))

    def _forget_delivery(self, timer_id: int, _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(timer_id, None)

    async def _deliver(self, timer: Timer) -> None:
        async with self._slots:
            if not await self._store.timers.claim(timer.id, self._clock()):
                return  # another tick (or process) has it, or it was cancelled meanwhile
            handler = self._handlers.get(timer.kind)
            if handler is None:
                await self._store.timers.finish(timer.id, TimerState.FAILED, f"no handler for {timer.kind}", self._clock())
                log.error("timer %s has kind %r, which nothing handles", timer.id, timer.kind)
                return
            attempts = timer.attempts + 1
            try:
                outcome = await handler(timer)
            except asyncio.CancelledError:
                raise  # shutting down: the claim is released on the next start
            except Exception as exc:
                await self._retry_or_fail(timer, attempts, exc)
                return
            await self._store.timers.finish(timer.id, outcome.state, outcome.note, self._clock())
            lateness = (self._clock() - timer.first_due_at).total_seconds()
            log.info("timer %s (%s) %s %.3f s after due%s", timer.id, timer.key, outcome.state,
                     lateness, f": {outcome.note}" if outcome.note else "")

    async def _retry_or_fail(self, timer: Timer, attempts: int, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:300]
        now = self._clock()
        retry_at = now + backoff(attempts)
        if attempts >= MAX_ATTEMPTS or retry_at - timer.first_due_at > self._catch_up:
            await self._store.timers.finish(timer.id, TimerState.FAILED, reason, now)
            log.error("timer %s (%s) failed after %d attempt(s): %s", timer.id, timer.key, attempts, reason,
                      exc_info=not isinstance(exc, RetryLater))
            return
        await self._store.timers.retry(timer.id, retry_at, reason)
        log.warning("timer %s (%s) attempt %d failed (%s); retrying at %s", timer.id, timer.key, attempts, reason,
                    retry_at.isoformat())
        self.wake()
