"""The PostgreSQL backend (asyncpg): one server shared by every bot process.

A pool serves reads concurrently; writes in one process take turns, as on SQLite, so a use case
reads what it is about to change without racing its own process. Across processes, correctness comes
from the statements themselves: guarded updates, upserts, row locks and advisory locks.

Instants are `timestamptz` columns. The repositories deal in fixed-width UTC text (db/instants.py) on
both backends, so a codec converts at the driver: exact to the microsecond, in both directions.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.backend import Connection, Plan, Statement
from db.database_url import PostgresTarget, StoreUnavailable
from db.instants import to_text
from db.migrations import Migration, MigrationError, bundled_migrations, pending
from db.sql_text import Params, for_postgres

log = logging.getLogger(__name__)

T = TypeVar("T")
POOL_SIZE = 10
CONNECT_TIMEOUT = 10.0
# Advisory lock keys (any 64-bit number, fixed for the deployment): held while one process migrates.
MIGRATION_LOCK = 0x66616E646578_01
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # PostgreSQL's timestamp origin
_COUNT = re.compile(r"(\d+)$")
PgConnection = asyncpg.Connection | PoolConnectionProxy


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
    """A pooled connection inside an open transaction, speaking the shared SQL (db/sql_text.py)."""

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

    async def run(self, step: Statement) -> list[Any]:
        if step.many is not None:
            await self.executemany(step.sql, step.many)
            return []
        return await self.fetch_all(step.sql, step.params)


class PostgresBackend:
    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, target: PostgresTarget) -> None:
        self._pool = pool
        self._target = target
        self._write_lock = asyncio.Lock()
        self.path = None

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
        await self._pool.close()

    async def migrate(self) -> int:
        """Apply pending migrations, one process at a time (a session advisory lock), each in a transaction."""
        migrations = bundled_migrations("postgresql")
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                return await _apply(conn, migrations)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        async with self._write_lock, self._pool.acquire() as conn, conn.transaction():
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
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
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
        return list(await self._pool.fetch(text, *args))

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        text, args = for_postgres(sql, params)
        return await self._pool.fetchrow(text, *args)

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        """Several queries read from one snapshot (a read-only repeatable-read transaction)."""
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
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
