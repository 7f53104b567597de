"""/spoilers: how far public replies go in a server, and in a channel that overrides it, per series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.backends.database import Database
from db.facts.instants import to_text
from db.repos.viewers.changes import ViewerChanges

SERVER_WIDE = 0  # channel_id of a server's own setting; no Discord channel has snowflake 0


@dataclass(frozen=True, slots=True)
class StoredReach:
    """A server's (channel_id None) or a channel's reach in one series, as a moderator set it."""

    series_id: int
    channel_id: int | None
    kind: str  # aired, none, all, episode
    delay_seconds: int
    season: int | None = None
    episode: int | None = None


class SpoilerReachRepository:
    def __init__(self, database: Database, changes: ViewerChanges) -> None:
        self._db = database
        self._changes = changes

    async def set(self, guild_id: int, reach: StoredReach, set_by: int | None, now: datetime) -> None:
        """Set the server's reach (reach.channel_id None) or a channel's override, replacing any before."""
        channel = SERVER_WIDE if reach.channel_id is None else reach.channel_id
        async with self._db.transaction() as conn:
            await conn.execute(
                """INSERT INTO spoiler_reach
                       (guild_id, channel_id, series_id, kind, delay_seconds, season, episode, set_by, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id, channel_id, series_id) DO UPDATE
                   SET kind = excluded.kind, delay_seconds = excluded.delay_seconds, season = excluded.season,
                       episode = excluded.episode, set_by = excluded.set_by, updated_at = excluded.updated_at""",
                (guild_id, channel, reach.series_id, reach.kind, reach.delay_seconds, reach.season, reach.episode,
                 set_by, to_text(now)),
            )
        self._changes.bump()

    async def of_guild(self, guild_id: int) -> list[StoredReach]:
        """Every setting of one server (its own first, then its channels'), and nothing of another's."""
        rows = await self._db.fetch_all(
            """SELECT series_id, channel_id, kind, delay_seconds, season, episode FROM spoiler_reach
               WHERE guild_id = ? ORDER BY channel_id, series_id""",
            (guild_id,),
        )
        return [StoredReach(r[0], None if r[1] == SERVER_WIDE else r[1], r[2], r[3], r[4], r[5]) for r in rows]

    async def for_channel(self, guild_id: int, channel_id: int, series_id: int) -> tuple[StoredReach | None, StoredReach | None]:
        """(the channel's override, the server's setting) in one series; None where unset."""
        rows = await self._db.fetch_all(
            """SELECT series_id, channel_id, kind, delay_seconds, season, episode FROM spoiler_reach
               WHERE guild_id = ? AND series_id = ? AND channel_id IN (?, ?)""",
            (guild_id, series_id, SERVER_WIDE, channel_id),
        )
        found = {r[1]: StoredReach(r[0], None if r[1] == SERVER_WIDE else r[1], r[2], r[3], r[4], r[5]) for r in rows}
        return found.get(channel_id), found.get(SERVER_WIDE)
