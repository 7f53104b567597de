"""Characters, their names, appearances and relationships, as a guild sees them."""

from __future__ import annotations

from collections import defaultdict

from db.backends.database import Database
from db.backends.protocol import Row
from db.facts.models import (
    Affiliation,
    Appearance,
    Billing,
    Character,
    CharacterEvent,
    CharacterName,
    CharacterSummary,
    EventKind,
    FactStatus,
    NameEntry,
    Relationship,
    RelationshipKind,
    mark_of,
)
from db.repos.fandoms import FandomRepository, visible
from db.repos.sources import SOURCE_COLUMNS, source_from_row

# Where a relationship is told, in the pack's own words and order (pack_terms); a server's own
# relationship has no pack and shows its key.
_RELATIONSHIP_SELECT = """
    SELECT r.id, r.first_id, a.name AS first_name, r.second_id, b.name AS second_name,
           r.kind, r.canon, coalesce(t.label, replace(r.canon, '_', ' ')) AS canon_label,
           coalesce(t.position, 1000) AS canon_rank, r.status, r.note, r.source_id, r.since_series_id, r.since_order,
           a.since_series_id AS first_since_series_id, a.since_order AS first_since_order,
           b.since_series_id AS second_since_series_id, b.since_order AS second_since_order
      FROM relationships r
      JOIN characters a ON a.id = r.first_id
      JOIN characters b ON b.id = r.second_id
      LEFT JOIN pack_terms t ON t.pack_id = r.pack_id AND t.kind = 'canon' AND t.term = r.canon
"""
# How an appearance is billed, as a number: a character's best billing outranks any count of appearances.
_BILLING_RANK = "CASE {a}.billing WHEN 'main' THEN 3 WHEN 'recurring' THEN 2 WHEN 'guest' THEN 1 ELSE 0 END"
BILLING_WEIGHT = 10_000  # more appearances than any character has


def relationship_from_row(row: Row) -> Relationship:
    return Relationship(
        id=row["id"],
        first_id=row["first_id"],
        first_name=row["first_name"],
        second_id=row["second_id"],
        second_name=row["second_name"],
        kind=RelationshipKind(row["kind"]),
        canon=row["canon"],
        canon_label=row["canon_label"],
        canon_rank=row["canon_rank"],
        status=row["status"],
        note=row["note"],
        source_id=row["source_id"],
        since=mark_of(row["since_series_id"], row["since_order"]),
        first_since=mark_of(row["first_since_series_id"], row["first_since_order"]),
        second_since=mark_of(row["second_since_series_id"], row["second_since_order"]),
    )


class CharacterRepository:
    def __init__(self, database: Database, fandoms: FandomRepository) -> None:
        self._db = database
        self._fandoms = fandoms

    async def name_entries_by_pack(self, pack_id: int | None = None) -> dict[int, list[NameEntry]]:
        """Every searchable name (canonical, other names, actors — recast ones too) of every pack's characters, by pack:
        the name indexes are built per pack, and a guild searches the packs it follows. `pack_id`: that pack's
        alone (the indexes are built one pack at a time, so the rows of 20,000 characters are never all held).
        In a set order (a character's own name, its actors, then its other names as the pack lists them), on
        either backend: the order decides between names that match equally well."""
        packs = "c.pack_id IS NOT NULL" if pack_id is None else "c.pack_id = :pack"
        rows = await self._db.fetch_all(
            f"""
            SELECT c.pack_id, c.id, c.name, c.name AS text, 'name' AS kind, c.status,
                   c.since_series_id, c.since_order, c.since_series_id AS own_series_id, c.since_order AS own_order,
                   0 AS part, 0 AS row
              FROM characters c WHERE {packs}
            UNION ALL
            SELECT c.pack_id, c.id, c.name, c.actor, 'actor', c.status,
                   c.since_series_id, c.since_order, c.since_series_id, c.since_order, 1, 0
              FROM characters c
             WHERE {packs} AND c.actor IS NOT NULL
            UNION ALL
            SELECT c.pack_id, c.id, c.name, a.actor, 'actor', c.status,
                   a.since_series_id, a.since_order, c.since_series_id, c.since_order, 2, min(a.id)
              FROM appearances a JOIN characters c ON c.id = a.character_id
             WHERE {packs} AND a.actor IS NOT NULL
             GROUP BY c.id, a.actor, a.since_series_id, a.since_order
            UNION ALL
            SELECT c.pack_id, c.id, c.name, n.name, n.kind, c.status,
                   n.since_series_id, n.since_order, c.since_series_id, c.since_order, 3, n.id
              FROM character_names n JOIN characters c ON c.id = n.character_id WHERE {packs}
            ORDER BY 1, 2, 11, 12
            """,
            {} if pack_id is None else {"pack": pack_id},
        )
        found: dict[int, list[NameEntry]] = defaultdict(list)
        same: dict[str, str] = {}  # a character's name and a kind repeat on many rows: one object each, not one per row
        for r in rows:
            name, kind = same.setdefault(r[2], r[2]), same.setdefault(r[4], r[4])
            found[r[0]].append(NameEntry(r[1], name, r[3], kind, r[5] == "rumoured", mark_of(r[6], r[7]), mark_of(r[8], r[9])))
        return dict(found)

    async def marked_series_by_pack(self) -> dict[int, frozenset[int]]:
        """Per pack, the series whose episodes reveal any of its facts (`since:`): the only series a
        reply about its characters needs a reader's position in (none: the pack hides nothing)."""
        rows = await self._db.fetch_all(
            """
            SELECT c.pack_id, c.since_series_id FROM characters c WHERE c.since_series_id IS NOT NULL
            UNION SELECT c.pack_id, n.since_series_id FROM character_names n JOIN characters c ON c.id = n.character_id
                   WHERE n.since_series_id IS NOT NULL
            UNION SELECT c.pack_id, a.since_series_id FROM appearances a JOIN characters c ON c.id = a.character_id
                   WHERE a.since_series_id IS NOT NULL
            UNION SELECT c.pack_id, e.since_series_id FROM character_events e JOIN characters c ON c.id = e.character_id
                   WHERE e.since_series_id IS NOT NULL
            UNION SELECT r.pack_id, r.since_series_id FROM relationships r WHERE r.since_series_id IS NOT NULL
            UNION SELECT s.pack_id, s.since_series_id FROM ships s WHERE s.since_series_id IS NOT NULL
            """
        )
        found: dict[int, set[int]] = defaultdict(set)
        for r in rows:
            if r[0] is not None:
                found[r[0]].add(r[1])
        return {pack: frozenset(series) for pack, series in found.items()}

    async def relationship_statuses_by_pack(self) -> dict[int, list[tuple[int, int, str]]]:
        """Per pack, (first id, second id, status) of its relationships that have a status: the name
        indexes read the ones that declare a variant ("imposter of") from them (bot/search/variants.py)."""
        rows = await self._db.fetch_all(
            "SELECT r.pack_id, r.first_id, r.second_id, r.status FROM relationships r"
            " WHERE r.pack_id IS NOT NULL AND r.status IS NOT NULL ORDER BY r.id"
        )
        found: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for r in rows:
            found[r[0]].append((r[1], r[2], r[3]))
        return dict(found)

    async def prominence_by_pack(self, pack_id: int | None = None) -> dict[int, list[tuple[int, int, str | None]]]:
        """Per pack (or `pack_id`'s alone), (character id, weight, main series title), most prominent first:
        autocomplete's defaults, the tie-breaker between near-equal matches, and the show that tells namesakes
        apart. The weight is the pack's own `prominence:` when it gives one, else the best billing (main >
        recurring > guest > none) × BILLING_WEIGHT + appearances."""
        packs = "c.pack_id IS NOT NULL" if pack_id is None else "c.pack_id = :pack"
        rows = await self._db.fetch_all(
            f"""
            SELECT c.pack_id, c.id,
                   coalesce(max(c.prominence),
                            max({_BILLING_RANK.format(a="a")}) * {BILLING_WEIGHT:d} + least(count(a.id), {BILLING_WEIGHT - 1:d})) AS weight,
                   (SELECT s.title FROM appearances f JOIN series s ON s.id = f.series_id
                     WHERE f.character_id = c.id ORDER BY {_BILLING_RANK.format(a="f")} DESC, f.id LIMIT 1) AS main_series
              FROM characters c LEFT JOIN appearances a ON a.character_id = c.id
             WHERE {packs}
             GROUP BY c.id
             ORDER BY c.pack_id, c.status = 'rumoured', weight DESC, c.name
            """,
            {} if pack_id is None else {"pack": pack_id},
        )
        found: dict[int, list[tuple[int, int, str | None]]] = defaultdict(list)
        titles: dict[str | None, str | None] = {}  # a series title repeats on every row of its characters: one object
        for r in rows:
            found[r[0]].append((r[1], r[2], titles.setdefault(r[3], r[3])))
        return dict(found)

    async def summaries(self, guild_id: int | None = None) -> list[CharacterSummary]:
        """Characters a guild can see, the most-seen confirmed ones first."""
        rows = await self._db.fetch_all(
            f"""
            SELECT c.id, c.key, c.name, c.actor, c.status, c.since_series_id, c.since_order
              FROM characters c WHERE {visible("c")}
             ORDER BY c.status = 'rumoured',
                      (SELECT count(*) FROM appearances a WHERE a.character_id = c.id) DESC, c.name
            """,
            await self._fandoms.params(guild_id),
        )
        return [
            CharacterSummary(
                r["id"], r["key"], r["name"], r["actor"], FactStatus(r["status"]), mark_of(r["since_series_id"], r["since_order"])
            )
            for r in rows
        ]

    async def get(self, character_id: int, guild_id: int | None = None) -> Character | None:
        """The full profile, or None if the character does not exist or the guild cannot see it."""
        params = await self._fandoms.params(guild_id, id=character_id)
        rows, names, affiliations, appearances, related, events, cited = await self._db.fetch_batch([
            (f"""SELECT c.*, p.title AS fandom FROM characters c LEFT JOIN packs p ON p.id = c.pack_id
                  WHERE c.id = :id AND {visible("c")}""", params),
            ("""SELECT n.name, n.kind, n.source_id, coalesce(t.label, '') AS label, n.since_series_id, n.since_order
                  FROM character_names n
                  LEFT JOIN pack_terms t ON t.pack_id = n.pack_id AND t.kind = 'name' AND t.term = n.kind
                 WHERE n.character_id = :id ORDER BY coalesce(t.position, 1000), n.id""", params),
            ("SELECT name, source_id FROM affiliations WHERE character_id = :id ORDER BY id", params),
            ("""SELECT a.series_id, s.title, a.season_number, a.status, a.note, a.source_id, a.billing, a.actor,
                       a.actor_source_id, a.since_series_id, a.since_order
                  FROM appearances a JOIN series s ON s.id = a.series_id
                 WHERE a.character_id = :id
                 ORDER BY a.series_id, a.season_number IS NOT NULL, a.season_number""", params),
            (_RELATIONSHIP_SELECT + f" WHERE (r.first_id = :id OR r.second_id = :id) AND {visible('r')} ORDER BY canon_rank, r.id",
             params),
            # Oldest first: those known from the start, then by series and episode, then in the pack's order.
            ("""SELECT kind, text, source_id, since_series_id, since_order FROM character_events
                 WHERE character_id = :id
                 ORDER BY since_order IS NOT NULL, since_series_id, since_order, position""", params),
            (f"""SELECT {SOURCE_COLUMNS} FROM sources WHERE id IN (
                    SELECT source_id FROM characters WHERE id = :id
                    UNION SELECT name_source_id FROM characters WHERE id = :id
                    UNION SELECT source_id FROM character_names WHERE character_id = :id
                    UNION SELECT source_id FROM affiliations WHERE character_id = :id
                    UNION SELECT source_id FROM appearances WHERE character_id = :id
                    UNION SELECT actor_source_id FROM appearances WHERE character_id = :id
                    UNION SELECT source_id FROM character_events WHERE character_id = :id
                    UNION SELECT r.source_id FROM relationships r
                           WHERE (r.first_id = :id OR r.second_id = :id) AND {visible('r')})""", params),
        ])  # one trip to the database thread: a profile is asked for on every lookup
        if not rows:
            return None
        row = rows[0]
        relationships = [relationship_from_row(r) for r in related]
        return Character(
            id=row["id"],
            key=row["key"],
            name=row["name"],
            actor=row["actor"],
            description=row["description"],
            status=FactStatus(row["status"]),
            source_id=row["source_id"],
            name_source_id=row["name_source_id"],
            names=tuple(
                CharacterName(n["name"], n["kind"], n["source_id"], n["label"], mark_of(n["since_series_id"], n["since_order"]))
                for n in names
            ),
            affiliations=tuple(Affiliation(a["name"], a["source_id"]) for a in affiliations),
            appearances=tuple(
                Appearance(
                    a[0], a[1], a[2], FactStatus(a[3]), a[4], a[5], Billing(a[6]) if a[6] else None, a[7], a[8], mark_of(a[9], a[10])
                )
                for a in appearances
            ),
            relationships=tuple(relationships),
            sources={r["id"]: source_from_row(r) for r in cited},
            fandom=row["fandom"],
            image_url=row["image_url"],
            since=mark_of(row["since_series_id"], row["since_order"]),
            events=tuple(
                CharacterEvent(EventKind(e["kind"]), e["text"], e["source_id"], mark_of(e["since_series_id"], e["since_order"]))
                for e in events
            ),
        )

    async def relationships_of(self, character_id: int, guild_id: int | None = None) -> list[Relationship]:
        params = await self._fandoms.params(guild_id, id=character_id)
        return await self._relationships("(r.first_id = :id OR r.second_id = :id)", params)

    async def relationships_between(
        self, first_id: int, second_id: int, guild_id: int | None = None
    ) -> list[Relationship]:
        """What is known of a pair, whichever way round the pack lists it."""
        params = await self._fandoms.params(guild_id, a=first_id, b=second_id)
        return await self._relationships(
            "((r.first_id = :a AND r.second_id = :b) OR (r.first_id = :b AND r.second_id = :a))", params
        )

    async def _relationships(self, where: str, params: dict[str, object]) -> list[Relationship]:
        rows = await self._db.fetch_all(
            _RELATIONSHIP_SELECT + f" WHERE {where} AND {visible('r')} ORDER BY canon_rank, r.id", params
        )
        return [relationship_from_row(r) for r in rows]
