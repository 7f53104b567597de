"""Fandoms kept in step with a TVmaze show: which show, its hand-written overlay, and sync state.

One row per synced pack (`tvmaze_shows`, migration 0010). `show_updated` is TVmaze's own change stamp
at the last import, so a sync pass fetches only the shows whose stamp moved; NULL makes a show due
(its overlay file changed). `refreshed_at` counts moderators' refreshes only, for their rate limit.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from db.backends.database import Database
from db.facts.instants import from_text, to_text

REFRESH_EVERY = timedelta(minutes=10)
_COLUMNS = """p.key AS pack_key, p.title AS title, p.location AS location, t.pack_id, t.show_id, t.overlay, t.show_updated,
              t.synced_at, t.refreshed_at, t.failed_at, t.failure"""


@dataclass(frozen=True, slots=True)
class TvmazeShow:
    pack_key: str
    title: str
    pack_id: int
    show_id: int
    overlay: str | None  # the hand-written pack (YAML) merged into every import; None: added from Discord
    show_updated: int | None  # TVmaze's `updated` at the last import; None: due for sync
    synced_at: datetime
    refreshed_at: datetime | None
    failed_at: datetime | None
    failure: str | None  # why the last attempt failed, when it did (cleared by the next success)
    location: str | None = None  # the pack's file (an overlay) or the show's TVmaze page


def _show(row: Any) -> TvmazeShow:
    return TvmazeShow(
        pack_key=row["pack_key"], title=row["title"], pack_id=row["pack_id"], show_id=row["show_id"],
        overlay=row["overlay"], show_updated=row["show_updated"], synced_at=from_text(row["synced_at"]),
        refreshed_at=from_text(row["refreshed_at"]) if row["refreshed_at"] else None,
        failed_at=from_text(row["failed_at"]) if row["failed_at"] else None, failure=row["failure"],
        location=row["location"],
    )


class TvmazeShowRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def lock(self, show_id: int) -> AbstractAsyncContextManager[None]:
        """Held while a show is imported or its fandom is made, by one task of one process at a time: an
        add of the same show elsewhere waits, then finds the fandom and joins it instead of importing
        it a second time."""
        return self._db.deployment_lock(f"tvmaze-show:{show_id}")

    async def register(self, pack_key: str, show_id: int, *, overlay: str | None, show_updated: int | None,
                       now: datetime) -> None:
        """The pack (already imported) is synced from `show_id` from now on; an existing row is replaced."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """INSERT INTO tvmaze_shows (pack_id, show_id, overlay, show_updated, synced_at)
                   SELECT id, :show, :overlay, :updated, :now FROM packs WHERE key = :key
                   ON CONFLICT (pack_id) DO UPDATE SET show_id = excluded.show_id, overlay = excluded.overlay,
                          show_updated = excluded.show_updated, synced_at = excluded.synced_at,
                          failed_at = NULL, failure = NULL""",
                {"show": show_id, "overlay": overlay, "updated": show_updated, "now": to_text(now), "key": pack_key},
            )

    async def hold(self, pack_key: str, show_id: int) -> bool:
        """Inside an import's transaction: whether `pack_key` is still kept in step with `show_id`. Its
        pack row stays locked until the import commits, so a removal either waits for the import or
        went first and is seen here: a refresh never brings back a fandom the operator removed."""
        async with self._db.transaction() as conn:  # joins the import's
            row = await conn.fetch_one(
                """SELECT p.id FROM packs p JOIN tvmaze_shows t ON t.pack_id = p.id
                    WHERE p.key = ? AND t.show_id = ? FOR UPDATE OF p""",
                (pack_key, show_id),
            )
        return row is not None

    async def set_overlay(self, pack_key: str, overlay: str) -> bool:
        """A synced pack's file changed: keep its new text and make the show due; False if not registered."""
        async with self._db.transaction() as conn:
            changed = await conn.execute(
                """UPDATE tvmaze_shows SET overlay = ?, show_updated = NULL
                    WHERE pack_id = (SELECT id FROM packs WHERE key = ?)""",
                (overlay, pack_key),
            )
        return changed == 1

    async def by_pack(self, pack_key: str) -> TvmazeShow | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM tvmaze_shows t JOIN packs p ON p.id = t.pack_id WHERE p.key = ?", (pack_key,)
        )
        return None if row is None else _show(row)

    async def by_show(self, show_id: int) -> TvmazeShow | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM tvmaze_shows t JOIN packs p ON p.id = t.pack_id WHERE t.show_id = ?", (show_id,)
        )
        return None if row is None else _show(row)

    async def all(self) -> list[TvmazeShow]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM tvmaze_shows t JOIN packs p ON p.id = t.pack_id ORDER BY t.show_id"
        )
        return [_show(row) for row in rows]

    async def mark_synced(self, pack_key: str, show_updated: int | None, now: datetime) -> None:
        """An import (or a check that found nothing new) succeeded with TVmaze's stamp `show_updated`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """UPDATE tvmaze_shows SET show_updated = ?, synced_at = ?, failed_at = NULL, failure = NULL
                    WHERE pack_id = (SELECT id FROM packs WHERE key = ?)""",
                (show_updated, to_text(now), pack_key),
            )

    async def mark_checked(self, pack_keys: list[str], now: datetime) -> None:
        """TVmaze's updates list says these shows have not changed: they are current as of `now`."""
        if not pack_keys:
            return
        async with self._db.transaction() as conn:
            await conn.execute(
                """UPDATE tvmaze_shows SET synced_at = ?, failed_at = NULL, failure = NULL
                    WHERE pack_id IN (SELECT id FROM packs WHERE key = ANY(?))""",
                (to_text(now), pack_keys),
            )

    async def mark_failed(self, pack_key: str, failure: str, now: datetime) -> None:
        """The last attempt failed; the pack keeps what it had, and the next pass tries again."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE tvmaze_shows SET failed_at = ?, failure = ? WHERE pack_id = (SELECT id FROM packs WHERE key = ?)",
                (to_text(now), failure[:500], pack_key),
            )

    async def take_refresh(self, pack_key: str, now: datetime, every: timedelta = REFRESH_EVERY) -> datetime | None:
        """Take a moderator's refresh of the fandom now: None if taken, else when the next is allowed.
        One guarded UPDATE, so two moderators (or two processes) never both get the same turn."""
        async with self._db.transaction() as conn:
            taken = await conn.execute(
                """UPDATE tvmaze_shows SET refreshed_at = :now
                    WHERE pack_id = (SELECT id FROM packs WHERE key = :key)
                      AND (refreshed_at IS NULL OR refreshed_at <= :cutoff)""",
                {"now": to_text(now), "key": pack_key, "cutoff": to_text(now - every)},
            )
            if taken:
                return None
            row = await conn.fetch_one(
                "SELECT t.refreshed_at FROM tvmaze_shows t JOIN packs p ON p.id = t.pack_id WHERE p.key = ?", (pack_key,)
            )
        if row is None:
            raise LookupError(f"`{pack_key}` is not kept in step with TVmaze")
        return from_text(row[0]) + every
