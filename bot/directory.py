"""Name indexes shared by every cog, built once in memory and rebuilt only when the facts change."""

from __future__ import annotations

import asyncio
import logging
import time

from bot.matching import IndexEntry, NameIndex
from db import Store

log = logging.getLogger(__name__)


class Directory:
    """Characters and series by name. Cheap to ask on every keystroke: a revision check, then memory."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = asyncio.Lock()
        self._revision = -1
        self._characters = NameIndex([])
        self._series = NameIndex([])

    async def characters(self) -> NameIndex:
        await self._refresh()
        return self._characters

    async def series(self) -> NameIndex:
        await self._refresh()
        return self._series

    async def _refresh(self) -> None:
        if self._revision == self._store.facts_revision:
            return
        async with self._lock:
            revision = self._store.facts_revision
            if self._revision == revision:
                return
            started = time.perf_counter()
            names = await self._store.characters.name_entries()
            order = [c.id for c in await self._store.characters.summaries()]
            self._characters = NameIndex(
                (IndexEntry(n.character_id, n.character_name, n.text, n.kind) for n in names), defaults=order
            )
            series = await self._store.series.summaries()
            self._series = NameIndex(
                [IndexEntry(s.id, s.title, s.title, "name") for s in series]
                + [IndexEntry(s.id, s.title, alias, "alias") for s in series for alias in s.aliases]
            )
            self._revision = revision
            log.info(
                "name indexes built: %d characters, %d series in %.1f ms",
                len(self._characters), len(self._series), (time.perf_counter() - started) * 1000,
            )
