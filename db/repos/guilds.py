"""Per-guild settings (for now, the default time zone)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from db.facts.instants import to_text

if TYPE_CHECKING:
    from db.store import Store


class GuildSettingsRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def timezone(self, guild_id: int) -> str | None:
        return await self._store.fetch_value("SELECT timezone FROM guild_settings WHERE guild_id = ?", (guild_id,))

    async def set_timezone(self, guild_id: int, zone: str, now: datetime) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(
                """INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, ?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET timezone = excluded.timezone, updated_at = excluded.updated_at""",
                (guild_id, zone, to_text(now)),
            )
