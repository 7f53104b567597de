"""Spreading a burst of calls to Discord: at most `rate` a second from this process, each caller
waiting for its turn. Discord allows a bot 50 requests a second across all its processes before it
answers 429 (and, past that, bans for a while); discord.py keeps per-route limits and retries a
429, but a burst of hundreds of posts at one instant (a watch-along's episode airing in every
server) must not ask for them in the first place."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pace:
    """Turns `1 / rate` seconds apart, first come first served; a caller that comes when nobody has
    gone for a turn's length goes at once."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("a pace needs a positive rate")
        self._gap = 1.0 / rate
        self._clock = clock
        self._next = 0.0

    async def turn(self) -> None:
        """Wait for this caller's turn (in order of asking)."""
        now = self._clock()
        at = max(now, self._next)
        self._next = at + self._gap
        if at > now:
            await asyncio.sleep(at - now)
