"""Settings kept in the store: the bot's own small key/value facts (`meta`) and each guild's (its time zone)."""

from __future__ import annotations

from datetime import datetime

from db.backends.database import Database
from db.facts.instants import to_text


class GuildSettingsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def timezone(self, guild_id: int) -> str | None:
        return await self._db.fetch_value("SELECT timezone FROM guild_settings WHERE guild_id = ?", (guild_id,))

    async def set_timezone(self, guild_id: int, zone: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                """INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET timezone = excluded.timezone, updated_at = excluded.updated_at""",
                (guild_id, zone, to_text(now)),
            )


class MetaRepository:
    """Small key/value facts about the store itself (e.g. the last synced command hash)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, key: str) -> str | None:
        return await self._db.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))

    async def set(self, key: str, value: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
