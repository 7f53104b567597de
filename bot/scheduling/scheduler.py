"""The one durable timer mechanism: reminders, poll deadlines and anything else that must happen later.

One dispatcher task sleeps until the earliest pending timer in the store and is woken early when an
earlier one is added, moved or cancelled — in this process or, on a shared store, in any other (the
store's `timers` channel; a listener that reconnects wakes it too). Sleeps are capped so a wall-clock
jump is noticed, and a missed notice made up for, within a minute; nothing polls while nothing is
due. No exception ends the dispatcher: a failure is logged and the next look comes after a back-off.

Several processes may dispatch from one store: each claims what is due for itself (see db/repos/timers.py),
extends the lease of what it holds every few seconds while delivering, and takes over claims whose
lease ran out because their process died.

Delivery is claim → act → finish, each delivery its own task under a timeout. A handler calls
`attempting(timer)` just before its one side effect that must not happen twice (a post), so the
store knows what was tried. Finishing is retried in place until the store takes it. If the process
dies between claim and finish, the next start looks at the record: nothing attempted, or attempted
less than NONCE_WINDOW ago → delivered again (posts carry the timer id as a nonce with
`enforce_nonce`, so Discord returns the first message instead of a second); attempted longer ago →
not repeated, because Discord's nonce no longer guards a repeat: the timer is marked skipped with
the reason.

Each kind has a catch-up window: a reminder more than an hour late (the bot was down) is skipped,
recorded and logged instead of being posted absurdly late. A kind registered with `catch_up=None`
(a poll deadline) is always delivered, however late, and retried until it succeeds. Timers of a
kind nobody has registered (its extension failed to load) stay pending until a handler exists.

A burst (one episode due in a thousand servers at once) is met ready: what falls due within LEAD is
claimed ahead, and the handler of a kind registered `early` reads what it needs then, so at the
instant only the post is left — `attempting` holds it until then. Other kinds start at their instant.
A subscription removed in those last LEAD seconds still gets that one reminder.
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
from db.repos.timers import LEASE, TIMERS_CHANNEL, Timer, TimerState

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

CATCH_UP = timedelta(hours=1)
NONCE_WINDOW = timedelta(minutes=2)  # Discord de-duplicates a nonce for "a few minutes"; we count on two
MAX_SLEEP = 60.0  # seconds; also how soon a jump of the wall clock is noticed
BATCH = 200  # due timers claimed per look
LEAD = timedelta(seconds=2)  # how far ahead of its instant a timer is claimed (and an early handler starts)
HELD = 1000  # claims one process holds at once: a burst this size is prepared before its instant
CONCURRENCY = 32  # handlers acting at once; each delivery is its own task, so one guild can't hold up another
DELIVERY_TIMEOUT = 30.0  # seconds a handler may take before it is cancelled and retried later
MAX_ATTEMPTS = 6
RETRY_FLOOR = 1.0  # seconds before the first retry of a failed look at the store, doubling to MAX_SLEEP


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a handler's delivery ended; the note is kept on the timer row."""

    state: TimerState
    note: str | None = None
    next_at: datetime | None = None  # a recurring timer's next turn (`again`)

    @classmethod
    def done(cls, note: str | None = None) -> Outcome:
        return cls(TimerState.DONE, note)

    @classmethod
    def again(cls, at: datetime, note: str | None = None) -> Outcome:
        """Done, and the same timer comes back at `at` (see `TimerRepository.plan_recurring`)."""
        return cls(TimerState.PENDING, note, at)

    @classmethod
    def cancelled(cls, note: str) -> Outcome:
        return cls(TimerState.CANCELLED, note)

    @classmethod
    def failed(cls, note: str) -> Outcome:
        return cls(TimerState.FAILED, note)


class RetryLater(Exception):
    """A handler hit a passing failure (Discord 5xx, a 429 discord.py gave up on); try again with back-off.

    `outcome_unknown`: the side effect may have happened anyway (a timeout, a dropped connection), so
    the attempt stays on record and a repeat is only made while Discord's nonce still guards it. An
    error Discord answered with means nothing was made, and the retry starts with a clean record.
    """

    def __init__(self, reason: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(reason)
        self.outcome_unknown = outcome_unknown


Handler = Callable[[Timer], Awaitable[Outcome]]


def backoff(attempts: int) -> timedelta:
    """Delay before retry number `attempts`: 5 s, 10 s, 20 s, 40 s, … capped at 10 min.

    discord.py has already retried 500/502/504 within the attempt; what reaches here (a 503, or a
    burst that outlasted those retries) is worth a slower second look, not a storm."""
    return min(timedelta(minutes=10), timedelta(seconds=5) * (2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class _Kind:
    handler: Handler
    catch_up: timedelta | None  # None: deliver however late, and retry until it succeeds
    early: bool  # the handler may start up to LEAD before the instant; `attempting` holds it until then


class Scheduler:
    def __init__(
        self, store: Store, *, clock: Clock = discord.utils.utcnow, delivery_timeout: float = DELIVERY_TIMEOUT,
        retry_floor: float = RETRY_FLOOR,
    ) -> None:
        self._store = store
        self._clock = clock
        self._delivery_timeout = delivery_timeout
        self._retry_floor = retry_floor
        self._kinds: dict[str, _Kind] = {}
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._acting: set[int] = set()  # deliveries holding one of the CONCURRENCY slots
        self._loop: asyncio.Task[None] | None = None
        self._claims_checked_at: datetime | None = None  # when lapsed claims were last looked for
        self._lapse_at: datetime | None = None  # when another process's claim runs out of lease (shared store)
        self._listening = False
        self._heartbeat: asyncio.Task[None] | None = None
        self._settling: dict[int, asyncio.Event] = {}

    def register(self, kind: str, handler: Handler, *, catch_up: timedelta | None = CATCH_UP, early: bool = False) -> None:
        """Deliver timers of `kind` with `handler`; `catch_up=None` for what must happen however late.

        `early`: the handler only reads before it calls `attempting`, so it may start before the timer's
        instant and be ready when it comes (a reminder); otherwise it starts at the instant (a deadline)."""
        self._kinds[kind] = _Kind(handler, catch_up, early)
        self.wake()  # its timers may have been waiting for it

    def wake(self) -> None:
        """Something changed (a timer added, moved or cancelled): look again now."""
        self._wake.set()

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="fandex-scheduler")
            self._heartbeat = asyncio.create_task(self._beat(), name="fandex-scheduler-heartbeat")

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
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None

    async def _beat(self) -> None:
        """While deliveries run, tell the other processes they are still in hand (extend their leases)."""
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            if not self._in_flight:
                continue
            try:
                await self._store.timers.extend_leases(self._clock())
            except Exception:
                log.exception("scheduler: extending the leases of %d delivery(ies) failed", len(self._in_flight))

    async def settled(self, timer_id: int, timeout: float) -> Timer | None:
        """Wake the dispatcher and wait up to `timeout` for a delivery of the timer to end; the timer as it
        stands then (still pending if it is to be retried)."""
        event = self._settling.setdefault(timer_id, asyncio.Event())
        try:
            timer = await self._store.timers.get(timer_id)
            if timer is not None and timer.state in (TimerState.PENDING, TimerState.CLAIMED):
                self.wake()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout)
                timer = await self._store.timers.get(timer_id)
            return timer
        finally:
            self._settling.pop(timer_id, None)

    async def attempting(self, timer: Timer) -> None:
        """A handler is about to do what must not happen twice: wait for the timer's instant (it may have
        been claimed ahead), record the attempt so a restart can decide, then act.

        Neither the wait nor the write holds a slot, so a burst's attempts share one commit."""
        held = timer.id in self._acting
        self._leave_slot(timer.id)
        await self._until(timer.due_at)
        await self._store.timers.attempting(timer.id, self._clock())
        if held:
            await self._take_slot(timer.id)

    async def _until(self, instant: datetime) -> None:
        """Sleep until `instant` by the scheduler's clock (at most LEAD: only a claim ahead waits)."""
        delay = (instant - self._clock()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _take_slot(self, timer_id: int) -> None:
        await self._slots.acquire()
        self._acting.add(timer_id)

    def _leave_slot(self, timer_id: int) -> None:
        if timer_id in self._acting:
            self._acting.discard(timer_id)
            self._slots.release()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                if not self._listening:
                    await self._store.listen(TIMERS_CHANNEL, self.wake, own=True)
                    self._listening = True
                if self._claims_due_a_look():
                    await self._release_claims()
                delay = await self.tick()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                delay = min(MAX_SLEEP, self._retry_floor * 2 ** (failures - 1))
                log.exception("scheduler: looking at the store failed (%d in a row); trying again in %.1f s", failures, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _release_claims(self) -> None:
        """Claims left by a process that stopped go back to pending (see the module's rule): at start-up
        every claim on a store only this process uses; on a shared one, each look, those whose lease ran out."""
        every = not self._store.shared and self._claims_checked_at is None
        checked_at = self._clock()
        for timer in await self._store.timers.release_claims(self._clock(), every=every):
            if timer.attempted_at is None:
                log.warning("timer %s (%s) was claimed by a process that stopped before acting; delivering it again",
                            timer.id, timer.key)
            else:
                log.warning(
                    "timer %s (%s) was being delivered by a process that stopped (attempt at %s); "
                    "delivering it again if Discord's nonce still guards a repeat",
                    timer.id, timer.key, timer.attempted_at.isoformat(),
                )
        self._claims_checked_at = checked_at

    def _claims_due_a_look(self) -> bool:
        """At start-up; then, on a shared store, once per heartbeat period, not on every wake (a lease
        outlives several heartbeats, so a lapsed claim is never missed for long), and when the lease of
        a claim held elsewhere has run out."""
        last, now = self._claims_checked_at, self._clock()
        if last is None:
            return True
        lapsed = self._lapse_at is not None and now >= self._lapse_at
        return self._store.shared and (now - last >= LEASE / 3 or lapsed)

    async def tick(self) -> float:
        """Skip what is too late, claim and start what falls due within LEAD, and say how long to sleep
        until the next one does."""
        self._wake.clear()  # a wake() after this point is seen by the next wait, not lost
        now = self._clock()
        kinds = list(self._kinds)
        windows: dict[timedelta, list[str]] = {}
        for kind, registered in self._kinds.items():
            if registered.catch_up is not None:
                windows.setdefault(registered.catch_up, []).append(kind)
        for window, late_kinds in windows.items():
            for timer in await self._store.timers.skip_overdue(now - window, now, late_kinds):
                log.warning(
                    "skipped timer %s (%s): due %s, more than %s ago",
                    timer.id, timer.key, timer.first_due_at.isoformat(), window,
                )
        # Claim no more than this process holds at once: the rest stay free for the other processes.
        room = min(BATCH, HELD - len(self._in_flight))
        due = await self._store.timers.claim_due(now, room, kinds=kinds, excluding=self._in_flight, by=now + LEAD)
        for timer in due:
            task = asyncio.create_task(self._deliver(timer), name=f"timer-{timer.id}")
            self._in_flight[timer.id] = task
            task.add_done_callback(partial(self._forget_delivery, timer.id))
        if room <= 0:
            return MAX_SLEEP  # a delivery ending wakes the dispatcher
        if len(due) == room:
            return 0.0  # more may be due: claim the next batch at once
        next_at = await self._store.timers.next_due_at(kinds=kinds, excluding=self._in_flight)
        wake_at = next_at - LEAD if next_at is not None else None
        if self._store.shared:  # a process killed mid-delivery: take its claims over when their lease runs out
            self._lapse_at = await self._store.timers.next_lapse_at(excluding=self._in_flight)
            if self._lapse_at is not None and (wake_at is None or self._lapse_at < wake_at):
                wake_at = self._lapse_at
        if wake_at is None:
            return MAX_SLEEP
        return max(0.0, min(MAX_SLEEP, (wake_at - self._clock()).total_seconds()))

    def _forget_delivery(self, timer_id: int, _task: asyncio.Task[None]) -> None:
        if len(self._in_flight) >= HELD:
            self.wake()  # there is room again for what is waiting
        self._in_flight.pop(timer_id, None)
        if (event := self._settling.get(timer_id)) is not None:
            event.set()

    async def _deliver(self, timer: Timer) -> None:
        kind = self._kinds[timer.kind]
        if timer.attempted_at is not None and self._clock() - timer.attempted_at > NONCE_WINDOW:
            note = (f"not repeated: a delivery attempted at {timer.attempted_at.isoformat()} may have gone out, "
                    f"and Discord's nonce no longer guards a repeat after {NONCE_WINDOW}")
            log.warning("timer %s (%s) %s", timer.id, timer.key, note)
            await self._record(timer, partial(self._store.timers.finish, timer.id, TimerState.SKIPPED, note))
            return
        if not kind.early:
            await self._until(timer.due_at)
        attempts = timer.attempts  # counting this one
        try:
            outcome = await self._act(timer, kind)
        except TimeoutError:
            late = RetryLater(f"timed out after {self._delivery_timeout:g} s", outcome_unknown=True)
            await self._retry_or_fail(timer, kind, attempts, late)
            return
        except Exception as exc:
            await self._retry_or_fail(timer, kind, attempts, exc)
            return
        if outcome.next_at is not None:
            await self._record(timer, partial(self._store.timers.again, timer.id, outcome.next_at, outcome.note))
            self.wake()
        else:
            await self._record(timer, partial(self._store.timers.finish, timer.id, outcome.state, outcome.note))
        lateness = (self._clock() - timer.first_due_at).total_seconds()
        again = f"; again at {outcome.next_at.isoformat()}" if outcome.next_at is not None else ""
        log.info("timer %s (%s) %s %.3f s after due%s%s", timer.id, timer.key, TimerState.DONE if again else outcome.state,
                 lateness, f": {outcome.note}" if outcome.note else "", again)

    async def _act(self, timer: Timer, kind: _Kind) -> Outcome:
        """The handler under its timeout, in a slot (given up while `attempting` waits); the wait for a
        slot is not the handler's time, and its bookkeeping happens outside one."""
        await self._take_slot(timer.id)
        try:
            async with asyncio.timeout(self._delivery_timeout):
                return await kind.handler(timer)
        finally:
            self._leave_slot(timer.id)

    async def _record(self, timer: Timer, write: Callable[[datetime], Awaitable[None]]) -> None:
        """Write how a delivery ended, retrying in place until the store takes it: a claim left behind
        would be delivered again by the next start."""
        delay = self._retry_floor / 10
        while True:
            try:
                await write(self._clock())
                return
            except Exception as exc:
                log.warning("timer %s (%s): could not record its outcome (%s); retrying in %.2f s", timer.id, timer.key, exc, delay)
                await asyncio.sleep(delay)
                delay = min(MAX_SLEEP / 2, delay * 2)

    async def _retry_or_fail(self, timer: Timer, kind: _Kind, attempts: int, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:300]
        now = self._clock()
        retry_at = now + backoff(attempts)
        gives_up = kind.catch_up is not None and (attempts >= MAX_ATTEMPTS or retry_at - timer.first_due_at > kind.catch_up)
        if gives_up:
            await self._record(timer, partial(self._store.timers.finish, timer.id, TimerState.FAILED, reason))
            log.error("timer %s (%s) failed after %d attempt(s): %s", timer.id, timer.key, attempts, reason,
                      exc_info=not isinstance(exc, RetryLater))
            return
        # Only an error Discord answered with proves nothing went out; anything else keeps the attempt on record.
        known = isinstance(exc, RetryLater) and not exc.outcome_unknown
        await self._record(timer, lambda _now: self._store.timers.retry(timer.id, retry_at, reason, forget_attempt=known))
        log.warning("timer %s (%s) attempt %d failed (%s); retrying at %s", timer.id, timer.key, attempts, reason,
                    retry_at.isoformat(), exc_info=not isinstance(exc, RetryLater))
        self.wake()
