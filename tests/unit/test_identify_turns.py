"""IDENTIFY turns: one per bucket per window for the whole bot, whichever process asks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.identify import wait_for_turn
from db import Store

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=5)


async def test_a_bucket_gives_one_turn_per_window(store: Store) -> None:
    assert await store.identify_turns.take(0, T0, WINDOW) is None
    assert await store.identify_turns.take(0, T0 + timedelta(seconds=1), WINDOW) == T0 + WINDOW  # wait till then
    assert await store.identify_turns.take(1, T0 + timedelta(seconds=1), WINDOW) is None  # another bucket is free
    assert await store.identify_turns.take(0, T0 + WINDOW, WINDOW) is None


async def test_shards_of_one_bucket_wait_for_each_other_in_real_time(store: Store) -> None:
    """Three shards of bucket 0 (max_concurrency 2: shards 0, 2, 4) identify a window apart."""
    window = timedelta(milliseconds=300)
    taken: list[float] = []
    loop = asyncio.get_running_loop()

    async def shard(shard_id: int) -> None:
        await wait_for_turn(store, shard_id, 2, window=window)
        taken.append(loop.time())

    await asyncio.gather(*(shard(i) for i in (0, 2, 4)))
    gaps = [b - a for a, b in zip(sorted(taken), sorted(taken)[1:], strict=False)]
    assert len(taken) == 3 and all(gap >= window.total_seconds() for gap in gaps), gaps
