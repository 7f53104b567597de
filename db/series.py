"""Series: seasons with their releases, cast, and behind-the-scenes facts."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from db.models import CastEntry, FactStatus, ProductionFact, ProductionKind, Season, Series, SeriesSummary

if TYPE_CHECKING:
    from db.store import Store


class SeriesRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def summaries(self, guild_id: int | None = None) -> list[SeriesSummary]:
        rows = await self._store.fetch_all(
            "SELECT id, key, title FROM series WHERE guild_id IS NULL OR guild_id = ? ORDER BY title", (guild_id,)
        )
        aliases: dict[int, list[str]] = defaultdict(list)
        for a in await self._store.fetch_all("SELECT series_id, name FROM series_names ORDER BY id"):
            aliases[a["series_id"]].append(a["name"])
        return [SeriesSummary(r["id"], r["key"], r["title"], tuple(aliases[r["id"]])) for r in rows]

    async def get(self, series_id: int, guild_id: int | None = None) -> Series | None:
        """The series with seasons, cast and production facts, or None if not visible to the guild."""
        row = await self._store.fetch_one(
            "SELECT * FROM series WHERE id = ? AND (guild_id IS NULL OR guild_id = ?)", (series_id, guild_id)
        )
        if row is None:
            return None
        aliases = await self._store.fetch_all(
            "SELECT name FROM series_names WHERE series_id = ? ORDER BY id", (series_id,)
        )
        seasons = await self._store.fetch_all(
            "SELECT number, episodes, source_id FROM seasons WHERE series_id = ? ORDER BY number", (series_id,)
        )
        releases = {r.season_number: r for r in await self._store.releases.for_series(series_id, guild_id)}
        production = await self._store.fetch_all(
            "SELECT kind, season_number, person, text, source_id FROM production_facts "
            "WHERE series_id = ? ORDER BY id",
            (series_id,),
        )
        cast = await self._cast(series_id, guild_id)
        source_ids: list[int | None] = [row["source_id"]] + [s["source_id"] for s in seasons]
        source_ids += [p["source_id"] for p in production]
        for release in releases.values():
            source_ids += [a.source_id for a in release.history]
        return Series(
            id=row["id"],
            key=row["key"],
            title=row["title"],
            kind=row["kind"],
            platform=row["platform"],
            description=row["description"],
            source_id=row["source_id"],
            aliases=tuple(a["name"] for a in aliases),
            seasons=tuple(
                Season(s["number"], s["episodes"], s["source_id"], releases.get(s["number"])) for s in seasons
            ),
            cast=cast,
            production=tuple(
                ProductionFact(ProductionKind(p["kind"]), p["season_number"], p["person"], p["text"], p["source_id"])
                for p in production
            ),
            sources=await self._store.sources.by_ids(source_ids),
        )

    async def _cast(self, series_id: int, guild_id: int | None) -> tuple[CastEntry, ...]:
        """Characters appearing in the series; confirmed before rumoured, then by first appearance."""
        rows = await self._store.fetch_all(
            """
            SELECT c.id, c.name, c.actor, min(a.status) AS status,
                   group_concat(a.season_number) AS seasons, min(a.id) AS first_seen
              FROM appearances a JOIN characters c ON c.id = a.character_id
             WHERE a.series_id = ? AND (c.guild_id IS NULL OR c.guild_id = ?)
             GROUP BY c.id
             ORDER BY min(a.status), first_seen
            """,
            (series_id, guild_id),
        )
        heroes: dict[int, list[str]] = defaultdict(list)
        for h in await self._store.fetch_all(
            "SELECT character_id, name FROM character_names WHERE kind = 'hero' ORDER BY id"
        ):
            heroes[h["character_id"]].append(h["name"])
        return tuple(
            CastEntry(
                character_id=r["id"],
                character_name=r["name"],
                actor=r["actor"],
                hero_names=tuple(heroes[r["id"]]),
                status=FactStatus(r["status"]),
                seasons=tuple(sorted({int(s) for s in (r["seasons"] or "").split(",") if s})),
            )
            for r in rows
        )
