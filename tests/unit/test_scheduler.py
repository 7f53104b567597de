"""The dispatcher, driven by an injected clock against a real store: once, on time, catch-up, retries."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.scheduling import scheduler as scheduler_module
from bot.scheduling.scheduler import LEAD, MAX_SLEEP, Outcome, RetryLater, Scheduler, backoff
from db import Store
from db.repos.timers import LEASE, Timer, TimerSpec, TimerState
from tests.e2e.waiting import eventually

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Recorder:
    """A handler that records each delivery; it can fail a number of times first."""

    def __init__(self, failures: int = 0, exc: Exception | None = None) -> None:
        self.delivered: list[str] = []
        self.failures = failures
        self.exc = exc or RetryLater("503 Service Unavailable")

    async def __call__(self, timer: Timer) -> Outcome:
        if self.failures:
            self.failures -= 1
            raise self.exc
        self.delivered.append(timer.key)
        return Outcome.done("posted")


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def add(store: Store, key: str, due: datetime, clock: Clock, kind: str = "test") -> None:
    await store.timers.add(TimerSpec(kind, key, due, {"n": key}, guild_id=1), clock())


def keys(timers: list[Timer]) -> list[str]:
    return sorted(t.key for t in timers)


async def run_until_delivered(s: Scheduler, handler: Recorder, meanwhile: Any = None, timeout: float = 1.0) -> None:
    """Run the real dispatch loop until the handler has delivered something (or `timeout` passes)."""
    s.start()
    try:
        if meanwhile is not None:
            await meanwhile
        for _ in range(int(timeout / 0.01)):
            if handler.delivered:
                break
            await asyncio.sleep(0.01)
    finally:
        await s.stop()


async def run_tick(s: Scheduler) -> float:
    """One look at the store, then wait for the deliveries it started."""
    delay = await s.tick()
    await s.stop()
    return delay


@contextlib.contextmanager
def write_locked(store: Store) -> Iterator[sqlite3.Connection]:
    """Another process holds the store's write lock (past our busy timeout) until the block ends or
    the test rolls it back early."""
    assert store.path is not None, "a SQLite store"
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
    finally:
        if other.in_transaction:
            other.rollback()
        other.close()


async def test_due_timers_are_delivered_once_and_future_ones_wait(store: Store, clock: Clock) -> None:
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await add(store, "now", T0, clock)
    await add(store, "later", T0 + timedelta(seconds=30), clock)
    wake_ahead = 30.0 - LEAD.total_seconds()  # "later" is claimed LEAD ahead of its instant
    assert await run_tick(s) == wake_ahead
    assert handler.delivered == ["now"]
    assert await run_tick(s) == wake_ahead and handler.delivered == ["now"]  # not again
    clock.advance(seconds=30)
    await run_tick(s)
    assert handler.delivered == ["now", "later"]
    states = {t.key: t.state for t in await store.timers.of_guild(1, "test", TimerState)}
    assert states == {"now": TimerState.DONE, "later": TimerState.DONE}


async def test_sleep_is_capped_so_clock_jumps_are_noticed(store: Store, clock: Clock) -> None:
    s = Scheduler(store, clock=clock)
    assert await run_tick(s) == MAX_SLEEP  # nothing pending
    await add(store, "far", T0 + timedelta(days=3), clock)
    assert await run_tick(s) == MAX_SLEEP


async def test_catch_up_delivers_late_within_the_hour_and_skips_older(store: Store, clock: Clock) -> None:
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await add(store, "59m-late", T0 - timedelta(minutes=59), clock)
    await add(store, "61m-late", T0 - timedelta(minutes=61), clock)
    await run_tick(s)
    assert handler.delivered == ["59m-late"]
    skipped = await store.timers.of_guild(1, "test", [TimerState.SKIPPED])
    assert [t.key for t in skipped] == ["61m-late"] and "catch-up window" in (skipped[0].outcome or "")


async def test_a_claim_left_by_a_dead_process_is_delivered_again(store: Store, clock: Clock) -> None:
    await add(store, "interrupted", T0, clock)
    timer = (await store.timers.due(T0, 10, kinds=["test"]))[0]
    assert await store.timers.claim(timer.id, T0 - LEASE - timedelta(seconds=1))  # then its process died
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await run_until_delivered(s, handler)
    assert handler.delivered == ["interrupted"]


async def test_a_live_claim_is_left_to_its_holder_until_its_lease_runs_out(store: Store, clock: Clock) -> None:
    """On a shared store another process may hold a claim: it is not taken while its lease stands. On
    SQLite the only process is this one, so a claim found at start-up is its dead predecessor's."""
    await add(store, "held", T0, clock)
    timer = (await store.timers.due(T0, 10, kinds=["test"]))[0]
    assert await store.timers.claim(timer.id, T0)
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await run_until_delivered(s, handler, timeout=0.5)
    assert handler.delivered == ([] if store.shared else ["held"])
    if store.shared:
        clock.advance(seconds=LEASE.total_seconds() + 1)
        await run_until_delivered(s, handler)
        assert handler.delivered == ["held"]


async def test_a_dispatcher_with_nothing_due_wakes_when_another_process_claim_lapses(store: Store, clock: Clock) -> None:
    """A process killed mid-burst leaves claims behind: the others take them over when the lease runs
    out, not at their next routine look (up to a minute later when nothing else is due). A SQLite store
    has one process, which releases every claim it finds at start-up, so it never waits for a lease."""
    await add(store, "stranded", T0, clock)
    timer = (await store.timers.due(T0, 10, kinds=["test"]))[0]
    assert await store.timers.claim(timer.id, T0)  # then its process was killed
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    assert await run_tick(s) == (LEASE.total_seconds() if store.shared else MAX_SLEEP)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await run_until_delivered(s, handler)
    assert handler.delivered == ["stranded"]


async def test_two_dispatchers_never_deliver_one_timer_twice(store: Store, clock: Clock) -> None:
    handler = Recorder()
    first, second = Scheduler(store, clock=clock), Scheduler(store, clock=clock)
    first.register("test", handler)
    second.register("test", handler)
    for i in range(20):
        await add(store, f"t{i}", T0, clock)
    await asyncio.gather(first.tick(), second.tick())
    await asyncio.gather(first.stop(), second.stop())
    assert sorted(handler.delivered) == sorted(f"t{i}" for i in range(20))


async def test_passing_failures_are_retried_with_backoff_then_given_up(store: Store, clock: Clock) -> None:
    handler = Recorder(failures=2)
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await add(store, "flaky", T0, clock)
    await run_tick(s)
    [pending] = await store.timers.of_guild(1, "test")
    assert pending.due_at == T0 + backoff(1) and "503" in (pending.outcome or "")
    clock.advance(seconds=5)
    await run_tick(s)
    clock.advance(seconds=10)
    await run_tick(s)
    assert handler.delivered == ["flaky"]

    doomed = Recorder(failures=100, exc=RuntimeError("bug"))
    s.register("test", doomed)
    await add(store, "doomed", clock(), clock)
    for _ in range(scheduler_module.MAX_ATTEMPTS + 1):
        await run_tick(s)
        clock.advance(minutes=10)
    [failed] = await store.timers.of_guild(1, "test", [TimerState.FAILED])
    assert failed.key == "doomed" and "RuntimeError: bug" in (failed.outcome or "")


async def test_a_wake_cuts_the_sleep_short(store: Store) -> None:
    handler = Recorder()
    s = Scheduler(store)  # the real clock
    s.register("test", handler)

    async def add_and_wake() -> None:
        await asyncio.sleep(0.05)  # asleep: nothing is pending
        await store.timers.add(TimerSpec("test", "woken", datetime.now(UTC), {}, 1), datetime.now(UTC))
        s.wake()

    await run_until_delivered(s, handler, meanwhile=add_and_wake())
    assert handler.delivered == ["woken"]


class Preparer:
    """A handler that reads first, then posts after `attempting`: it notes when it did each."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.read_at: dict[str, datetime] = {}
        self.posted_at: dict[str, datetime] = {}

    async def __call__(self, timer: Timer) -> Outcome:
        self.read_at[timer.key] = datetime.now(UTC)
        await self.scheduler.attempting(timer)
        self.posted_at[timer.key] = datetime.now(UTC)
        return Outcome.done("posted")


async def test_a_burst_is_prepared_before_its_instant_and_posted_at_it(store: Store) -> None:
    """What falls due within LEAD is claimed ahead: an early handler reads then, and posts at the instant."""
    s = Scheduler(store)  # the real clock
    handler = Preparer(s)
    s.register("test", handler, early=True)
    instant = datetime.now(UTC) + LEAD / 2
    burst = [f"guild-{i}" for i in range(300)]
    for key in burst:
        await store.timers.add(TimerSpec("test", key, instant, {}, 1), datetime.now(UTC))
    s.start()
    try:
        await eventually(lambda: len(handler.posted_at) == len(burst), 10, "the whole burst posted")
    finally:
        await s.stop()
    assert all(handler.read_at[key] < instant for key in burst)  # every read done before the instant
    assert all(handler.posted_at[key] >= instant for key in burst)  # and no post before it
    done = await store.timers.of_guild(1, "test", [TimerState.DONE])
    assert len(done) == len(burst) and all(t.attempted_at is not None and t.attempted_at >= instant for t in done)


async def test_a_kind_that_is_not_early_starts_at_its_instant_though_claimed_ahead(store: Store) -> None:
    s = Scheduler(store)
    started: list[datetime] = []

    async def deadline(timer: Timer) -> Outcome:
        started.append(datetime.now(UTC))
        return Outcome.done()

    s.register("deadline", deadline, catch_up=None)
    instant = datetime.now(UTC) + LEAD / 2
    await store.timers.add(TimerSpec("deadline", "closes", instant, {}, 1), datetime.now(UTC))
    s.start()
    try:
        await eventually(lambda: bool(started), 5, "the deadline handled")
    finally:
        await s.stop()
    assert started[0] >= instant


async def test_idle_means_no_wakeups(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Scheduler(store)
    ticks = 0
    real_tick = s.tick

    async def counting_tick() -> float:
        nonlocal ticks
        ticks += 1
        return await real_tick()

    monkeypatch.setattr(s, "tick", counting_tick)
    await store.timers.add(TimerSpec("test", "next-hour", datetime.now(UTC) + timedelta(hours=1), {}, 1), datetime.now(UTC))
    s.start()
    await asyncio.sleep(0.5)
    await s.stop()
    assert ticks == 1  # one look, then asleep until the cap


async def test_a_failing_tick_does_not_kill_the_loop(store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Scheduler(store, clock=clock)
    calls = 0

    async def broken_tick() -> float:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("store hiccup")
        return 0.01

    monkeypatch.setattr(s, "tick", broken_tick)
    monkeypatch.setattr(asyncio, "wait_for", _fast_wait_for(asyncio.wait_for))
    s.start()
    await asyncio.sleep(0.2)
    await s.stop()
    assert calls >= 2


def _fast_wait_for(real):
    async def wait_for(aw, timeout):
        return await real(aw, min(timeout, 0.01) if timeout else timeout)

    return wait_for


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [5, 10, 20, 600]


# --- defects found in review: each test below failed before its fix ----------------------------------


@pytest.fixture
async def impatient_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store that gives up on a locked database after 50 ms instead of 5 s."""
    async with Store.open(tmp_path / "impatient.sqlite3", busy_timeout_ms=50) as opened:
        await opened.migrate()
        yield opened


async def test_a_kind_without_catch_up_is_delivered_however_late(store: Store, clock: Clock) -> None:
    """Poll deadlines are honoured after any downtime; only reminders have a catch-up window."""
    deadlines, reminders = Recorder(), Recorder()
    s = Scheduler(store, clock=clock)
    s.register("deadline", deadlines, catch_up=None)
    s.register("test", reminders)
    await add(store, "deadline-3-days-ago", T0 - timedelta(days=3), clock, kind="deadline")
    await add(store, "reminder-3-days-ago", T0 - timedelta(days=3), clock)
    await run_tick(s)
    assert deadlines.delivered == ["deadline-3-days-ago"]
    assert reminders.delivered == []
    assert keys(await store.timers.of_guild(1, "test", [TimerState.SKIPPED])) == ["reminder-3-days-ago"]


async def test_a_timer_that_must_happen_is_retried_past_the_attempt_limit(store: Store, clock: Clock) -> None:
    stubborn = Recorder(failures=scheduler_module.MAX_ATTEMPTS + 2)
    s = Scheduler(store, clock=clock)
    s.register("deadline", stubborn, catch_up=None)
    await add(store, "close-me", T0, clock, kind="deadline")
    for _ in range(scheduler_module.MAX_ATTEMPTS + 3):
        await run_tick(s)
        clock.advance(minutes=10)
    assert stubborn.delivered == ["close-me"]


async def test_a_failing_start_does_not_end_the_dispatcher(impatient_store: Store, clock: Clock) -> None:
    handler = Recorder()
    s = Scheduler(impatient_store, clock=clock, retry_floor=0.05)
    s.register("test", handler)
    await add(impatient_store, "due", T0, clock)
    with write_locked(impatient_store):
        s.start()  # its first write (releasing stale claims) fails: the store is locked
        await asyncio.sleep(0.3)
        assert handler.delivered == []
    await eventually(lambda: handler.delivered == ["due"], 10, "delivery once the store is writable again")
    await s.stop()


async def test_a_failed_finish_is_retried_in_place_and_the_post_never_repeated(impatient_store: Store, clock: Clock) -> None:
    assert impatient_store.path is not None
    blocker = sqlite3.connect(impatient_store.path, isolation_level=None)

    class PostsThenTheStoreLocks(Recorder):
        async def __call__(self, timer: Timer) -> Outcome:
            outcome = await super().__call__(timer)  # "posted"
            blocker.execute("BEGIN IMMEDIATE")  # recording it fails for a while
            asyncio.get_running_loop().call_later(0.3, blocker.rollback)
            return outcome

    handler = PostsThenTheStoreLocks()
    s = Scheduler(impatient_store, clock=clock, retry_floor=0.05)
    s.register("test", handler)
    await add(impatient_store, "posted-once", T0, clock)
    s.start()

    async def finished() -> bool:
        return keys(await impatient_store.timers.of_guild(1, "test", [TimerState.DONE])) == ["posted-once"]

    for _ in range(200):
        if await finished():
            break
        await asyncio.sleep(0.05)
    await s.stop()
    restarted = Scheduler(impatient_store, clock=clock)  # a restart: nothing is left to deliver
    restarted.register("test", handler)
    restarted.start()
    await asyncio.sleep(0.3)
    await restarted.stop()
    blocker.close()
    assert await finished() and handler.delivered == ["posted-once"]


async def test_after_a_crash_a_claim_is_repeated_only_while_the_nonce_still_guards_it(store: Store, clock: Clock) -> None:
    for key in ("never-attempted", "attempted-just-now", "attempted-long-ago"):
        await add(store, key, T0, clock)
    claimed = {t.key: t for t in await store.timers.due(T0, 10, kinds=["test"])}
    for timer in claimed.values():
        assert await store.timers.claim(timer.id, T0 - timedelta(minutes=10))  # then the process died
    await store.timers.attempting(claimed["attempted-just-now"].id, T0 - timedelta(seconds=30))
    await store.timers.attempting(claimed["attempted-long-ago"].id, T0 - scheduler_module.NONCE_WINDOW - timedelta(seconds=1))
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    s.start()
    await eventually(lambda: len(handler.delivered) == 2, 5, "the two safe repeats")
    await asyncio.sleep(0.1)
    await s.stop()
    assert sorted(handler.delivered) == ["attempted-just-now", "never-attempted"]
    [uncertain] = await store.timers.of_guild(1, "test", [TimerState.SKIPPED])
    assert uncertain.key == "attempted-long-ago" and "nonce" in (uncertain.outcome or "")


async def test_hung_deliveries_time_out_and_never_hold_up_the_rest(store: Store, clock: Clock) -> None:
    never = asyncio.Event()

    async def hangs(timer: Timer) -> Outcome:
        await never.wait()
        return Outcome.done()

    handler = Recorder()
    s = Scheduler(store, clock=clock, delivery_timeout=0.2)
    s.register("hangs", hangs)
    s.register("test", handler)
    for i in range(scheduler_module.CONCURRENCY + 8):
        await add(store, f"hung-{i}", T0, clock, kind="hangs")
    await add(store, "another-guilds-reminder", T0, clock)
    s.start()
    await eventually(lambda: handler.delivered == ["another-guilds-reminder"], 5, "the reminder behind the hung ones")
    await asyncio.sleep(0.3)
    await s.stop()
    hung = await store.timers.of_guild(1, "hangs")
    assert len(hung) == scheduler_module.CONCURRENCY + 8  # back to pending, to be tried again later
    assert all(t.due_at > T0 and "timed out" in (t.outcome or "") for t in hung)


async def test_timers_of_a_kind_nobody_handles_yet_wait_for_their_handler(store: Store, clock: Clock) -> None:
    """An extension that failed to load leaves its timers pending, not failed for good."""
    s = Scheduler(store, clock=clock)
    await add(store, "orphan", T0, clock)
    await run_tick(s)
    [waiting] = await store.timers.of_guild(1, "test", list(TimerState))
    assert waiting.state is TimerState.PENDING
    handler = Recorder()
    s.register("test", handler)
    await run_tick(s)
    assert handler.delivered == ["orphan"]


async def test_a_recurring_timer_is_one_row_however_often_it_is_planned(store: Store, clock: Clock) -> None:
    """Planned at every start (sooner when there is work now), delivered, planned again: always the same
    one row, pending for its next turn, never a second."""
    hour = timedelta(hours=1)
    delivered: list[int] = []

    async def every_hour(timer: Timer) -> Outcome:
        delivered.append(timer.id)
        return Outcome.again(clock() + hour, "ran")

    def spec(due: datetime) -> TimerSpec:
        return TimerSpec("sync", "sync", due, {}, None)

    s = Scheduler(store, clock=clock)
    s.register("sync", every_hour, catch_up=None)
    await store.timers.add(TimerSpec("sync", "sync:an-older-version", T0 + hour, {}, None), clock())
    assert await store.timers.plan_recurring(spec(T0 + hour), clock())
    assert not await store.timers.plan_recurring(spec(T0 + 2 * hour), clock())  # a later turn: the earlier stands
    assert await store.timers.plan_recurring(spec(T0), clock())  # work now: sooner
    await run_tick(s)
    clock.advance(hours=1)
    await run_tick(s)
    rows = await store.timers.of_guild(None, "sync", TimerState)
    assert [(t.key, t.state) for t in rows] == [("sync:an-older-version", TimerState.CANCELLED), ("sync", TimerState.PENDING)]
    (timer,) = [t for t in rows if t.key == "sync"]
    assert delivered == [timer.id, timer.id] and timer.due_at == T0 + 2 * hour and timer.attempts == 0
    assert await store.timers.plan_recurring(spec(T0 + 2 * hour), clock()) is False  # restarts change nothing
