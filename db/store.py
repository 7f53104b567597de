"""The Store: the repositories over one backend, SQLite (a file) or PostgreSQL (a server).

A use case that changes several things — a release and its reminder timers, say — opens
`transaction()` and calls the repositories inside it: their writes join that transaction, their reads
see its writes, and it all commits together or not at all. Reads outside a transaction see only
committed data, so nobody ever shows a half-done change. Which backend holds the data is chosen by
DATABASE_URL and invisible above db/.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from db.backends.database_url import PostgresTarget, SqliteTarget, StoreTarget, parse_database_url
from db.backends.protocol import Backend, Connection, Plan
from db.backends.sql_text import Params
from db.facts.models import StoreCounts
from db.repos.characters import CharacterRepository
from db.repos.fandoms import FANDOMS_CHANNEL, FandomRepository, visible
from db.repos.guilds import GuildSettingsRepository
from db.repos.identify_turns import IdentifyTurns
from db.repos.packs.repository import PackRepository
from db.repos.personal_reminders import PersonalReminderRepository
from db.repos.polls import PollRepository
from db.repos.releases import ReleaseRepository, ReleaseWriter
from db.repos.series import SeriesRepository
from db.repos.ships import ShipRepository
from db.repos.sources import SourceRepository
from db.repos.subscriptions import SubscriptionRepository
from db.repos.timers import TimerRepository
from db.repos.tvmaze_shows import TvmazeShowRepository
from db.repos.votes import VoteRepository

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _OpenTransaction:
    store: Store
    owner: asyncio.Task[Any] | None
    conn: Connection
    facts_changed: list[bool] = field(default_factory=list)  # `Store.facts_changed()` calls held for the commit


# The transaction the running task holds, if any. Tasks copy the context they were created in, so the
# owner is checked too: a task started inside a transaction must not think it holds it.
_CURRENT: ContextVar[_OpenTransaction | None] = ContextVar("fandex_transaction", default=None)


async def open_backend(target: StoreTarget, *, busy_timeout_ms: int | None = None) -> Backend:
    if isinstance(target, PostgresTarget):
        from db.backends.postgres import PostgresBackend  # asyncpg is loaded only by bots that use it

        return await PostgresBackend.open(target)
    from db.backends.sqlite import SqliteBackend

    return await SqliteBackend.open(target.path, busy_timeout_ms=busy_timeout_ms)


class Store:
    """The fact store. Open it with `Store.open(url_or_path)`; cogs use its repositories, never SQL."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        # Who this process is to the others sharing the store: it owns its timer claims and poll edits.
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
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
        self.identify_turns = IdentifyTurns(self)
        self.tvmaze_shows = TvmazeShowRepository(self)

    @classmethod
    @asynccontextmanager
    async def open(cls, where: Path | str, *, busy_timeout_ms: int | None = None) -> AsyncIterator[Store]:
        """Open a DATABASE_URL (or a SQLite file's path) and close cleanly on the way out."""
        target = SqliteTarget(where) if isinstance(where, Path) else parse_database_url(where)
        store = cls(await open_backend(target, busy_timeout_ms=busy_timeout_ms))
        try:
            yield store
        finally:
            await store.close()

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
            raise RuntimeError("notify() belongs inside store.transaction()")
        await conn.notify(channel, self.process_id)

    async def follow_other_processes(self) -> None:
        """Forget what this process remembers when another changes it: a guild's fandoms, for now
        (packs are watched by the bot itself, see bot/scheduling/facts_watch.py)."""
        await self.listen(FANDOMS_CHANNEL, self.fandoms.forget)

    def deployment_lock(self, name: str) -> AbstractAsyncContextManager[None]:
        """Held by one process of the deployment at a time (start-up work done once, not once per process).

        Taken before a transaction, never inside one: waiting for it while holding the transaction's
        connection (and this process's turn to write) can leave its holder waiting on both."""
        if self._joined() is not None:
            raise RuntimeError(f"deployment lock {name!r} asked for inside a transaction; take it before")
        return self.backend.deployment_lock(name)

    def describe(self) -> str:
        """Where the store is, for logs: a file, or a server URL without its password."""
        return self.backend.describe()

    async def close(self) -> None:
        await self.backend.close()

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""
        return await self.backend.migrate()

    def _joined(self) -> Connection | None:
        """The open transaction's connection, if the running task holds one on this store."""
        current = _CURRENT.get()
        if current is not None and current.store is self and current.owner is asyncio.current_task():
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
        if opened.facts_changed:  # committed: what is read from now on is the new facts
            self.facts_revision += 1

    async def run_plan(self, plan: Callable[[], Plan[T]]) -> T:
        """Run a statement plan as one write transaction (one trip to SQLite's thread; see db/backends/protocol.py)."""
        if self._joined() is not None:
            raise RuntimeError("run_plan cannot join an open transaction")
        return await self.backend.run_plan(plan)

    def facts_changed(self) -> None:
        """The facts changed: what is remembered of them (indexes, each guild's packs) is built again.
        Inside a transaction the revision moves once it commits: a reader in between sees the old facts,
        and must not remember them as the new revision's."""
        current = _CURRENT.get()
        if current is not None and self._joined() is not None:
            current.facts_changed.append(True)
            return
        self.facts_revision += 1

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
