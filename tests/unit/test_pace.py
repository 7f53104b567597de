"""A burst of calls spread under Discord's global limit: turns `1 / rate` apart, in order of asking."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.wire.pace import Pace


async def test_a_burst_goes_at_the_rate_and_in_order() -> None:
    loop = asyncio.get_running_loop()
    pace = Pace(50.0, clock=loop.time)
    went: list[tuple[int, float]] = []

    async def call(n: int) -> None:
        await pace.turn()
        went.append((n, loop.time()))

    started = loop.time()
    await asyncio.gather(*(call(n) for n in range(26)))
    assert [n for n, _ in went] == list(range(26))
    assert 0.49 <= went[-1][1] - started < 0.75  # 25 gaps of 20 ms: half a second, not all at once
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(went)]
    assert min(gaps) >= 0.018


async def test_a_caller_after_a_quiet_spell_goes_at_once() -> None:
    loop = asyncio.get_running_loop()
    pace = Pace(10.0, clock=loop.time)
    await pace.turn()
    await asyncio.sleep(0.15)
    started = loop.time()
    await pace.turn()
    assert loop.time() - started < 0.01
    with pytest.raises(ValueError):
        Pace(0)
