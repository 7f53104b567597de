"""Ships: pairs of characters with names fans give them ("Jancy"), scoped per guild like every fact."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from db.backends.database import Database
from db.facts.models import EpisodeMark, Ship, ShipName, ShipSummary, mark_of
from db.repos.fandoms import FandomRepository, visible

_SHIP_SELECT = """
    SELECT s.id, s.first_id, a.name AS first_name, s.second_id, b.name AS second_name, s.source_id,
           s.since_series_id, s.since_order, a.since_series_id AS first_since_series_id, a.since_order AS first_since_order,
           b.since_series_id AS second_since_series_id, b.since_order AS second_since_order
      FROM ships s JOIN characters a ON a.id = s.first_id JOIN characters b ON b.id = s.second_id
"""


class ShipRepository:
    def __init__(self, database: Database, fandoms: FandomRepository) -> None:
        self._db = database
        self._fandoms = fandoms

    async def summaries_by_pack(self) -> dict[int, list[ShipSummary]]:
        """Every pack's ships with their names, by pack: the ship-name indexes are built per pack."""
        rows = await self._db.fetch_all(
            """SELECT s.pack_id, s.id, n.name, s.since_series_id, s.since_order, a.since_series_id, a.since_order,
                      b.since_series_id, b.since_order
                 FROM ships s JOIN ship_names n ON n.ship_id = s.id
                 JOIN characters a ON a.id = s.first_id JOIN characters b ON b.id = s.second_id
                WHERE s.pack_id IS NOT NULL ORDER BY s.pack_id, s.id, n.id"""
        )
        names: dict[tuple[int, int], list[str]] = defaultdict(list)
        marks: dict[int, tuple[EpisodeMark, ...]] = {}
        for r in rows:
            names[(r[0], r[1])].append(r[2])
            marks[r[1]] = tuple(m for m in (mark_of(r[3], r[4]), mark_of(r[5], r[6]), mark_of(r[7], r[8])) if m is not None)
        found: dict[int, list[ShipSummary]] = defaultdict(list)
        for (pack_id, ship_id), listed in names.items():
            found[pack_id].append(ShipSummary(ship_id, pack_id, tuple(listed), marks[ship_id]))
        return dict(found)

    async def get(self, ship_id: int, guild_id: int | None = None) -> Ship | None:
        """The ship, or None if it does not exist or the guild cannot see it."""
        params = await self._fandoms.params(guild_id, id=ship_id)
        row = await self._db.fetch_one(_SHIP_SELECT + f" WHERE s.id = :id AND {visible('s')}", params)
        return await self._with_names(row)

    async def between(self, first_id: int, second_id: int, guild_id: int | None = None) -> Ship | None:
        """The pair's ship, whichever way round the pack lists it; None when the pair has no names."""
        params = await self._fandoms.params(guild_id, a=first_id, b=second_id)
        row = await self._db.fetch_one(
            _SHIP_SELECT
            + f""" WHERE ((s.first_id = :a AND s.second_id = :b) OR (s.first_id = :b AND s.second_id = :a))
                     AND {visible('s')} ORDER BY s.id LIMIT 1""",
            params,
        )
        return await self._with_names(row)

    async def _with_names(self, row: Any) -> Ship | None:
        if row is None:
            return None
        names = await self._db.fetch_all(
            "SELECT name, source_id FROM ship_names WHERE ship_id = ? ORDER BY id", (row["id"],)
        )
        return Ship(
            id=row["id"],
            first_id=row["first_id"],
            first_name=row["first_name"],
            second_id=row["second_id"],
            second_name=row["second_name"],
            names=tuple(ShipName(n["name"], n["source_id"]) for n in names),
            source_id=row["source_id"],
            since=mark_of(row["since_series_id"], row["since_order"]),
            first_since=mark_of(row["first_since_series_id"], row["first_since_order"]),
            second_since=mark_of(row["second_since_series_id"], row["second_since_order"]),
        )
