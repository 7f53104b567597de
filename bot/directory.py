"""Name indexes shared by every cog, built once in memory and rebuilt only when the facts change."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from bot.matching import IndexEntry, NameIndex
from db import Store
from db.models import Character

log = logging.getLogger(__name__)


PROFILE_CACHE = 4096  # character profiles kept in memory; facts change only when a pack is imported


class Directory:
    """Characters and series by name, and character profiles. Cheap to ask on every keystroke and
    every lookup: a revision check, then memory; everything is rebuilt when the facts change."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = asyncio.Lock()
        self._revision = -1
        self._characters = NameIndex([])
        self._series = NameIndex([])
        self._profiles: OrderedDict[tuple[int, int | None], Character | None] = OrderedDict()

    async def character(self, character_id: int, guild_id: int | None) -> Character | None:
        """A character's full profile as this guild sees it, from memory after the first ask."""
        await self._refresh()
        key = (character_id, guild_id)
        if key in self._profiles:
            self._profiles.move_to_end(key)
            return self._profiles[key]
        revision = self._revision
        profile = await self._store.characters.get(character_id, guild_id)
        if revision == self._store.facts_revision:  # not rebuilt meanwhile: safe to keep
            self._profiles[key] = profile
            if len(self._profiles) > PROFILE_CACHE:
                self._profiles.popitem(last=False)
        return profile

    @property
    def revision(self) -> int:
        """The facts revision the in-memory data was built from (for caches layered on top)."""
        return self._revision

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
            self._profiles.clear()
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
