"""Load shapes and statistics: an open-loop rate (like members arriving), a closed loop (N in flight)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.double.interactions import InteractionRecord


@dataclass(frozen=True)
class Sample:
    latencies_ms: list[float]
    seconds: float
    failures: int

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


async def at_rate(send: Callable[[int], Awaitable[InteractionRecord]], rate: float, seconds: float) -> Sample:
    """Send one interaction every 1/rate s for `seconds`, whatever the answers; latency from the double."""
    records: list[asyncio.Task[InteractionRecord]] = []
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < seconds:
        records.append(asyncio.ensure_future(_acked(send(n))))
        n += 1
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
    done = await asyncio.gather(*records, return_exceptions=True)
    return _sample(done, time.monotonic() - started)


async def in_flight(send: Callable[[int], Awaitable[InteractionRecord]], total: int, concurrency: int) -> Sample:
    """`total` interactions with `concurrency` in flight at once; throughput is acknowledged per second."""
    slots = asyncio.Semaphore(concurrency)

    async def one(i: int) -> InteractionRecord:
        async with slots:
            return await _acked(send(i))

    started = time.monotonic()
    done = await asyncio.gather(*(one(i) for i in range(total)), return_exceptions=True)
    return _sample(done, time.monotonic() - started)


async def _acked(sending: Awaitable[InteractionRecord]) -> InteractionRecord:
    record = await sending
    return await record.acked(timeout=10)


def _sample(done: list[InteractionRecord | BaseException], seconds: float) -> Sample:
    ok = [r for r in done if isinstance(r, InteractionRecord) and r.latency is not None]
    return Sample([r.latency * 1000 for r in ok], seconds, len(done) - len(ok))  # type: ignore[operator]
