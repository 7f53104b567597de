"""A server's scheduled-events setting per series: premieres only, or every episode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.backends.database import Database
from db.facts.instants import from_text, to_text

_COLUMNS = "guild_id, series_id, scope, set_by, updated_at"


@dataclass(frozen=True, slots=True)
class EventSeries:
    """One server's events for one series; `scope` is "premieres" or "episodes"."""

    guild_id: int
    series_id: int
    scope: str
    set_by: int
    updated_at: datetime


def _setting(row: Any) -> EventSeries:
    return EventSeries(row[0], row[1], row[2], row[3], from_text(row[4]))


class EventSeriesRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def set(self, setting: EventSeries) -> EventSeries | None:
        """Keep events for the series in the server (replacing its scope); the setting it replaced."""
        async with self._db.transaction() as conn:
            before = await conn.fetch_one(
                f"SELECT {_COLUMNS} FROM event_series WHERE guild_id = ? AND series_id = ? FOR UPDATE",
                (setting.guild_id, setting.series_id),
            )
            await conn.execute(
                f"""INSERT INTO event_series ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (guild_id, series_id) DO UPDATE
                    SET scope = excluded.scope, set_by = excluded.set_by, updated_at = excluded.updated_at""",
                (setting.guild_id, setting.series_id, setting.scope, setting.set_by, to_text(setting.updated_at)),
            )
        return _setting(before) if before else None

    async def stop(self, guild_id: int, series_id: int) -> bool:
        """No more events for the series in the server; False if it had none set."""
        async with self._db.transaction() as conn:
            return await conn.execute(
                "DELETE FROM event_series WHERE guild_id = ? AND series_id = ?", (guild_id, series_id)
            ) == 1

    async def of_guild(self, guild_id: int) -> list[EventSeries]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM event_series WHERE guild_id = ? ORDER BY series_id", (guild_id,)
        )
        return [_setting(r) for r in rows]

    async def guilds(self) -> list[int]:
        """Every server with events set or still made (to sync at start and after the facts changed)."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM event_series UNION SELECT guild_id FROM scheduled_events ORDER BY 1"
        )
        return [r[0] for r in rows]
