"""Shutdown is bounded: a run that ignores close() (asleep in a back-off) is cancelled after the grace period."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.launch import launcher


class SleepyRun:
    """Stands in for a bot whose connect loop is in a long reconnect back-off: close() doesn't wake it."""

    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


async def test_a_hung_run_is_cancelled_after_the_grace_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "SHUTDOWN_GRACE", 0.2)
    bot = SleepyRun()
    running = asyncio.create_task(asyncio.sleep(3600))
    started = time.monotonic()
    await launcher._stop(bot, running)  # type: ignore[arg-type]
    assert bot.closed and running.cancelled()
    assert time.monotonic() - started < 1


async def test_a_run_that_stops_on_close_is_not_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    bot = SleepyRun()
    running = asyncio.create_task(asyncio.sleep(0.05))
    await launcher._stop(bot, running)  # type: ignore[arg-type]
    assert running.done() and not running.cancelled()
