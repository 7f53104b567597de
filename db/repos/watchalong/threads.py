"""The thread a watch-along posts for each episode in each server: planned at its air instant, posted
once (the row's key is the once), closed once its ratings close."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.backends.database import Database
from db.facts.instants import from_text, text_or_none, to_text

_COLUMNS = "guild_id, release_id, channel_id, thread_id, message_id, air_at, posted_at, closes_at, closed_at"


@dataclass(frozen=True, slots=True)
class WatchThread:
    """One episode's thread in one server. `posted_at` is set when a process claims the posting,
    `thread_id`/`message_id` once Discord has them, `closed_at` when its ratings closed."""

    guild_id: int
    release_id: int
    channel_id: int
    thread_id: int | None
    message_id: int | None
    air_at: datetime
    posted_at: datetime | None
    closes_at: datetime
    closed_at: datetime | None


def _thread(row: Any) -> WatchThread:
    return WatchThread(
        row[0], row[1], row[2], row[3], row[4], from_text(row[5]),
        from_text(row[6]) if row[6] else None, from_text(row[7]), from_text(row[8]) if row[8] else None,
    )


class WatchThreadRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def plan(self, guild_id: int, release_id: int, channel_id: int, air_at: datetime, closes_at: datetime) -> bool:
        """Plan (or move, for an episode moved or a setting changed) the thread of an episode not yet
        posted; a thread already posted is left as it is. True if a row was added or changed."""
        async with self._db.transaction() as conn:
            return await conn.execute(
                f"""INSERT INTO watchalong_threads ({_COLUMNS}) VALUES (?, ?, ?, NULL, NULL, ?, NULL, ?, NULL)
                    ON CONFLICT (guild_id, release_id) DO UPDATE
                    SET channel_id = excluded.channel_id, air_at = excluded.air_at, closes_at = excluded.closes_at
                    WHERE watchalong_threads.posted_at IS NULL
                      AND (watchalong_threads.channel_id <> excluded.channel_id
                           OR watchalong_threads.air_at <> excluded.air_at
                           OR watchalong_threads.closes_at <> excluded.closes_at)""",
                (guild_id, release_id, channel_id, to_text(air_at), to_text(closes_at)),
            ) == 1

    async def cancel(self, guild_id: int, release_ids: Sequence[int]) -> int:
        """Drop the planned threads of episodes removed or no longer exactly dated (never a posted one)."""
        if not release_ids:
            return 0
        async with self._db.transaction() as conn:
            return await conn.execute(
                "DELETE FROM watchalong_threads WHERE guild_id = ? AND release_id = ANY(?) AND posted_at IS NULL",
                (guild_id, sorted(set(release_ids))),
            )

    async def get(self, guild_id: int, release_id: int) -> WatchThread | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM watchalong_threads WHERE guild_id = ? AND release_id = ?", (guild_id, release_id)
        )
        return _thread(row) if row else None

    async def of_guild(self, guild_id: int) -> list[WatchThread]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM watchalong_threads WHERE guild_id = ? ORDER BY air_at, release_id", (guild_id,)
        )
        return [_thread(r) for r in rows]

    async def by_thread(self, thread_id: int) -> WatchThread | None:
        """The row of a posted thread (or forum post), by its Discord id: what a button press names."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM watchalong_threads WHERE thread_id = ?", (thread_id,))
        return _thread(row) if row else None

    async def due_to_post(self, now: datetime, limit: int = 100) -> list[WatchThread]:
        """Threads whose episode has aired and that nobody posted, still open (`closes_at` after now):
        on time, or late after downtime within the watch-along's days; earliest first."""
        rows = await self._db.fetch_all(
            f"""SELECT {_COLUMNS} FROM watchalong_threads
                 WHERE posted_at IS NULL AND air_at <= ? AND closes_at > ?
                 ORDER BY air_at, guild_id, release_id LIMIT ?""",
            (to_text(now), to_text(now), limit),
        )
        return [_thread(r) for r in rows]

    async def next_air_at(self) -> datetime | None:
        """The earliest air instant of a thread not yet posted, to sleep until."""
        value = await self._db.fetch_value("SELECT min(air_at) FROM watchalong_threads WHERE posted_at IS NULL")
        return from_text(value) if value else None

    async def claim(self, guild_id: int, release_id: int, now: datetime) -> WatchThread | None:
        """Take the posting of one thread for this caller: exactly one caller, across processes, gets
        the row back; every other gets None (posted or being posted already, or closed)."""
        async with self._db.transaction() as conn:
            row = await conn.fetch_one(
                f"""UPDATE watchalong_threads SET posted_at = ?
                     WHERE guild_id = ? AND release_id = ? AND posted_at IS NULL AND closed_at IS NULL
                 RETURNING {_COLUMNS}""",
                (to_text(now), guild_id, release_id),
            )
        return _thread(row) if row else None

    async def unclaim(self, guild_id: int, release_id: int) -> bool:
        """Give a claimed posting back when nothing reached Discord (a refusal to retry later)."""
        async with self._db.transaction() as conn:
            return await conn.execute(
                """UPDATE watchalong_threads SET posted_at = NULL
                    WHERE guild_id = ? AND release_id = ? AND thread_id IS NULL AND message_id IS NULL""",
                (guild_id, release_id),
            ) == 1

    async def record_posted(self, guild_id: int, release_id: int, thread_id: int | None, message_id: int) -> None:
        """Keep the ids Discord gave the thread (or forum post) and its starter message; `thread_id` None:
        the starter went out but Discord refused the thread (its buttons still work, and it still closes)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE watchalong_threads SET thread_id = ?, message_id = ? WHERE guild_id = ? AND release_id = ?",
                (thread_id, message_id, guild_id, release_id),
            )

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[WatchThread]:
        """Posted threads whose ratings should have closed by now and have not; earliest first."""
        rows = await self._db.fetch_all(
            f"""SELECT {_COLUMNS} FROM watchalong_threads
                 WHERE closed_at IS NULL AND closes_at <= ? AND posted_at IS NOT NULL
                 ORDER BY closes_at, guild_id, release_id LIMIT ?""",
            (to_text(now), limit),
        )
        return [_thread(r) for r in rows]

    async def mark_closed(self, guild_id: int, release_id: int, now: datetime) -> bool:
        """Record that the thread's ratings closed; True for the one caller that closed it."""
        async with self._db.transaction() as conn:
            return await conn.execute(
                "UPDATE watchalong_threads SET closed_at = ? WHERE guild_id = ? AND release_id = ? AND closed_at IS NULL",
                (text_or_none(now), guild_id, release_id),
            ) == 1
