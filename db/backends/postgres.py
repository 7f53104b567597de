"""The PostgreSQL backend (asyncpg): one server shared by every bot process.

A pool serves reads concurrently; writes in one process take turns, as on SQLite, so a use case
reads what it is about to change without racing its own process. Across processes, correctness comes
from the statements themselves: guarded updates, upserts, row locks and advisory locks.

A task holds at most one pooled connection at a time. One that waits for a second while it holds one
deadlocks the pool as soon as every connection is held that way (ten moderators at once suffice), so
asking for one is refused (`NestedAcquire`) while the task, or the task that started it, holds one.
Inside a transaction the Database (db/backends/database.py) hands its connection to reads; a
deployment lock waits on a connection of its own, outside the pool.

Instants are `timestamptz` columns. The repositories deal in fixed-width UTC text (db/facts/instants.py) on
both backends, so a codec converts at the driver: exact to the microsecond, in both directions.
"""

from __future__ import annotations

import asyncio
import logging
import re
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.backends.database_url import PostgresTarget, StoreUnavailable
from db.backends.protocol import Connection, Listener, Plan, Statement
from db.backends.sql_text import Params, for_postgres
from db.facts.instants import to_text
from db.migrations import Migration, MigrationError, bundled_migrations, pending

log = logging.getLogger(__name__)

T = TypeVar("T")
POOL_SIZE = 10
CONNECT_TIMEOUT = 10.0
CLOSE_TIMEOUT = 10.0  # seconds a clean close may take before connections are cut
# Advisory lock keys (LOCK_BASE + a name's CRC, fixed for the deployment): held while one process
# migrates, or does a piece of start-up work (see `deployment_lock`).
LOCK_BASE = 0x66616E_00000000
CHANNEL_PREFIX = "fandex_"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # PostgreSQL's timestamp origin
_COUNT = re.compile(r"(\d+)$")
PgConnection = asyncpg.Connection | PoolConnectionProxy


class NestedAcquire(RuntimeError):
    """A task asked the pool for a connection while it (or the task that started it) holds one: a bug,
    refused at once, since under load every connection ends up held that way and nothing moves."""


class _Held:
    """A pooled connection a task holds; tasks it starts meanwhile see it through their copied context."""

    __slots__ = ("open", "pool")

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.open = True


# What the running task holds, per pool (a copy between two stores holds one of each, rightly).
_HELD: ContextVar[tuple[_Held, ...]] = ContextVar("fandex_pooled_connections", default=())


def _encode_instant(value: str | datetime) -> tuple[int]:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
    delta = moment - _EPOCH
    return ((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds,)


def _decode_instant(value: tuple[int]) -> str:
    return to_text(_EPOCH + timedelta(microseconds=value[0]))


async def _prepare(conn: PgConnection) -> None:
    """Every pooled connection: instants as the repositories' UTC text."""
    await conn.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=_encode_instant, decoder=_decode_instant, format="tuple"
    )


def _rowcount(status: str) -> int:
    """asyncpg reports `UPDATE 3`, `INSERT 0 1`, `DELETE 0`…: the last number is the row count."""
    match = _COUNT.search(status)
    return int(match.group(1)) if match else 0


class PostgresConnection:
    """A pooled connection inside an open transaction, speaking the shared SQL (db/backends/sql_text.py)."""

    def __init__(self, conn: PgConnection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, args = for_postgres(sql, params)
        return _rowcount(await self._conn.execute(text, *args))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        text = for_postgres(sql, rows[0])[0]
        await self._conn.executemany(text, [for_postgres(sql, r)[1] for r in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        text, args = for_postgres(sql, params)
        return list(await self._conn.fetch(text, *args))

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        text, args = for_postgres(sql, params)
        return await self._conn.fetchrow(text, *args)

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        return [await self.fetch_all(sql, params) for sql, params in queries]

    async def reset_ids(self) -> None:
        identities = await self._conn.fetch(
            """SELECT quote_ident(table_name), quote_ident(column_name), column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND is_identity = 'YES'"""
        )
        for table, column, raw_column in identities:  # names quoted by the server, from its own catalog
            await self._conn.execute(
                f"""SELECT setval(pg_get_serial_sequence($1, $2),
                                  greatest((SELECT coalesce(max({column}), 0) FROM {table}) + 1,
                                           nextval(pg_get_serial_sequence($1, $2))),
                                  false)""",
                table, raw_column,
            )

    async def notify(self, channel: str, origin: str) -> None:
        await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL_PREFIX + channel, origin)  # sent on commit

    async def run(self, step: Statement) -> list[Any]:
        if step.many is not None:
            await self.executemany(step.sql, step.many)
            return []
        return await self.fetch_all(step.sql, step.params)


class PostgresBackend:
    dialect = "postgresql"
    shared = True

    def __init__(self, pool: asyncpg.Pool, target: PostgresTarget) -> None:
        self._pool = pool
        self._target = target
        self._write_lock = asyncio.Lock()
        self.path = None
        self._listeners: dict[str, list[Listener]] = {}
        self._listening: asyncpg.Connection | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._locks: dict[str, asyncio.Lock] = {}  # deployment locks: this process's tasks queue here

    @classmethod
    async def open(cls, target: PostgresTarget, *, pool_size: int = POOL_SIZE) -> PostgresBackend:
        try:
            pool = await asyncpg.create_pool(
                target.dsn, min_size=1, max_size=pool_size, init=_prepare, timeout=CONNECT_TIMEOUT,
                server_settings={"application_name": "fandex", "timezone": "UTC"},
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(f"cannot open PostgreSQL at {target.describe()}: {exc}") from None
        return cls(pool, target)

    def describe(self) -> str:
        return self._target.describe()

    async def close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        if self._listening is not None and not self._listening.is_closed():
            await self._listening.close(timeout=CLOSE_TIMEOUT)
        try:  # graceful: waits for every connection to come back to the pool …
            await asyncio.wait_for(self._pool.close(), CLOSE_TIMEOUT)
        except TimeoutError:  # … but a stop never hangs on one that does not
            log.warning("PostgreSQL connections still busy after %.0f s at close; cutting them", CLOSE_TIMEOUT)
            self._pool.terminate()

    async def listen(self, channel: str, listener: Listener) -> None:
        """LISTEN on one connection of its own (outside the pool), kept open: if it is lost, it is
        opened again with back-off and every listener is called, since notices may have been missed."""
        first = channel not in self._listeners
        self._listeners.setdefault(channel, []).append(listener)
        if self._listening is None:
            self._listening = await self._listen_connection()
            self._keeper = asyncio.create_task(self._keep_listening(), name="fandex-listen")
        elif first:
            await self._listening.add_listener(CHANNEL_PREFIX + channel, self._heard)

    async def _listen_connection(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(
            self._target.dsn, timeout=CONNECT_TIMEOUT, server_settings={"application_name": "fandex-listen"}
        )
        conn.add_termination_listener(lambda _conn: self._lost.set())
        for channel in self._listeners:
            await conn.add_listener(CHANNEL_PREFIX + channel, self._heard)
        return conn

    def _heard(self, _conn: object, _pid: int, channel: str, payload: object) -> None:
        for listener in self._listeners.get(channel.removeprefix(CHANNEL_PREFIX), ()):
            listener(str(payload))

    async def _keep_listening(self) -> None:
        delay = 0.5
        while True:
            await self._lost.wait()
            self._lost.clear()
            log.warning("the PostgreSQL listener connection was lost; opening it again")
            while True:
                try:
                    self._listening = await self._listen_connection()
                    break
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("listening again failed (%s); retrying in %.1f s", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(30.0, delay * 2)
            delay = 0.5
            for listeners in self._listeners.values():  # anything may have happened meanwhile: look again
                for listener in listeners:
                    listener("")

    @asynccontextmanager
    async def _pooled(self) -> AsyncIterator[PgConnection]:
        """A connection from the pool, for a task that holds none (see `NestedAcquire`)."""
        held = _HELD.get()
        if any(h.open and h.pool is self._pool for h in held):
            raise NestedAcquire("this task already holds a pooled connection; use it (join the transaction) "
                                "or finish with it before asking for another")
        mark = _Held(self._pool)
        token = _HELD.set((*(h for h in held if h.open), mark))
        try:
            async with self._pool.acquire() as conn:
                yield conn
        finally:
            mark.open = False
            _HELD.reset(token)

    @asynccontextmanager
    async def deployment_lock(self, name: str) -> AsyncIterator[None]:
        """A session advisory lock: one process of the deployment at a time, released if it dies.

        Tasks of this process queue for it here; only the first waits in PostgreSQL, on a connection
        of its own outside the pool, so what runs under the lock has every pooled connection to use
        and a crowd waiting for the lock holds none.
        """
        key = LOCK_BASE + zlib.crc32(name.encode())
        async with self._locks.setdefault(name, asyncio.Lock()):
            conn = await asyncpg.connect(
                self._target.dsn, timeout=CONNECT_TIMEOUT, server_settings={"application_name": "fandex-lock"}
            )
            try:
                await conn.execute("SELECT pg_advisory_lock($1)", key)
                yield
            finally:  # ending the session releases the lock, whatever state the connection is in
                try:
                    await asyncio.shield(conn.close(timeout=CLOSE_TIMEOUT))
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    conn.terminate()
                except asyncio.CancelledError:
                    conn.terminate()
                    raise

    async def migrate(self) -> int:
        """Apply pending migrations, one process at a time (a deployment lock), each in a transaction."""
        async with self.deployment_lock("migrations"), self._pooled() as conn:
            return await _apply(conn, bundled_migrations("postgresql"))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        async with self._write_lock, self._pooled() as conn, conn.transaction():
            yield PostgresConnection(conn)

    async def run_plan(self, plan: Callable[[], Plan[T]]) -> T:
        async with self.transaction() as conn:
            steps = plan()
            try:
                step = next(steps)
                while True:
                    step = steps.send(await conn.run(step))
            except StopIteration as done:
                result: T = done.value
                return result

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[PostgresConnection]:
        """Every table as of one instant: a read-only repeatable-read transaction."""
        async with self._pooled() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield PostgresConnection(conn)

    async def reset_ids(self, conn: Connection) -> None:
        """Move each identity's sequence past the largest id in its table, inside the caller's transaction.

        A sequence only ever moves forward here (sequences ignore rollbacks), so a copy that is rolled back
        cannot leave one behind ids the table still holds.
        """
        if not isinstance(conn, PostgresConnection):
            raise TypeError("reset_ids needs this backend's own transaction")
        await conn.reset_ids()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        text, args = for_postgres(sql, params)
        async with self._pooled() as conn:
            return list(await conn.fetch(text, *args))

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        text, args = for_postgres(sql, params)
        async with self._pooled() as conn:
            return await conn.fetchrow(text, *args)

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        """Several queries read from one snapshot (a read-only repeatable-read transaction)."""
        async with self._pooled() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            return await PostgresConnection(conn).fetch_batch(queries)


async def _apply(conn: PgConnection, migrations: list[Migration]) -> int:
    await conn.execute("CREATE TABLE IF NOT EXISTS fandex_schema (version BIGINT NOT NULL)")
    current = await conn.fetchval("SELECT max(version) FROM fandex_schema") or 0
    for mig in pending(current, migrations, "database"):
        try:
            async with conn.transaction():
                await conn.execute(mig.sql)
                await conn.execute("DELETE FROM fandex_schema")
                await conn.execute("INSERT INTO fandex_schema (version) VALUES ($1)", mig.version)
        except asyncpg.PostgresError as exc:
            raise MigrationError(f"migration {mig.name} failed: {exc}") from exc
        log.info("applied migration %s", mig.name)
        current = mig.version
    return int(current)
