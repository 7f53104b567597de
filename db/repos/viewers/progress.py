"""/progress: how far each member has watched each series, the same in every server and in DMs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.backends.database import Database
from db.facts.instants import to_text
from db.repos.viewers.changes import ViewerChanges


@dataclass(frozen=True, slots=True)
class StoredProgress:
    """A member's position in one series: an episode, or not started (both None)."""

    series_id: int
    season: int | None
    episode: int | None


class ViewerProgressRepository:
    def __init__(self, database: Database, changes: ViewerChanges) -> None:
        self._db = database
        self._changes = changes

    async def set(self, user_id: int, progress: StoredProgress, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                """INSERT INTO viewer_progress (user_id, series_id, season, episode, updated_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (user_id, series_id) DO UPDATE
                   SET season = excluded.season, episode = excluded.episode, updated_at = excluded.updated_at""",
                (user_id, progress.series_id, progress.season, progress.episode, to_text(now)),
            )
        self._changes.bump()

    async def advance(self, user_id: int, series_id: int, season: int, episode: int, now: datetime) -> bool:
        """Move the member's progress to this episode only if it is later than where they are (or they
        have none): an "I've watched" press never takes anyone back. One statement, so concurrent
        presses keep the latest episode; True if the progress moved."""
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                """INSERT INTO viewer_progress (user_id, series_id, season, episode, updated_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (user_id, series_id) DO UPDATE
                   SET season = excluded.season, episode = excluded.episode, updated_at = excluded.updated_at
                   WHERE viewer_progress.season IS NULL
                      OR viewer_progress.season < excluded.season
                      OR (viewer_progress.season = excluded.season AND viewer_progress.episode < excluded.episode)""",
                (user_id, series_id, season, episode, to_text(now)),
            ) == 1
        self._changes.bump()
        return moved

    async def of_user(self, user_id: int) -> list[StoredProgress]:
        rows = await self._db.fetch_all(
            "SELECT series_id, season, episode FROM viewer_progress WHERE user_id = ? ORDER BY series_id", (user_id,)
        )
        return [StoredProgress(r[0], r[1], r[2]) for r in rows]

    async def get(self, user_id: int, series_id: int) -> StoredProgress | None:
        row = await self._db.fetch_one(
            "SELECT series_id, season, episode FROM viewer_progress WHERE user_id = ? AND series_id = ?",
            (user_id, series_id),
        )
        return StoredProgress(row[0], row[1], row[2]) if row else None

    async def clear(self, user_id: int, series_id: int | None = None) -> int:
        """Forget one series' progress, or every series' when `series_id` is None; how many went."""
        async with self._db.transaction() as conn:
            if series_id is None:
                gone = await conn.execute("DELETE FROM viewer_progress WHERE user_id = ?", (user_id,))
            else:
                gone = await conn.execute("DELETE FROM viewer_progress WHERE user_id = ? AND series_id = ?", (user_id, series_id))
        self._changes.bump()
        return gone
