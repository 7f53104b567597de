"""The Discord event made per server, series and event key: written before the event is made, its
Discord id once it is, so a crash in between is recovered rather than making the event twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.backends.database import Database
from db.facts.instants import from_text, to_text

_COLUMNS = "guild_id, series_id, event_key, event_id, starts_at, shape"


@dataclass(frozen=True, slots=True)
class MadeEvent:
    """`event_id` is None between the row and the event on Discord; `shape` is what was last sent."""

    guild_id: int
    series_id: int
    event_key: str
    event_id: int | None
    starts_at: datetime
    shape: str


def _made(row: Any) -> MadeEvent:
    return MadeEvent(row[0], row[1], row[2], row[3], from_text(row[4]), row[5])


class MadeEventRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def of_guild(self, guild_id: int) -> list[MadeEvent]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM scheduled_events WHERE guild_id = ? ORDER BY series_id, starts_at, event_key",
            (guild_id,),
        )
        return [_made(r) for r in rows]

    async def record(self, event: MadeEvent) -> None:
        """Write (or rewrite) the row: before the event is made, once it is, and after each edit."""
        async with self._db.transaction() as conn:
            await conn.execute(
                f"""INSERT INTO scheduled_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (guild_id, series_id, event_key) DO UPDATE
                    SET event_id = excluded.event_id, starts_at = excluded.starts_at, shape = excluded.shape""",
                (event.guild_id, event.series_id, event.event_key, event.event_id, to_text(event.starts_at), event.shape),
            )

    async def forget(self, guild_id: int, series_id: int, event_key: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM scheduled_events WHERE guild_id = ? AND series_id = ? AND event_key = ?",
                (guild_id, series_id, event_key),
            )
