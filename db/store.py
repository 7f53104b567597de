"""The Store: a writer connection for transactions, a reader connection for everything else.

Every write is one transaction on the writer (BEGIN IMMEDIATE … COMMIT), one at a time. A use case
that changes several things — a release and its reminder timers, say — opens `transaction()` and
calls the repositories inside it: their writes join that transaction, their reads see its writes,
and it all commits together or not at all. Reads outside a transaction go to the reader, which sees
only committed data, so nobody ever shows a half-done change.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from db.characters import CharacterRepository
from db.connection import check_worker_hook, connect
from db.fandoms import FandomRepository, visible
from db.guilds import GuildSettingsRepository
from db.migrations import apply_migrations
from db.models import StoreCounts
from db.pack_repository import PackRepository
from db.personal_reminders import PersonalReminderRepository
from db.polls import PollRepository
from db.releases import ReleaseRepository, ReleaseWriter
from db.series import SeriesRepository
from db.ships import ShipRepository
from db.sources import SourceRepository
from db.subscriptions import SubscriptionRepository
from db.timers import TimerRepository
from db.votes import VoteRepository

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _OpenTransaction:
    store: Store
    owner: asyncio.Task[Any] | None


# The transaction the running task holds, if any. Tasks copy the context they were created in, so the
# owner is checked too: a task started inside a transaction must not think it holds it.
_CURRENT: ContextVar[_OpenTransaction | None] = ContextVar("fandex_transaction", default=None)


class Store:
    """The fact store. Open it with `Store.open(path)`; cogs use its repositories, never SQL."""

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection, path: Path) -> None:
        self._writer = writer
        self._reader = reader
        self.path = path
        self._write_lock = asyncio.Lock()
        # Bumped whenever facts change in this process; in-memory indexes compare it to rebuild.
        self.facts_revision = 0

        self.meta = MetaRepository(self)
        self.fandoms = FandomRepository(self)
        self.sources = SourceRepository(self)
        self.characters = CharacterRepository(self)
        self.ships = ShipRepository(self)
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
    async def open(cls, path: Path, *, busy_timeout_ms: int | None = None) -> AsyncIterator[Store]:
        """Open (creating the folder and file if needed) and close cleanly on the way out."""
        writer = await connect(path, busy_timeout_ms=busy_timeout_ms)
        try:
            await check_worker_hook(writer)
            reader = await connect(path, busy_timeout_ms=busy_timeout_ms, read_only=True)
        except BaseException:
            await writer.close()
            raise
        store = cls(writer, reader, path)
        try:
            yield store
        finally:
            await store.close()

    async def close(self) -> None:
        async with self._write_lock:
            await self._reader.close()
            await self._writer.execute("PRAGMA optimize")
            await self._writer.close()

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""
        async with self._write_lock:
            return await apply_migrations(self._writer)

    def _joined(self) -> aiosqlite.Connection | None:
        """The writer, if the running task already holds a transaction on this store."""
        current = _CURRENT.get()
        if current is not None and current.store is self and current.owner is asyncio.current_task():
            return self._writer
        return None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time (BEGIN IMMEDIATE), committed on success, rolled back on any
        exception or cancellation. Inside one, a nested `transaction()` joins it."""
        if (joined := self._joined()) is not None:
            yield joined
            return
        async with self._write_lock:
            token = _CURRENT.set(_OpenTransaction(self, asyncio.current_task()))
            try:
                # BEGIN inside the guard: cancelled while it is on the database thread, it still runs
                # there, and the rollback queued behind it closes what it opened.
                await self._writer.execute("BEGIN IMMEDIATE")
                yield self._writer
                await self._writer.commit()
            except BaseException:
                await asyncio.shield(self._writer.rollback())  # a no-op if nothing is open
                raise
            finally:
                _CURRENT.reset(token)

    async def run_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(connection)` as one write transaction in a single trip to the database thread.

        For hot paths (votes): `transaction()` costs a thread hop per statement, this one costs one
        per transaction. It hands the work to aiosqlite's worker thread (checked at open).
        """
        if self._joined() is not None:
            raise RuntimeError("run_transaction cannot join an open transaction")
        async with self._write_lock:
            return await self._writer._execute(_in_transaction, self._writer._conn, work)  # private hook, probed at open

    def facts_changed(self) -> None:
        self.facts_revision += 1

    def _connection(self) -> aiosqlite.Connection:
        return self._joined() or self._reader

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Every row, in one trip to the database thread (a cursor costs three: execute, fetch, close)."""
        conn = self._connection()
        return await conn._execute(_all_rows, conn._conn, sql, params)  # private hook, probed at open

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[aiosqlite.Row]]:
        """Several queries' rows in one trip to the database thread, read from one snapshot."""
        conn = self._connection()
        return await conn._execute(_batch_rows, conn._conn, queries)  # private hook, probed at open

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        conn = self._connection()
        return await conn._execute(_first_row, conn._conn, sql, params)  # private hook, probed at open

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def counts(self, guild_id: int | None = None) -> StoreCounts:
        """How many characters, series, releases and sources this guild can see (its fandoms and its own)."""
        row = await self.fetch_one(
            f"""
            SELECT (SELECT count(*) FROM characters t WHERE {visible("t")}),
                   (SELECT count(*) FROM series     t WHERE {visible("t")}),
                   (SELECT count(*) FROM releases   t WHERE {visible("t")}),
                   (SELECT count(*) FROM sources    t WHERE {visible("t")})
            """,
            await self.fandoms.params(guild_id),
        )
        assert row is not None
        return StoreCounts(characters=row[0], series=row[1], releases=row[2], sources=row[3])


def _all_rows(conn: sqlite3.Connection, sql: str, params: Params) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


def _batch_rows(conn: sqlite3.Connection, queries: Sequence[tuple[str, Params]]) -> list[list[sqlite3.Row]]:
    if conn.in_transaction:  # the writer, inside a transaction: its snapshot already
        return [conn.execute(sql, params).fetchall() for sql, params in queries]
    conn.execute("BEGIN")  # one read snapshot for all of them (a reader never writes)
    try:
        return [conn.execute(sql, params).fetchall() for sql, params in queries]
    finally:
        conn.execute("COMMIT")


def _first_row(conn: sqlite3.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """On the database thread: BEGIN IMMEDIATE, the work, COMMIT — or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
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
