"""Series: seasons with their releases, cast, and behind-the-scenes facts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from db.backends.database import Database
from db.facts.models import (
    CastAppearance,
    CastEntry,
    EpisodeMark,
    FactStatus,
    ProductionFact,
    ProductionKind,
    Release,
    ReleaseKind,
    Season,
    Series,
    SeriesSummary,
    actors_of,
    mark_of,
    seasons_of,
)
from db.repos.fandoms import FandomRepository, visible
from db.repos.releases import ReleaseRepository
from db.repos.sources import SourceRepository


class SeriesRepository:
    def __init__(self, database: Database, fandoms: FandomRepository, releases: ReleaseRepository, sources: SourceRepository) -> None:
        self._db = database
        self._fandoms = fandoms
        self._releases = releases
        self._sources = sources

    async def summaries(self, guild_id: int | None = None) -> list[SeriesSummary]:
        rows = await self._db.fetch_all(
            f"SELECT id, key, title, pack_id FROM series s WHERE {visible('s')} ORDER BY title",
            await self._fandoms.params(guild_id),
        )
        return await self._with_aliases(rows)

    async def summaries_by_pack(self) -> dict[int, list[SeriesSummary]]:
        """Every pack's series, by pack (the name indexes are built per pack)."""
        rows = await self._db.fetch_all(
            "SELECT id, key, title, pack_id FROM series WHERE pack_id IS NOT NULL ORDER BY title"
        )
        found: dict[int, list[SeriesSummary]] = defaultdict(list)
        for summary, row in zip(await self._with_aliases(rows), rows, strict=True):
            found[row["pack_id"]].append(summary)
        return dict(found)

    async def _with_aliases(self, rows: list[Any]) -> list[SeriesSummary]:
        aliases: dict[int, list[str]] = defaultdict(list)
        for a in await self._db.fetch_all("SELECT series_id, name FROM series_names ORDER BY id"):
            aliases[a["series_id"]].append(a["name"])
        return [SeriesSummary(r["id"], r["key"], r["title"], tuple(aliases[r["id"]])) for r in rows]

    async def get(self, series_id: int, guild_id: int | None = None) -> Series | None:
        """The series with seasons, cast and production facts, or None if not visible to the guild."""
        row = await self._db.fetch_one(
            f"SELECT * FROM series s WHERE id = :id AND {visible('s')}",
            await self._fandoms.params(guild_id, id=series_id),
        )
        if row is None:
            return None
        aliases = await self._db.fetch_all(
            "SELECT name FROM series_names WHERE series_id = ? ORDER BY id", (series_id,)
        )
        seasons = await self._db.fetch_all(
            "SELECT number, episodes, source_id FROM seasons WHERE series_id = ? ORDER BY number", (series_id,)
        )
        every = await self._releases.for_series(series_id, guild_id)
        releases = {r.season_number: r for r in every if not r.is_episode}
        episodes: dict[int | None, list[Release]] = defaultdict(list)
        for release in sorted((r for r in every if r.is_episode), key=_episode_order):
            episodes[release.season_number].append(release)
        production = await self._db.fetch_all(
            "SELECT kind, season_number, person, text, source_id FROM production_facts "
            "WHERE series_id = ? ORDER BY id",
            (series_id,),
        )
        cast = await self._cast(series_id, guild_id)
        source_ids: list[int | None] = [row["source_id"]] + [s["source_id"] for s in seasons]
        source_ids += [p["source_id"] for p in production]
        source_ids += list({a.source_id for release in every for a in release.history})
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
                Season(s["number"], s["episodes"], s["source_id"], releases.get(s["number"]), tuple(episodes[s["number"]]))
                for s in seasons
            ),
            cast=cast,
            production=tuple(
                ProductionFact(ProductionKind(p["kind"]), p["season_number"], p["person"], p["text"], p["source_id"])
                for p in production
            ),
            sources=await self._sources.by_ids(source_ids),
        )

    async def episode_counts(self, series_id: int) -> dict[int, int]:
        """Each season's number of episodes, as the pack says (a count alone makes them citable)."""
        rows = await self._db.fetch_all(
            "SELECT number, episodes FROM seasons WHERE series_id = ? AND episodes IS NOT NULL", (series_id,)
        )
        return {r["number"]: r["episodes"] for r in rows}

    async def _cast(self, series_id: int, guild_id: int | None) -> tuple[CastEntry, ...]:
        """Characters appearing in the series; confirmed before rumoured, then by first appearance. Each
        carries the marks a sight needs (the character's, each labelled name's, each appearance's)."""
        rows = await self._db.fetch_all(
            f"""
            SELECT c.id, c.name, c.actor, c.since_series_id, c.since_order, min(a.status) AS status,
                   min(a.id) AS first_seen
              FROM appearances a JOIN characters c ON c.id = a.character_id
             WHERE a.series_id = :id AND {visible("c")}
             GROUP BY c.id, c.name, c.actor, c.since_series_id, c.since_order
             ORDER BY min(a.status), first_seen
            """,
            await self._fandoms.params(guild_id, id=series_id),
        )
        known_as: dict[int, list[tuple[str, EpisodeMark | None]]] = defaultdict(list)
        for h in await self._db.fetch_all(
            """SELECT n.character_id, n.name, n.since_series_id, n.since_order FROM character_names n
                 JOIN pack_terms t ON t.pack_id = n.pack_id AND t.kind = 'name' AND t.term = n.kind AND t.label <> ''
                WHERE n.character_id IN (SELECT character_id FROM appearances WHERE series_id = ?)
                ORDER BY t.position, n.id""",
            (series_id,),
        ):
            known_as[h["character_id"]].append((h["name"], mark_of(h["since_series_id"], h["since_order"])))
        appearances: dict[int, list[CastAppearance]] = defaultdict(list)  # who played them in which seasons here
        for a in await self._db.fetch_all(
            """SELECT a.character_id, coalesce(a.actor, c.actor) AS actor, a.season_number, a.status,
                      a.since_series_id, a.since_order
                 FROM appearances a JOIN characters c ON c.id = a.character_id
                WHERE a.series_id = ?
                ORDER BY a.season_number IS NOT NULL, a.season_number, a.id""",
            (series_id,),
        ):
            appearances[a["character_id"]].append(
                CastAppearance(a["season_number"], a["actor"], FactStatus(a["status"]), mark_of(a["since_series_id"], a["since_order"]))
            )
        return tuple(
            CastEntry(
                character_id=r["id"],
                character_name=r["name"],
                actor=r["actor"],
                known_as=tuple(name for name, _ in known_as[r["id"]]),
                status=FactStatus(r["status"]),
                seasons=seasons_of(appearances[r["id"]]),
                actors=actors_of(appearances[r["id"]]),
                since=mark_of(r["since_series_id"], r["since_order"]),
                known_as_since=tuple(mark for _, mark in known_as[r["id"]]),
                appearances=tuple(appearances[r["id"]]),
            )
            for r in rows
        )


def _episode_order(release: Release) -> tuple[int, int, int]:
    """Numbered episodes by number, then specials in the pack's order."""
    return (release.kind is not ReleaseKind.EPISODE, release.episode or 0, release.id)
