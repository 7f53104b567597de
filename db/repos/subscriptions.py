"""Reminder subscriptions: a channel of a guild, an optional role to ping, offsets before each release."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from db.backends.database import Database
from db.backends.protocol import Row
from db.facts.instants import from_text, to_text
from db.repos.fandoms import FandomRepository


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int
    channel_id: int
    role_id: int | None
    offsets: tuple[int, ...]  # seconds before the release, largest first
    active: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    created_by: int
    episodes: bool = False  # every episode, not only series and season premieres


def _subscription(row: Row) -> Subscription:
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        role_id=row["role_id"],
        offsets=tuple(json.loads(row["offsets"])),
        active=row["state"] == "active",
        disabled_reason=row["disabled_reason"],
        disabled_at=from_text(row["disabled_at"]) if row["disabled_at"] else None,
        created_by=row["created_by"],
        episodes=bool(row["episodes"]),
    )


class SubscriptionRepository:
    def __init__(self, database: Database, fandoms: FandomRepository) -> None:
        self._db = database
        self._fandoms = fandoms

    async def upsert(
        self, guild_id: int, channel_id: int, role_id: int | None, offsets: tuple[int, ...], user_id: int, now: datetime,
        episodes: bool | None = None,
    ) -> tuple[Subscription, bool]:
        """Subscribe a channel, or replace its role and offsets (and re-enable it); True if it is new.

        `episodes` None keeps a re-subscribed channel's choice (a new one starts with premieres only)."""
        async with self._db.transaction() as conn:
            existed = await conn.fetch_one(
                "SELECT id FROM subscriptions WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
            ) is not None
            await conn.execute(
                """INSERT INTO subscriptions (guild_id, channel_id, role_id, offsets, created_by, created_at, updated_at,
                                            episodes)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id, channel_id) DO UPDATE SET
                       role_id = excluded.role_id, offsets = excluded.offsets, state = 'active',
                       disabled_reason = NULL, disabled_at = NULL, updated_at = excluded.updated_at,
                       episodes = CASE WHEN ? THEN subscriptions.episodes ELSE excluded.episodes END""",
                (guild_id, channel_id, role_id, json.dumps(list(offsets)), user_id, to_text(now), to_text(now),
                 int(bool(episodes)), episodes is None),
            )
            row = await conn.fetch_one(
                "SELECT * FROM subscriptions WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
            )
        assert row is not None
        return _subscription(row), not existed

    async def remove(self, guild_id: int, channel_id: int) -> Subscription | None:
        async with self._db.transaction() as conn:
            row = await conn.fetch_one(
                "DELETE FROM subscriptions WHERE guild_id = ? AND channel_id = ? RETURNING *", (guild_id, channel_id)
            )
        return _subscription(row) if row else None

    async def disable(self, subscription_id: int, reason: str, now: datetime) -> bool:
        """Stop reminders to a channel the bot lost; True if it was active until now."""
        async with self._db.transaction() as conn:
            changed = await conn.execute(
                "UPDATE subscriptions SET state = 'disabled', disabled_reason = ?, disabled_at = ?, updated_at = ? "
                "WHERE id = ? AND state = 'active'",
                (reason, to_text(now), to_text(now), subscription_id),
            )
            return changed == 1

    async def get(self, subscription_id: int) -> Subscription | None:
        row = await self._db.fetch_one("SELECT * FROM subscriptions WHERE id = ?", (subscription_id,))
        return _subscription(row) if row else None

    async def of_guild(self, guild_id: int) -> list[Subscription]:
        rows = await self._db.fetch_all("SELECT * FROM subscriptions WHERE guild_id = ? ORDER BY id", (guild_id,))
        return [_subscription(r) for r in rows]

    async def guilds_with_reminders(self) -> list[int | None]:
        """Guilds (None for DMs) that have subscriptions or personal reminders to plan."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM subscriptions UNION SELECT guild_id FROM personal_reminders"
        )
        return [r[0] for r in rows]

    async def guilds_with_reminders_following(self, pack_key: str) -> list[int | None]:
        """Guilds (None for DMs) with reminders to plan that follow `pack_key` (see db/repos/fandoms.py)."""
        rows = await self._db.fetch_all(
            f"""SELECT guild_id FROM (SELECT guild_id FROM subscriptions UNION SELECT guild_id FROM personal_reminders) g
                 WHERE {_FOLLOWS} ORDER BY guild_id""",
            {"pack": pack_key, "by_default": await self._fandoms.default_includes(pack_key)},
        )
        return [r[0] for r in rows]

    async def active_following(self, pack_key: str) -> list[Subscription]:
        """Active subscriptions of the guilds that follow `pack_key` (see `guilds_with_reminders_following`)."""
        rows = await self._db.fetch_all(
            f"SELECT * FROM subscriptions g WHERE state = 'active' AND {_FOLLOWS} ORDER BY guild_id, id",
            {"pack": pack_key, "by_default": await self._fandoms.default_includes(pack_key)},
        )
        return [_subscription(r) for r in rows]


# "The guild `g.guild_id` follows the pack `:pack`" (db/repos/fandoms.py in SQL): it followed the pack, or it
# never left the defaults, `:by_default` (the defaults include the pack) and it did not unfollow it.
_FOLLOWS = """(EXISTS (SELECT 1 FROM guild_fandoms f WHERE f.guild_id = g.guild_id AND f.pack_key = :pack AND f.follows = 1)
               OR (:by_default AND NOT EXISTS (SELECT 1 FROM guild_settings s
                                                WHERE s.guild_id = g.guild_id AND s.fandoms_chosen = 1)
                               AND NOT EXISTS (SELECT 1 FROM guild_fandoms f
                                                WHERE f.guild_id = g.guild_id AND f.pack_key = :pack AND f.follows = 0)))"""
