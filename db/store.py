"""The Store: one connection, explicit write transactions, and the repositories built on them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from db.characters import CharacterRepository
from db.connection import connect
from db.guilds import GuildSettingsRepository
from db.migrations import apply_migrations
from db.models import StoreCounts
from db.pack_repository import PackRepository
from db.personal_reminders import PersonalReminderRepository
from db.polls import PollRepository
from db.releases import ReleaseRepository, ReleaseWriter
from db.series import SeriesRepository
from db.sources import SourceRepository
from db.subscriptions import SubscriptionRepository
from db.timers import TimerRepository
from db.votes import VoteRepository

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


class Store:
    """The fact store. Open it with `Store.open(path)`; cogs use its repositories, never SQL."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        if not callable(getattr(conn, "_execute", None)):
            raise RuntimeError("this aiosqlite has no worker hook (Connection._execute); use aiosqlite 0.20–0.22")
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        # Bumped whenever facts change in this process; in-memory indexes compare it to rebuild.
        self.facts_revision = 0

        self.meta = MetaRepository(self)
        self.sources = SourceRepository(self)
        self.characters = CharacterRepository(self)
        self.series = SeriesRepository(self)
        self.releases = ReleaseRepository(self)
        self.release_writer = ReleaseWriter(self)
        self.packs = PackRepository(self)
        self.guild_settings = GuildSettingsRepository(self)
        self.subscriptions = SubscriptionRepository(self)
        self.personal_reminders = PersonalReminderRepository(self)
        self.timers = TimerRepository(self)
        self.polls = PollRepository(self)
        self.votes = VoteRepository(self)

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path) -> AsyncIterator[Store]:
        """Open (creating the folder and file if needed) and close cleanly on the way out."""
        conn = await connect(path)
        store = cls(conn, path)
        try:
            yield store
        finally:
            await store.close()

    async def close(self) -> None:
        async with self._write_lock:
            await self._conn.execute("PRAGMA optimize")
            await self._conn.close()

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""
        async with self._write_lock:
            return await apply_migrations(self._conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time (BEGIN IMMEDIATE); rolled back on any exception."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    async def run_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(connection)` as one write transaction in a single trip to the database thread.

        For hot paths (votes): `transaction()` costs a thread hop per statement, this one costs one
        per transaction. It hands the work to aiosqlite's worker thread (`_execute`, checked at open).
        """
        async with self._write_lock:
            return await self._conn._execute(_in_transaction, self._conn._conn, work)

    def facts_changed(self) -> None:
        self.facts_revision += 1

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def counts(self, guild_id: int | None = None) -> StoreCounts:
        """How many characters, series, releases and sources this guild can see."""
        row = await self.fetch_one(
            """
            SELECT (SELECT count(*) FROM characters WHERE guild_id IS NULL OR guild_id = :g),
                   (SELECT count(*) FROM series     WHERE guild_id IS NULL OR guild_id = :g),
                   (SELECT count(*) FROM releases   WHERE guild_id IS NULL OR guild_id = :g),
                   (SELECT count(*) FROM sources    WHERE guild_id IS NULL OR guild_id = :g)
            """,
            {"g": guild_id},
        )
        assert row is not None
        return StoreCounts(characters=row[0], series=row[1], releases=row[2], sources=row[3])



def _in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """On the database thread: BEGIN IMMEDIATE, the work, COMMIT — or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return result


class MetaRepository:
    """Small key/value facts about the store itself (e.g. the last synced command hash)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, key: str) -> str | None:
        return await self._store.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))

    async def set(self, key: str, value: str) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
