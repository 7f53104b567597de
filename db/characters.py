"""Characters, their names, appearances and relationships."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiosqlite

from db.models import (
    Affiliation,
    Appearance,
    Canon,
    Character,
    CharacterName,
    CharacterSummary,
    FactStatus,
    NameEntry,
    NameKind,
    Relationship,
    RelationshipKind,
)

if TYPE_CHECKING:
    from db.store import Store

_VISIBLE = "(c.guild_id IS NULL OR c.guild_id = :guild)"

_RELATIONSHIP_SELECT = """
    SELECT r.id, r.first_id, a.name AS first_name, r.second_id, b.name AS second_name,
           r.kind, r.canon, r.status, r.note, r.source_id
      FROM relationships r
      JOIN characters a ON a.id = r.first_id
      JOIN characters b ON b.id = r.second_id
"""


def relationship_from_row(row: aiosqlite.Row) -> Relationship:
    return Relationship(
        id=row["id"],
        first_id=row["first_id"],
        first_name=row["first_name"],
        second_id=row["second_id"],
        second_name=row["second_name"],
        kind=RelationshipKind(row["kind"]),
        canon=Canon(row["canon"]),
        status=row["status"],
        note=row["note"],
        source_id=row["source_id"],
    )


class CharacterRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def name_entries(self, guild_id: int | None = None) -> list[NameEntry]:
        """Every searchable name (canonical, hero, alias, actor) of the characters a guild can see."""
        rows = await self._store.fetch_all(
            f"""
            SELECT c.id, c.name, c.name AS text, 'name' AS kind, c.status FROM characters c WHERE {_VISIBLE}
            UNION ALL
            SELECT c.id, c.name, c.actor, 'actor', c.status FROM characters c
             WHERE {_VISIBLE} AND c.actor IS NOT NULL
            UNION ALL
            SELECT c.id, c.name, n.name, n.kind, c.status
              FROM character_names n JOIN characters c ON c.id = n.character_id WHERE {_VISIBLE}
            ORDER BY 1
            """,
            {"guild": guild_id},
        )
        return [
            NameEntry(
                character_id=r[0], character_name=r[1], text=r[2], kind=r[3], rumoured=r[4] == "rumoured"
            )
            for r in rows
        ]

    async def summaries(self, guild_id: int | None = None) -> list[CharacterSummary]:
        """Characters a guild can see, the most-seen confirmed ones first (autocomplete's defaults)."""
        rows = await self._store.fetch_all(
            f"""
            SELECT c.id, c.key, c.name, c.actor, c.status FROM characters c WHERE {_VISIBLE}
             ORDER BY c.status = 'rumoured',
                      (SELECT count(*) FROM appearances a WHERE a.character_id = c.id) DESC, c.name
            """,
            {"guild": guild_id},
        )
        return [CharacterSummary(r["id"], r["key"], r["name"], r["actor"], FactStatus(r["status"])) for r in rows]

    async def get(self, character_id: int, guild_id: int | None = None) -> Character | None:
        """The full profile, or None if the character does not exist or is another guild's."""
        params = {"guild": guild_id, "id": character_id}
        row = await self._store.fetch_one(
            f"SELECT c.* FROM characters c WHERE c.id = :id AND {_VISIBLE}", params
        )
        if row is None:
            return None
        names = await self._store.fetch_all(
            "SELECT name, kind, source_id FROM character_names WHERE character_id = :id ORDER BY id", params
        )
        affiliations = await self._store.fetch_all(
            "SELECT name, source_id FROM affiliations WHERE character_id = :id ORDER BY id", params
        )
        appearances = await self._store.fetch_all(
            """
            SELECT a.series_id, s.title, a.season_number, a.status, a.note, a.source_id
              FROM appearances a JOIN series s ON s.id = a.series_id
             WHERE a.character_id = :id
             ORDER BY a.series_id, a.season_number IS NOT NULL, a.season_number
            """,
            params,
        )
        relationships = await self.relationships_of(character_id, guild_id)
        source_ids = [row["source_id"], row["name_source_id"]]
        source_ids += [n["source_id"] for n in names] + [a["source_id"] for a in affiliations]
        source_ids += [a["source_id"] for a in appearances] + [r.source_id for r in relationships]
        return Character(
            id=row["id"],
            key=row["key"],
            name=row["name"],
            actor=row["actor"],
            description=row["description"],
            status=FactStatus(row["status"]),
            source_id=row["source_id"],
            name_source_id=row["name_source_id"],
            names=tuple(CharacterName(n["name"], NameKind(n["kind"]), n["source_id"]) for n in names),
            affiliations=tuple(Affiliation(a["name"], a["source_id"]) for a in affiliations),
            appearances=tuple(
                Appearance(a[0], a[1], a[2], FactStatus(a[3]), a[4], a[5]) for a in appearances
            ),
            relationships=tuple(relationships),
            sources=await self._store.sources.by_ids(source_ids),
        )

    async def relationships_of(self, character_id: int, guild_id: int | None = None) -> list[Relationship]:
        rows = await self._store.fetch_all(
            _RELATIONSHIP_SELECT
            + """
             WHERE (r.first_id = :id OR r.second_id = :id) AND (r.guild_id IS NULL OR r.guild_id = :guild)
             ORDER BY CASE r.canon WHEN 'on_screen' THEN 0 WHEN 'comics' THEN 1 ELSE 2 END, r.id
            """,
            {"id": character_id, "guild": guild_id},
        )
        return [relationship_from_row(r) for r in rows]

    async def relationships_between(
        self, first_id: int, second_id: int, guild_id: int | None = None
    ) -> list[Relationship]:
        """What is known of a pair, whichever way round the pack lists it."""
        rows = await self._store.fetch_all(
            _RELATIONSHIP_SELECT
            + """
             WHERE ((r.first_id = :a AND r.second_id = :b) OR (r.first_id = :b AND r.second_id = :a))
               AND (r.guild_id IS NULL OR r.guild_id = :guild)
             ORDER BY CASE r.canon WHEN 'on_screen' THEN 0 WHEN 'comics' THEN 1 ELSE 2 END, r.id
            """,
            {"a": first_id, "b": second_id, "guild": guild_id},
        )
        return [relationship_from_row(r) for r in rows]
