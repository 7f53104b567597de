"""The database every repository is handed: reads, transactions that nested calls join, notices, locks.

A use case that changes several things — a release and its reminder timers, say — opens
`transaction()` and calls the repositories inside it: their writes join that transaction, their reads
see its writes, and it all commits together or not at all. Reads outside a transaction see only
committed data, so nobody ever shows a half-done change. Repositories get this object, never the
Store (db/store.py builds them over it), so none of them depends on the others it does not name.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from db.backends.database_url import PostgresTarget, SqliteTarget, StoreTarget, parse_database_url
from db.backends.protocol import Backend, Connection, Plan
from db.backends.sql_text import Params

T = TypeVar("T")

# Run once the transaction that asked for it commits (see `Database.after_commit`).
CommitAction = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _OpenTransaction:
    database: Database
    owner: asyncio.Task[Any] | None
    conn: Connection
    committed: list[CommitAction] = field(default_factory=list)


# The transaction the running task holds, if any. Tasks copy the context they were created in, so the
# owner is checked too: a task started inside a transaction must not think it holds it.
_CURRENT: ContextVar[_OpenTransaction | None] = ContextVar("fandex_transaction", default=None)


async def open_backend(target: StoreTarget, *, busy_timeout_ms: int | None = None) -> Backend:
    if isinstance(target, PostgresTarget):
        from db.backends.postgres import PostgresBackend  # asyncpg is loaded only by bots that use it

        return await PostgresBackend.open(target)
    from db.backends.sqlite import SqliteBackend

    return await SqliteBackend.open(target.path, busy_timeout_ms=busy_timeout_ms)


class Database:
    """One backend, as the repositories use it. Open it with `Database.open(url_or_path)`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        # Who this process is to the others sharing the store: it owns its timer claims and poll edits.
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"

    @classmethod
    @asynccontextmanager
    async def open(cls, where: Path | str, *, busy_timeout_ms: int | None = None) -> AsyncIterator[Database]:
        """Open a DATABASE_URL (or a SQLite file's path) and close cleanly on the way out."""
        target = SqliteTarget(where) if isinstance(where, Path) else parse_database_url(where)
        database = cls(await open_backend(target, busy_timeout_ms=busy_timeout_ms))
        try:
            yield database
        finally:
            await database.close()

    @property
    def dialect(self) -> str:
        return self.backend.dialect

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        path: Path | None = getattr(self.backend, "path", None)
        return path

    @property
    def shared(self) -> bool:
        """Whether other processes may be using this store right now (PostgreSQL), or none (SQLite)."""
        return self.backend.shared

    def describe(self) -> str:
        """Where the store is, for logs: a file, or a server URL without its password."""
        return self.backend.describe()

    async def close(self) -> None:
        await self.backend.close()

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""
        return await self.backend.migrate()

    async def listen(self, channel: str, listener: Callable[[], None], *, own: bool = False) -> None:
        """Call `listener` when a process notifies `channel` (see `notify`); its own notices only with `own`."""

        def heard(origin: str) -> None:
            if own or origin != self.process_id:
                listener()

        await self.backend.listen(channel, heard)

    async def notify(self, channel: str) -> None:
        """Inside a transaction: once it commits, every process listening on `channel` hears of it."""
        conn = self._joined()
        if conn is None:
            raise RuntimeError("notify() belongs inside a transaction")
        await conn.notify(channel, self.process_id)

    def after_commit(self, action: CommitAction) -> None:
        """Inside a transaction: run `action` once the outermost transaction commits (never if it rolls
        back), after the transaction is over, so what it reads is the committed data."""
        current = _CURRENT.get()
        if current is None or self._joined() is None:
            raise RuntimeError("after_commit() belongs inside a transaction")
        current.committed.append(action)

    def deployment_lock(self, name: str) -> AbstractAsyncContextManager[None]:
        """Held by one process of the deployment at a time (start-up work done once, not once per process).

        Taken before a transaction, never inside one: waiting for it while holding the transaction's
        connection (and this process's turn to write) can leave its holder waiting on both."""
        if self._joined() is not None:
            raise RuntimeError(f"deployment lock {name!r} asked for inside a transaction; take it before")
        return self.backend.deployment_lock(name)

    def _joined(self) -> Connection | None:
        """The open transaction's connection, if the running task holds one on this database."""
        current = _CURRENT.get()
        if current is not None and current.database is self and current.owner is asyncio.current_task():
            return current.conn
        return None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One write transaction, committed on success, rolled back on any exception or cancellation.
        Inside one, a nested `transaction()` joins it."""
        if (joined := self._joined()) is not None:
            yield joined
            return
        async with self.backend.transaction() as conn:
            opened = _OpenTransaction(self, asyncio.current_task(), conn)
            token = _CURRENT.set(opened)
            try:
                yield conn
            finally:
                _CURRENT.reset(token)
        for action in opened.committed:  # committed: what is read from now on is the new data
            await action()

    async def run_plan(self, plan: Callable[[], Plan[T]]) -> T:
        """Run a statement plan as one write transaction (one trip to SQLite's thread; see db/backends/protocol.py)."""
        if self._joined() is not None:
            raise RuntimeError("run_plan cannot join an open transaction")
        return await self.backend.run_plan(plan)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        """Every row, in one round trip (inside a transaction: what it has written, too)."""
        if (joined := self._joined()) is not None:
            return await joined.fetch_all(sql, params)
        return await self.backend.fetch_all(sql, params)

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        """Several queries' rows in one round trip, read from one snapshot."""
        if (joined := self._joined()) is not None:
            return await joined.fetch_batch(queries)
        return await self.backend.fetch_batch(queries)

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        if (joined := self._joined()) is not None:
            return await joined.fetch_one(sql, params)
        return await self.backend.fetch_one(sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]
