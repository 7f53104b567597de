"""Keeping a poll's message tally current without an edit per vote: at most one edit per poll per interval."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

EDIT_INTERVAL = 1.0  # seconds between edits of one poll's message, whatever the voting rate, in all processes
EDIT_RETRIES = 8  # a failing edit is retried this many times, backing off; the next start tries again


class TallyRefresher:
    """Coalesces tally edits: at most one per poll per EDIT_INTERVAL, and the last one always reads
    every vote committed before it (a vote committed during an edit marks the poll for another).
    A failed edit is retried with back-off; one that never succeeds is left to the next start, which
    refreshes every open poll whose message shows fewer votes than the store holds."""

    def __init__(self, edit: Callable[[int], Awaitable[bool]], interval: float = EDIT_INTERVAL) -> None:
        self._edit = edit
        self._interval = interval
        self._dirty: set[int] = set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._last: dict[int, float] = {}

    def request(self, poll_id: int) -> None:
        self._dirty.add(poll_id)
        if poll_id not in self._tasks:
            self._tasks[poll_id] = asyncio.create_task(self._run(poll_id), name=f"poll-{poll_id}-tally")

    def posted(self, poll_id: int) -> None:
        """The message was just written (posted or closed): the next edit waits a full interval."""
        self._last[poll_id] = time.monotonic()

    def forget(self, poll_id: int) -> None:
        """No more tally edits for this poll (it closed). An edit under way finishes; the poll's edit
        lock orders it before the final card."""
        self._dirty.discard(poll_id)
        self._last.pop(poll_id, None)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, poll_id: int) -> None:
        failures = 0
        try:
            while poll_id in self._dirty:
                wait = self._last.get(poll_id, float("-inf")) + self._interval * 2**failures - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._dirty.discard(poll_id)
                self._last[poll_id] = time.monotonic()
                try:
                    if not await self._edit(poll_id):
                        self._dirty.add(poll_id)  # another process is editing it: look again after an interval
                    failures = 0
                except Exception as exc:
                    failures += 1
                    if failures > EDIT_RETRIES:
                        log.error("poll %s: the tally edit failed %d times (%s); the next start will retry", poll_id, failures, exc)
                        return
                    log.warning("poll %s: the tally edit failed (%s); retrying in %.0f s", poll_id, exc, self._interval * 2**failures)
                    self._dirty.add(poll_id)
        finally:
            if self._tasks.get(poll_id) is asyncio.current_task():
                del self._tasks[poll_id]
