"""A server's watch-along per series: where its threads go, whom they ping, whether members rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.backends.database import Database
from db.facts.instants import from_text, to_text

_COLUMNS = "guild_id, series_id, channel_id, role_id, rating, days, set_by, updated_at"


@dataclass(frozen=True, slots=True)
class WatchAlong:
    """One server's watch-along of one series; `days` is how long its ratings stay open (1–14)."""

    guild_id: int
    series_id: int
    channel_id: int
    role_id: int | None
    rating: bool
    days: int
    set_by: int
    updated_at: datetime


def _watchalong(row: Any) -> WatchAlong:
    return WatchAlong(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], from_text(row[7]))


class WatchAlongRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def set(self, watch: WatchAlong) -> WatchAlong | None:
        """Start or replace the server's watch-along of the series; the one it replaced, if any."""
        async with self._db.transaction() as conn:
            before = await conn.fetch_one(
                f"SELECT {_COLUMNS} FROM watchalongs WHERE guild_id = ? AND series_id = ? FOR UPDATE",
                (watch.guild_id, watch.series_id),
            )
            await conn.execute(
                f"""INSERT INTO watchalongs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (guild_id, series_id) DO UPDATE
                    SET channel_id = excluded.channel_id, role_id = excluded.role_id, rating = excluded.rating,
                        days = excluded.days, set_by = excluded.set_by, updated_at = excluded.updated_at""",
                (watch.guild_id, watch.series_id, watch.channel_id, watch.role_id, int(watch.rating), watch.days,
                 watch.set_by, to_text(watch.updated_at)),
            )
        return _watchalong(before) if before else None

    async def stop(self, guild_id: int, series_id: int) -> bool:
        """End the server's watch-along of the series, with its threads not yet posted (those posted
        keep their rows, so they still close); False if there was none."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """DELETE FROM watchalong_threads
                    WHERE guild_id = ? AND posted_at IS NULL
                      AND release_id IN (SELECT id FROM releases WHERE series_id = ?)""",
                (guild_id, series_id),
            )
            return await conn.execute(
                "DELETE FROM watchalongs WHERE guild_id = ? AND series_id = ?", (guild_id, series_id)
            ) == 1

    async def get(self, guild_id: int, series_id: int) -> WatchAlong | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM watchalongs WHERE guild_id = ? AND series_id = ?", (guild_id, series_id)
        )
        return _watchalong(row) if row else None

    async def of_guild(self, guild_id: int) -> list[WatchAlong]:
        """This server's watch-alongs (for /watchalong list), by series."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM watchalongs WHERE guild_id = ? ORDER BY series_id", (guild_id,)
        )
        return [_watchalong(r) for r in rows]

    async def of_series(self, series_id: int) -> list[WatchAlong]:
        """Every server's watch-along of one series, to plan its episodes' threads."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM watchalongs WHERE series_id = ? ORDER BY guild_id", (series_id,)
        )
        return [_watchalong(r) for r in rows]

    async def every(self) -> list[WatchAlong]:
        """All watch-alongs, to plan at start and after facts change."""
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM watchalongs ORDER BY guild_id, series_id")
        return [_watchalong(r) for r in rows]
