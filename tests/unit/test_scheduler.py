"""The dispatcher, driven by an injected clock against a real store: once, on time, catch-up, retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import scheduler as scheduler_module
from bot.scheduler import MAX_SLEEP, Outcome, RetryLater, Scheduler, backoff
from db import Store
from db.timers import Timer, TimerSpec, TimerState

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


async def add(store: Store, key: str, due: datetime, clock: Clock) -> None:
    await store.timers.add(TimerSpec("test", key, due, {"n": key}, guild_id=1), clock())


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
    delay = await s.tick()
    await s.drain()
    return delay


async def test_due_timers_are_delivered_once_and_future_ones_wait(store: Store, clock: Clock) -> None:
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await add(store, "now", T0, clock)
    await add(store, "later", T0 + timedelta(seconds=30), clock)
    assert await run_tick(s) == 30.0
    assert handler.delivered == ["now"]
    assert await run_tick(s) == 30.0 and handler.delivered == ["now"]  # not again
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
    timer = (await store.timers.due(T0, 10))[0]
    assert await store.timers.claim(timer.id, T0)  # the process that claimed it then died
    handler = Recorder()
    s = Scheduler(store, clock=clock)
    s.register("test", handler)
    await run_until_delivered(s, handler)
    assert handler.delivered == ["interrupted"]


async def test_two_dispatchers_never_deliver_one_timer_twice(store: Store, clock: Clock) -> None:
    handler = Recorder()
    first, second = Scheduler(store, clock=clock), Scheduler(store, clock=clock)
    first.register("test", handler)
    second.register("test", handler)
    for i in range(20):
        await add(store, f"t{i}", T0, clock)
    await asyncio.gather(first.tick(), second.tick())
    await asyncio.gather(first.drain(), second.drain())
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
