"""/remindme: a member asked for a direct message when a release starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.backends.database import Database
from db.facts.instants import to_text


@dataclass(frozen=True, slots=True)
class PersonalReminder:
    id: int
    guild_id: int | None
    user_id: int
    release_id: int


class PersonalReminderRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, guild_id: int | None, user_id: int, release_id: int, now: datetime) -> tuple[PersonalReminder, bool]:
        """Record the request; False with the existing one if it was already set."""
        async with self._db.transaction() as conn:
            row = await conn.fetch_one(
                "SELECT id FROM personal_reminders WHERE guild_id IS NOT DISTINCT FROM ? AND user_id = ? AND release_id = ?",
                (guild_id, user_id, release_id),
            )
            if row is not None:
                return PersonalReminder(row["id"], guild_id, user_id, release_id), False
            added = await conn.fetch_one(
                "INSERT INTO personal_reminders (guild_id, user_id, release_id, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                (guild_id, user_id, release_id, to_text(now)),
            )
            assert added is not None
            return PersonalReminder(added["id"], guild_id, user_id, release_id), True

    async def of_guild(self, guild_id: int | None) -> list[PersonalReminder]:
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, user_id, release_id FROM personal_reminders WHERE guild_id IS NOT DISTINCT FROM ? ORDER BY id",
            (guild_id,),
        )
        return [PersonalReminder(r[0], r[1], r[2], r[3]) for r in rows]

    async def get(self, reminder_id: int) -> PersonalReminder | None:
        row = await self._db.fetch_one(
            "SELECT id, guild_id, user_id, release_id FROM personal_reminders WHERE id = ?", (reminder_id,)
        )
        return PersonalReminder(row[0], row[1], row[2], row[3]) if row else None
