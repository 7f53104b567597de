"""A reader's settings for several series at once: what a reply needs to know how far it may go,
read in one trip to the database (a lookup asks on every keystroke)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from db.backends.database import Database
from db.repos.viewers.changes import ViewerChanges
from db.repos.viewers.progress import StoredProgress
from db.repos.viewers.reach import SERVER_WIDE, StoredReach


@dataclass(frozen=True, slots=True)
class StoredSight:
    """Per series: the channel's override, the server's setting and the reader's own progress, where set."""

    channel: dict[int, StoredReach]
    server: dict[int, StoredReach]
    progress: dict[int, StoredProgress]


class ViewerSightRepository:
    def __init__(self, database: Database, changes: ViewerChanges) -> None:
        self._db = database
        self.changes = changes

    async def read(
        self, guild_id: int | None, channel_id: int | None, user_id: int | None, series_ids: Sequence[int]
    ) -> StoredSight:
        """The settings that decide a reply's position in each of `series_ids` (a DM: no server or channel;
        a public reply: no user), and nothing of another server."""
        if not series_ids:
            return StoredSight({}, {}, {})
        marks = ", ".join("?" for _ in series_ids)
        queries: list[tuple[str, tuple[object, ...]]] = []
        if guild_id is not None:
            queries.append((
                f"""SELECT series_id, channel_id, kind, delay_seconds, season, episode FROM spoiler_reach
                    WHERE guild_id = ? AND channel_id IN (?, ?) AND series_id IN ({marks})""",
                (guild_id, SERVER_WIDE, SERVER_WIDE if channel_id is None else channel_id, *series_ids),
            ))
        if user_id is not None:
            queries.append((
                f"SELECT series_id, season, episode FROM viewer_progress WHERE user_id = ? AND series_id IN ({marks})",
                (user_id, *series_ids),
            ))
        if not queries:
            return StoredSight({}, {}, {})
        results = await self._db.fetch_batch(queries)
        reach = results.pop(0) if guild_id is not None else []
        progress = results.pop(0) if user_id is not None else []
        channel: dict[int, StoredReach] = {}
        server: dict[int, StoredReach] = {}
        for r in reach:
            if r[1] == SERVER_WIDE:
                server[r[0]] = StoredReach(r[0], None, r[2], r[3], r[4], r[5])
            else:
                channel[r[0]] = StoredReach(r[0], r[1], r[2], r[3], r[4], r[5])
        return StoredSight(channel, server, {r[0]: StoredProgress(r[0], r[1], r[2]) for r in progress})
