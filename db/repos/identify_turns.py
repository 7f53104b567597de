"""Turns to IDENTIFY, shared by every process of the bot through the store.

Discord allows one IDENTIFY per bucket (`shard_id % max_concurrency`) every 5 seconds for the whole
bot, whichever process sends it. A turn is taken with one guarded upsert: it succeeds only if the
bucket's last IDENTIFY is at least a window old, so two processes never both get the same window.
A turn more than a window ahead of now was taken by a clock that ran ahead (and has since been put
right): it is stale and taken over, or every shard would wait that far ahead, restart after restart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from db.backends.database import Database
from db.facts.instants import from_text, to_text


class IdentifyTurns:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def take(self, bucket: int, now: datetime, window: timedelta) -> datetime | None:
        """Take the bucket's turn now; None if taken, else when the current window ends (at most two
        windows from now)."""
        async with self._db.transaction() as conn:
            taken = await conn.execute(
                """INSERT INTO identify_turns (bucket, identified_at) VALUES (:bucket, :now)
                   ON CONFLICT (bucket) DO UPDATE SET identified_at = excluded.identified_at
                    WHERE identify_turns.identified_at <= :cutoff OR identify_turns.identified_at > :stale""",
                {"bucket": bucket, "now": to_text(now), "cutoff": to_text(now - window), "stale": to_text(now + window)},
            )
            if taken:
                return None
            row = await conn.fetch_one("SELECT identified_at FROM identify_turns WHERE bucket = ?", (bucket,))
        return now if row is None else from_text(row[0]) + window
