"""Waiting for our turn to IDENTIFY, across every process running the bot's shards.

discord.py calls `before_identify_hook` before each IDENTIFY (and re-IDENTIFY); by default it only
sleeps 5 s within one process. With several processes that is not enough: Discord counts the whole
bot, per bucket `shard_id % max_concurrency`, and answers an IDENTIFY too soon with an invalid
session. So each turn is taken in the store (db/identify_turns.py) first.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

import discord

from db import Store

log = logging.getLogger(__name__)

IDENTIFY_WINDOW = timedelta(seconds=5)  # Discord: one IDENTIFY per bucket per 5 s
SAFETY = timedelta(milliseconds=250)  # clocks of several machines differ a little


async def wait_for_turn(
    store: Store, shard_id: int, max_concurrency: int, *, window: timedelta = IDENTIFY_WINDOW,
    clock: Callable[[], datetime] = discord.utils.utcnow,
) -> None:
    """Return once this shard's bucket is ours to IDENTIFY in, for this window."""
    bucket = shard_id % max(1, max_concurrency)
    while True:
        try:
            free_at = await store.identify_turns.take(bucket, clock(), window + SAFETY)
        except Exception:  # the store is briefly unreachable: fall back to discord.py's own pacing
            log.exception("shard %s: could not take an IDENTIFY turn in the store; waiting a full window", shard_id)
            await asyncio.sleep((window + SAFETY).total_seconds())
            return
        if free_at is None:
            return
        wait = max(0.05, (free_at - clock()).total_seconds()) + random.uniform(0, 0.1)  # jitter only
        log.debug("shard %s: bucket %s identified %.1f s ago elsewhere; waiting %.2f s", shard_id, bucket,
                  window.total_seconds() - wait, wait)
        await asyncio.sleep(wait)
