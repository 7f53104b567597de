"""Releases and the history of their announced dates, as a guild sees them."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING

from db.dates import from_stored
from db.models import Announcement, Release

if TYPE_CHECKING:
    import aiosqlite

    from db.store import Store

# A guild's own announcements come after the pack's: a moderator's date supersedes the articles'.
_DATES = """
    SELECT id, release_id, seq, precision, value, starts_at, window_start, window_end, timezone,
           note, announced_on, source_id, guild_id
      FROM release_dates
     WHERE release_id IN (SELECT value FROM json_each(:ids)) AND (guild_id IS NULL OR guild_id = :guild)
     ORDER BY release_id, guild_id IS NOT NULL, seq
"""


def _announcement(row: aiosqlite.Row) -> Announcement:
    return Announcement(
        id=row["id"],
        seq=row["seq"],
        date=from_stored(
            row["precision"], row["value"], row["timezone"], row["starts_at"], row["window_start"], row["window_end"]
        ),
        note=row["note"],
        announced_on=row["announced_on"],
        source_id=row["source_id"],
        guild_id=row["guild_id"],
    )


class ReleaseRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def visible(self, guild_id: int | None = None) -> list[Release]:
        """Every release a guild can see, with its date history."""
        rows = await self._store.fetch_all(
            "SELECT * FROM releases WHERE guild_id IS NULL OR guild_id = ? ORDER BY id", (guild_id,)
        )
        return await self._with_history(rows, guild_id)

    async def for_series(self, series_id: int, guild_id: int | None = None) -> list[Release]:
        rows = await self._store.fetch_all(
            "SELECT * FROM releases WHERE series_id = ? AND (guild_id IS NULL OR guild_id = ?) "
            "ORDER BY season_number, id",
            (series_id, guild_id),
        )
        return await self._with_history(rows, guild_id)

    async def _with_history(self, rows: list[aiosqlite.Row], guild_id: int | None) -> list[Release]:
        if not rows:
            return []
        dates = await self._store.fetch_all(_DATES, {"ids": json.dumps([r["id"] for r in rows]), "guild": guild_id})
        history: dict[int, list[Announcement]] = defaultdict(list)
        for d in dates:
            history[d["release_id"]].append(_announcement(d))
        return [
            Release(
                id=r["id"],
                key=r["key"],
                title=r["title"],
                series_id=r["series_id"],
                season_number=r["season_number"],
                platform=r["platform"],
                guild_id=r["guild_id"],
                history=tuple(history[r["id"]]),
            )
            for r in rows
        ]
