"""Noticing packs imported or removed by another process (`python -m db …`, another bot process) while the bot runs.

Every import that changes facts and every removal bumps a generation counter in the store, in the
same transaction, and notifies the `facts` channel. The bot looks at the counter when notified and
every few seconds anyway (one indexed read: the backstop for a lost notice, and all a SQLite store
shared with the CLI has) and, when it moved, publishes the store's facts-changed event with the packs
changed meanwhile, as if the change had been made here: in-memory indexes are rebuilt and the
reminders re-planned by whoever subscribes (db/repos/packs/changes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from db import Store
from db.repos.packs.repository import FACTS_CHANNEL

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0


class FactsWatch:
    def __init__(self, store: Store, interval: float = POLL_SECONDS) -> None:
        self._store = store
        self._interval = interval
        self._seen = 0
        self._task: asyncio.Task[None] | None = None
        self._poked = asyncio.Event()

    async def start(self, generation: int) -> None:
        self._seen = generation
        await self._store.listen(FACTS_CHANNEL, self._poked.set)
        self._task = asyncio.create_task(self._run(), name="fandex-facts-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poked.wait(), self._interval)
            self._poked.clear()
            try:
                generation = await self._store.packs.generation()
                if generation != self._seen:
                    generation, packs = await self._store.packs.changed_since(self._seen)
                    self._seen = generation
                    log.info("the packs changed in another process; rebuilding indexes and re-planning")
                    await self._store.facts.publish(packs)
            except Exception:  # a locked or busy store now is not a reason to stop watching
                log.exception("could not check whether the packs changed; trying again in %.0f s", self._interval)
