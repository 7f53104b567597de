"""Sources: the articles and other references every fact cites."""

from __future__ import annotations

from collections.abc import Iterable

from db.backends.database import Database
from db.backends.protocol import Row
from db.facts.models import Source
from db.repos.fandoms import FandomRepository, visible

SOURCE_COLUMNS = "id, key, title, outlet, published, location, from_articles, note"


def source_from_row(row: Row) -> Source:
    return Source(
        id=row["id"],
        key=row["key"],
        title=row["title"],
        outlet=row["outlet"],
        published=row["published"],
        location=row["location"],
        from_articles=bool(row["from_articles"]),
        note=row["note"],
    )


class SourceRepository:
    def __init__(self, database: Database, fandoms: FandomRepository) -> None:
        self._db = database
        self._fandoms = fandoms

    async def by_ids(self, ids: Iterable[int | None]) -> dict[int, Source]:
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        rows = await self._db.fetch_all(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ANY(?)",
            (list(wanted),),
        )
        return {row["id"]: source_from_row(row) for row in rows}

    async def list(self, guild_id: int | None = None) -> list[Source]:
        """Sources this guild can see, articles first, in the order the pack lists them."""
        rows = await self._db.fetch_all(
            f"SELECT {SOURCE_COLUMNS} FROM sources s WHERE {visible('s')} ORDER BY from_articles DESC, id",
            await self._fandoms.params(guild_id),
        )
        return [source_from_row(r) for r in rows]
