"""Spacing IDENTIFYs as Discord asks: one per bucket (`shard_id % max_concurrency`) per 5 seconds.

discord.py's default hook sleeps 5 s before every IDENTIFY but the first, whatever
`max_concurrency` allows; a bot with 16 shards and max_concurrency 16 would take 75 s to log in
instead of none. An IDENTIFY too early for its bucket is answered with op 9 (invalid session).
This spacing is per process; processes started together are not coordinated here.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

IDENTIFY_WINDOW = 5.0  # Discord: one IDENTIFY per bucket per 5 s
SAFETY_MARGIN = 0.5  # the window is measured on Discord's clock, when our IDENTIFY arrives


class IdentifyBuckets:
    """Holds each IDENTIFY until its bucket's previous one is a window old."""

    def __init__(self, max_concurrency: int = 1, window: float = IDENTIFY_WINDOW + SAFETY_MARGIN) -> None:
        self.max_concurrency = max_concurrency  # set from GET /gateway/bot once it has answered
        self.window = window
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._last: dict[int, float] = {}

    def bucket(self, shard_id: int) -> int:
        return shard_id % max(self.max_concurrency, 1)

    async def wait(self, shard_id: int) -> float:
        """Return once `shard_id` may IDENTIFY; the seconds waited."""
        bucket = self.bucket(shard_id)
        async with self._locks[bucket]:
            waited = 0.0
            last = self._last.get(bucket)
            if last is not None:
                waited = max(0.0, last + self.window - time.monotonic())
                if waited:
                    await asyncio.sleep(waited)
            self._last[bucket] = time.monotonic()
            return waited
