"""Releases as one guild sees them, and finding one from what a member typed."""

from __future__ import annotations

from discord import app_commands

from bot.formatting import truncate
from bot.matching import NameIndex
from cogs.countdown.timeline import release_entries
from db import Store
from db.models import Release


class ReleaseCatalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._series_names: dict[int, list[str]] = {}
        self._revision = -1

    async def visible(self, guild_id: int | None) -> list[Release]:
        return await self._store.releases.visible(guild_id)

    async def _index(self, guild_id: int | None) -> tuple[NameIndex, dict[int, Release]]:
        if self._revision != self._store.facts_revision:
            self._series_names = await self._store.releases.series_aliases()
            self._revision = self._store.facts_revision
        releases = await self.visible(guild_id)
        return NameIndex(release_entries(releases, self._series_names), strict=True), {r.id: r for r in releases}

    async def exact(self, guild_id: int | None, typed: str) -> Release | None:
        """The release whose title (or "<series> season N") is exactly what was typed, ignoring case."""
        index, by_id = await self._index(guild_id)
        match = index.exact(typed)
        return by_id[match.target] if match is not None else None

    async def resolve(self, guild_id: int | None, typed: str) -> tuple[Release | None, list[str]]:
        """The release meant, or None and up to three close titles."""
        index, by_id = await self._index(guild_id)
        match = index.best(typed)
        if match is not None:
            return by_id[match.target], []
        return None, [m.entry.label for m in index.suggest(typed)]

    async def choices(self, guild_id: int | None, typed: str, *, own_only: bool = False) -> list[app_commands.Choice[str]]:
        """Autocomplete choices; `own_only` keeps the releases this guild added or moved."""
        index, by_id = await self._index(guild_id)
        out = []
        for m in index.complete(typed[:100], limit=100 if own_only else 25):
            release = by_id[m.target]
            if own_only and not (release.guild_id is not None or (release.current and release.current.guild_id)):
                continue
            current = release.current
            when = current.date.display() if current is not None else "date unknown"
            out.append(app_commands.Choice(name=truncate(f"{release.title} — {when}", 100), value=truncate(release.title, 100)))
        return out[:25]
