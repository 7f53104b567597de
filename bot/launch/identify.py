"""Spacing IDENTIFYs as Discord asks: one per bucket (`shard_id % max_concurrency`) per 5 seconds,
for the whole bot — every process that runs some of its shards.

discord.py's default hook sleeps 5 s before every IDENTIFY but the first, whatever `max_concurrency`
allows, and knows nothing of other processes; an IDENTIFY too early for its bucket is answered with
op 9 (invalid session). So each IDENTIFY first takes its bucket's turn in the store
(db/repos/identify_turns.py): one guarded upsert, granted only when the bucket's last IDENTIFY — from any
process — is a window old. Within a process, one shard per bucket asks at a time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from datetime import timedelta

import discord

from db import Store

log = logging.getLogger(__name__)

IDENTIFY_WINDOW = 5.0  # Discord: one IDENTIFY per bucket per 5 s
SAFETY_MARGIN = 0.5  # the window is measured on Discord's clock, when our IDENTIFY arrives


class IdentifyBuckets:
    """Holds each IDENTIFY until its bucket's previous one, in any process, is a window old."""

    def __init__(self, store: Store, max_concurrency: int = 1, window: float = IDENTIFY_WINDOW + SAFETY_MARGIN) -> None:
        self._store = store
        self.max_concurrency = max_concurrency  # set from GET /gateway/bot once it has answered
        self.window = window
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def bucket(self, shard_id: int) -> int:
        return shard_id % max(self.max_concurrency, 1)

    async def wait(self, shard_id: int) -> float:
        """Return once `shard_id` may IDENTIFY; the seconds waited."""
        bucket = self.bucket(shard_id)
        window = timedelta(seconds=self.window)
        started = time.monotonic()
        async with self._locks[bucket]:
            while True:
                try:
                    free_at = await self._store.identify_turns.take(bucket, discord.utils.utcnow(), window)
                except Exception:  # the store is briefly unreachable: pace this process alone for now
                    log.exception("shard %s: could not take an IDENTIFY turn in the store; waiting a full window", shard_id)
                    await asyncio.sleep(self.window)
                    break
                if free_at is None:
                    break
                delay = max(0.05, (free_at - discord.utils.utcnow()).total_seconds())
                await asyncio.sleep(delay + random.uniform(0, 0.05))  # jitter, not a secret
        return time.monotonic() - started
