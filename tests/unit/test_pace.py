"""A burst of calls spread under Discord's global limit: turns `1 / rate` apart, in order of asking.
Time is faked (the clock stands still; the waits asked for are recorded), so the figures are exact."""

from __future__ import annotations

import asyncio
from unittest import mock

import pytest

from bot.wire.pace import Pace


async def test_a_burst_waits_a_turn_apart_in_order_of_asking() -> None:
    pace = Pace(50.0, clock=lambda: 100.0)
    with mock.patch("bot.wire.pace.asyncio.sleep", new=mock.AsyncMock()) as sleep:
        await asyncio.gather(*(pace.turn() for _ in range(26)))
    waits = [call.args[0] for call in sleep.await_args_list]
    assert waits == pytest.approx([0.02 * n for n in range(1, 26)])  # the first goes at once; 25 gaps of 20 ms


async def test_a_caller_after_a_quiet_spell_goes_at_once() -> None:
    now = [100.0]
    pace = Pace(10.0, clock=lambda: now[0])
    with mock.patch("bot.wire.pace.asyncio.sleep", new=mock.AsyncMock()) as sleep:
        await pace.turn()
        now[0] += 0.15  # longer than a turn (0.1 s) without a call
        await pace.turn()
        await pace.turn()  # right behind it: one turn later
    assert [call.args[0] for call in sleep.await_args_list] == pytest.approx([0.1])
    with pytest.raises(ValueError):
        Pace(0)
