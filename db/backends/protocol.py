"""What a backend offers the Database (db/backends/database.py): transactions, reads, statement plans, migrations.

Repositories see only `Connection` (inside a transaction) and the Database's `fetch_*` (outside one),
and write the shared SQL of db/backends/sql_text.py. SQLite and PostgreSQL each implement this once.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from db.backends.sql_text import Params

T = TypeVar("T")


class Row(Protocol):
    """A result row: by position or by column name (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Statement:
    """One step of a plan: a query whose rows go back to the plan, or the same statement for many rows."""

    sql: str
    params: Params = ()
    many: Sequence[Params] | None = field(default=None)


# A plan yields statements and receives their rows; its return value is the transaction's result.
# Written once as plain code, it runs in one trip to SQLite's thread or in one PostgreSQL transaction.
Plan = Generator[Statement, list[Any], T]


class Connection(Protocol):
    """The connection of an open transaction: writes and reads that see them."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns how many rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None: ...

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]: ...

    async def notify(self, channel: str, origin: str) -> None:
        """Tell every process sharing the store (this one too) once this transaction commits."""
        ...


# Called with the notifying process's id when a channel is notified, and with "" after a lost listener
# is back (anything may have been missed meanwhile, so a listener treats that as news from elsewhere).
Listener = Callable[[str], None]


class Backend(Protocol):
    dialect: str  # "sqlite" or "postgresql", for logs and for tests that look under the hood
    shared: bool  # whether several processes may use the store at once (PostgreSQL) or one only (SQLite)

    def describe(self) -> str:
        """Where the store is, without secrets."""
        ...

    async def close(self) -> None: ...

    async def migrate(self) -> int: ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None: ...

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]: ...

    async def run_plan(self, plan: Callable[[], Plan[T]]) -> T: ...

    def snapshot(self) -> AbstractAsyncContextManager[Connection]:
        """One consistent read of the whole store, for copying it (nothing is written through it)."""
        ...

    async def reset_ids(self, conn: Connection) -> None:
        """After rows were inserted with their ids given: let new rows get ids past the largest ones."""
        ...

    async def listen(self, channel: str, listener: Listener) -> None:
        """Call `listener` whenever `channel` is notified by any process (see `Connection.notify`)."""
        ...

    def deployment_lock(self, name: str) -> AbstractAsyncContextManager[None]:
        """A lock across every process sharing the store (one at a time does start-up work)."""
        ...


def drive(plan: Plan[T], run: Callable[[Statement], list[Any]]) -> T:
    """Run a plan synchronously: each statement through `run`, its rows sent back."""
    try:
        step = next(plan)
        while True:
            step = plan.send(run(step))
    except StopIteration as done:
        result: T = done.value
        return result
