"""The SQLite backend: one file, a writer connection for transactions and a reader for the rest.

Every write is one transaction on the writer (BEGIN IMMEDIATE … COMMIT), one at a time. Reads
outside a transaction go to the reader, which in WAL mode sees only committed data without waiting
for the writer. Each read or plan is one trip to aiosqlite's database thread (see `check_worker_hook`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from db.backends.database_url import StoreUnavailable
from db.backends.protocol import Connection, Listener, Plan, Statement, drive
from db.backends.sql_text import Params, for_sqlite, sqlite_params
from db.migrations import Migration, MigrationError, bundled_migrations, pending

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000
T = TypeVar("T")
READER_CACHE_KIB = 512  # the read connection's SQLite page cache (its default is 2,000 KiB)


async def connect(path: Path, *, busy_timeout_ms: int | None = None, read_only: bool = False) -> aiosqlite.Connection:
    """Open the store file with WAL, foreign keys, a busy timeout, and explicit transactions.

    `isolation_level=None` turns off the sqlite3 module's implicit BEGINs: every write goes through
    `transaction()`, which says BEGIN IMMEDIATE itself. A `read_only` connection refuses writes
    (`query_only`) and, in WAL mode, reads the last committed state without waiting for the writer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms or BUSY_TIMEOUT_MS:d}")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
            # The reader's page cache kept the pages of the whole facts build (~2 MiB at the 2 MB default)
            # for a process's life; the OS caches the file anyway, and lookups use the built index.
            await conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB:d}")
        else:
            await conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk before we tell a member their vote or subscription is in.
            await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


class IncompatibleDriver(RuntimeError):
    """The installed aiosqlite lacks the worker hook the store relies on; the message says what to install."""


TESTED_AIOSQLITE = "aiosqlite>=0.20,<0.23"


def _on_worker(conn: sqlite3.Connection) -> int:
    conn.execute("SELECT 1").fetchone()
    return threading.get_ident()


async def check_worker_hook(conn: aiosqlite.Connection) -> None:
    """Probe aiosqlite's private worker hook (`Connection._execute`, `._conn`) once, at open.

    Reads and vote batches run as one function on the database thread through it; an aiosqlite that changed
    it must stop the bot at start-up with a clear message, not fail on the first vote.
    """
    version = getattr(aiosqlite, "__version__", "unknown")
    problem = f"aiosqlite {version} does not offer the worker hook fandex uses; install {TESTED_AIOSQLITE}"
    execute, raw = getattr(conn, "_execute", None), None
    with contextlib.suppress(AttributeError, ValueError):  # absent, or (ValueError) not connected
        raw = conn._conn
    if not callable(execute) or not isinstance(raw, sqlite3.Connection):
        raise IncompatibleDriver(problem)
    try:
        thread = await execute(_on_worker, raw)
    except TypeError as exc:
        raise IncompatibleDriver(f"{problem} ({exc})") from None
    if thread == threading.get_ident():
        raise IncompatibleDriver(f"{problem} (its hook runs on the event loop's thread)")


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def apply_migrations(conn: aiosqlite.Connection, migrations: list[Migration] | None = None) -> int:
    """Bring the file up to date; a failure (or a kill) mid-way leaves the last complete version.

    The version is `PRAGMA user_version`, written in the same transaction as the migration.
    """
    migrations = bundled_migrations("sqlite") if migrations is None else migrations
    current = await schema_version(conn)
    for mig in pending(current, migrations, "file"):
        script = f"BEGIN IMMEDIATE;\n{mig.sql}\nPRAGMA user_version = {mig.version:d};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except Exception as exc:
            if conn.in_transaction:
                await conn.rollback()
            raise MigrationError(f"migration {mig.name} failed: {exc}") from exc
        log.info("applied migration %s", mig.name)
        current = mig.version
    return current


class SqliteConnection:
    """The writer inside an open transaction, speaking the shared SQL (db/backends/sql_text.py)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.notes: set[tuple[str, str]] = set()  # (channel, origin) to notify once the transaction commits

    async def notify(self, channel: str, origin: str) -> None:
        self.notes.add((channel, origin))

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(for_sqlite(sql), sqlite_params(params))
        count = cursor.rowcount
        await cursor.close()
        return max(count, 0)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        await self._conn.executemany(for_sqlite(sql), [sqlite_params(r) for r in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        return await _on_thread(self._conn, _all_rows, for_sqlite(sql), sqlite_params(params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        return await _on_thread(self._conn, _first_row, for_sqlite(sql), sqlite_params(params))

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        return await _on_thread(
            self._conn, _batch_rows, [(for_sqlite(sql), sqlite_params(params)) for sql, params in queries]
        )


class SqliteBackend:
    dialect = "sqlite"
    shared = False  # one bot process per file: what it notifies, only it needs to hear

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection, path: Path) -> None:
        self._writer = writer
        self._reader = reader
        self.path = path
        self._write_lock = asyncio.Lock()
        self._joined = SqliteConnection(writer)
        self._reads = SqliteConnection(reader)  # read-only (query_only): the same calls, on the reader
        self._listeners: dict[str, list[Listener]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    async def open(cls, path: Path, *, busy_timeout_ms: int | None = None) -> SqliteBackend:
        writer = await connect(path, busy_timeout_ms=busy_timeout_ms)
        try:
            await check_worker_hook(writer)
            reader = await connect(path, busy_timeout_ms=busy_timeout_ms, read_only=True)
        except BaseException:
            await writer.close()
            raise
        return cls(writer, reader, path)

    def describe(self) -> str:
        return str(self.path)

    async def close(self) -> None:
        async with self._write_lock:
            await self._reader.close()
            await self._writer.execute("PRAGMA optimize")
            await self._writer.close()

    async def migrate(self) -> int:
        async with self._write_lock:
            return await apply_migrations(self._writer)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteConnection]:
        """One write transaction at a time (BEGIN IMMEDIATE), committed on success, rolled back on any
        exception or cancellation."""
        async with self._write_lock:
            self._joined.notes.clear()
            try:
                # BEGIN inside the guard: cancelled while it is on the database thread, it still runs
                # there, and the rollback queued behind it closes what it opened.
                await self._writer.execute("BEGIN IMMEDIATE")
                yield self._joined
                await self._writer.commit()
            except BaseException:
                await asyncio.shield(self._writer.rollback())  # a no-op if nothing is open
                raise
            notes, self._joined.notes = self._joined.notes, set()
        for channel, origin in sorted(notes):
            for listener in self._listeners.get(channel, ()):
                listener(origin)

    async def listen(self, channel: str, listener: Listener) -> None:
        self._listeners.setdefault(channel, []).append(listener)

    @asynccontextmanager
    async def deployment_lock(self, name: str) -> AsyncIterator[None]:
        """One process per file: a lock in this process is a lock for the deployment."""
        async with self._locks.setdefault(name, asyncio.Lock()):
            yield

    async def run_plan(self, plan: Callable[[], Plan[T]]) -> T:
        """The whole plan as one write transaction in a single trip to the database thread.

        For hot paths (votes): `transaction()` costs a thread hop per statement, this one costs one
        per transaction.
        """
        async with self._write_lock:
            return await _on_thread(self._writer, _run_plan, plan)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqliteConnection]:
        """The file as it is now, read under the write lock so no other process changes it meanwhile.

        A file another process keeps writing for longer than the busy timeout (a bot still running) is
        refused rather than read while it changes.
        """
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
                raise StoreUnavailable(
                    f"{self.path} is being written by another process (is the bot still running? stop it first)"
                ) from None
            try:
                yield self._joined
            finally:
                await asyncio.shield(self._writer.rollback())  # nothing was written: end the read

    async def reset_ids(self, conn: Connection) -> None:
        """Nothing to do: a rowid table gives a new row the largest id + 1 by itself."""

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        return await self._reads.fetch_all(sql, params)

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        return await self._reads.fetch_batch(queries)

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        return await self._reads.fetch_one(sql, params)

    @property
    def raw_writer(self) -> aiosqlite.Connection:
        """The writer itself, for tests of the migration runner and of locking."""
        return self._writer


async def _on_thread(conn: aiosqlite.Connection, work: Callable[..., T], *args: Any) -> T:
    """Run `work(sqlite3_connection, *args)` on the connection's database thread, in one trip."""
    return await conn._execute(work, conn._conn, *args)  # private hook, probed at open


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


def _run_plan(conn: sqlite3.Connection, plan: Callable[[], Plan[T]]) -> T:
    """On the database thread: BEGIN IMMEDIATE, each statement of the plan, COMMIT — or ROLLBACK."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = drive(plan(), lambda step: _run_step(conn, step))
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return result


def _run_step(conn: sqlite3.Connection, step: Statement) -> list[Any]:
    sql = for_sqlite(step.sql)
    if step.many is not None:
        conn.executemany(sql, [sqlite_params(p) for p in step.many])
        return []
    return conn.execute(sql, sqlite_params(step.params)).fetchall()
