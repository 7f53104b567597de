"""Copying a whole store into another: SQLite to PostgreSQL when a bot scales out (or back, or file to file).

Every table is copied row for row with its ids, parents before children, in one transaction on the
target: a copy that fails part-way leaves the target as it was. Both stores are first brought to this
code's schema, so their tables and columns are the same. The source is read as one consistent
snapshot; the bot must still be stopped, or what it writes after the snapshot is lost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.backends.database import Database
from db.backends.database_url import SqliteTarget, parse_database_url
from db.backends.protocol import Connection

PAGE_SIZE = 2_000  # rows read and written at a time: memory stays flat however large a table is


@dataclass(frozen=True, slots=True)
class CopiedTable:
    """A table and the columns that order its rows (its primary key)."""

    name: str
    key: tuple[str, ...] = ("id",)


# Every table of the schema, each after the tables its foreign keys point to. A test holds this list
# to the migrations: a new table missing here, or listed before a parent, fails it.
TABLES: tuple[CopiedTable, ...] = (
    CopiedTable("meta", ("key",)),
    CopiedTable("packs"),
    CopiedTable("pack_terms"),
    CopiedTable("sources"),
    CopiedTable("series"),
    CopiedTable("series_names"),
    CopiedTable("seasons"),
    CopiedTable("releases"),
    CopiedTable("release_dates"),
    CopiedTable("characters"),
    CopiedTable("character_names"),
    CopiedTable("affiliations"),
    CopiedTable("appearances"),
    CopiedTable("relationships"),
    CopiedTable("ships"),
    CopiedTable("ship_names"),
    CopiedTable("character_events"),
    CopiedTable("production_facts"),
    CopiedTable("guild_settings", ("guild_id",)),
    CopiedTable("guild_fandoms", ("guild_id", "pack_key")),
    CopiedTable("subscriptions"),
    CopiedTable("personal_reminders"),
    CopiedTable("timers"),
    CopiedTable("polls"),
    CopiedTable("poll_options", ("poll_id", "position")),
    CopiedTable("votes", ("poll_id", "user_id")),
    CopiedTable("identify_turns", ("bucket",)),
    CopiedTable("tvmaze_shows"),
    CopiedTable("viewer_progress", ("user_id", "series_id")),
    CopiedTable("spoiler_reach", ("guild_id", "channel_id", "series_id")),
    CopiedTable("watchalongs", ("guild_id", "series_id")),
    CopiedTable("watchalong_threads", ("guild_id", "release_id")),
    CopiedTable("episode_ratings", ("guild_id", "release_id", "user_id")),
    CopiedTable("wikidata_fetches", ("show_id",)),
    CopiedTable("wikidata_names", ("show_id", "entity", "role", "lang", "text")),
    CopiedTable("event_series", ("guild_id", "series_id")),
    CopiedTable("scheduled_events", ("guild_id", "series_id", "event_key")),
)


class CopyError(RuntimeError):
    """The copy was refused or failed; the message says why and what the target holds now."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str
    target: str
    copied: tuple[tuple[str, int], ...]  # (table, rows) in copy order
    replaced: int | None  # rows deleted from the target first (--replace); None without it
    seconds: float

    @property
    def rows(self) -> int:
        return sum(count for _, count in self.copied)

    def lines(self) -> list[str]:
        """One line per table with its row count, then a summary naming both stores (no password)."""
        width = max(len(name) for name, _ in self.copied)
        lines = [f"{name:<{width}}  {count:>9,}" for name, count in self.copied]
        summary = (
            f"copied {self.rows:,} rows in {len(self.copied)} tables from {self.source} to {self.target} "
            f"in {self.seconds:.1f} s"
        )
        if self.replaced is not None:
            summary += f", after deleting the {self.replaced:,} rows it held"
        return [*lines, summary]


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def _name(identifier: str) -> str:
    """A table or column name quoted for SQL (both dialects); names come from this module or the schema."""
    return '"' + identifier.replace('"', '""') + '"'


async def copy_urls(source_url: str, target_url: str, *, replace: bool = False, page_size: int = PAGE_SIZE) -> CopyReport:
    """Open both stores by URL and copy; a SQLite source that does not exist is refused, not created empty."""
    source_target = parse_database_url(source_url)
    parse_database_url(target_url)  # a bad target URL is refused before the source is opened
    if isinstance(source_target, SqliteTarget) and not source_target.path.exists():
        raise CopyError(f"there is no store at {source_target.path}: check DATABASE_URL or --database-url")
    async with Database.open(source_url) as source, Database.open(target_url) as target:
        return await copy_store(source, target, replace=replace, page_size=page_size)


def _same_store(a: Database, b: Database) -> bool:
    if a.path is not None and b.path is not None:
        return a.path.resolve() == b.path.resolve()
    return a.describe() == b.describe()


async def copy_store(source: Database, target: Database, *, replace: bool = False, page_size: int = PAGE_SIZE) -> CopyReport:
    """Copy every row of `source` into `target`, which must hold no data unless `replace` empties it first."""
    started = time.perf_counter()
    if _same_store(source, target):
        raise CopyError(f"the target is the source ({source.describe()}): copy to another store")
    await source.migrate()  # first: a source newer than this code is refused before the target is touched
    await target.migrate()
    copied: list[tuple[str, int]] = []
    async with source.backend.snapshot() as reader, target.transaction() as writer:
        replaced = await _make_room(writer, target.describe(), replace=replace)
        for table in TABLES:
            try:
                copied.append((table.name, await _copy_table(reader, writer, table, page_size)))
            except Exception as exc:
                raise CopyError(
                    f"copying table {table.name} failed: {exc}; {target.describe()} is left as it was"
                ) from exc
        await target.backend.reset_ids(writer)
    return CopyReport(source.describe(), target.describe(), tuple(copied), replaced, time.perf_counter() - started)


async def _make_room(writer: Connection, target: str, *, replace: bool) -> int | None:
    """Refuse a target holding data, or (`replace`) delete it, children first; returns the rows deleted."""
    held = await _row_counts(writer)
    if not replace:
        if any(held.values()):
            listed = ", ".join(f"{table}: {_rows(count)}" for table, count in held.items() if count)
            raise CopyError(
                f"{target} already holds data ({listed}); nothing was copied. Copy into an "
                "empty database, or add --replace to delete what it holds first"
            )
        return None
    for table in reversed(TABLES):
        await writer.execute(f"DELETE FROM {_name(table.name)}")
    return sum(held.values())


async def _row_counts(conn: Connection) -> dict[str, int]:
    counts = await conn.fetch_batch([(f"SELECT count(*) FROM {_name(t.name)}", ()) for t in TABLES])
    return {table.name: int(rows[0][0]) for table, rows in zip(TABLES, counts, strict=True)}


async def _copy_table(reader: Connection, writer: Connection, table: CopiedTable, page_size: int) -> int:
    """Read the table in key order a page at a time (after the last key seen) and insert each page as read."""
    order = ", ".join(_name(column) for column in table.key)
    marks = ", ".join("?" for _ in table.key)
    first = f"SELECT * FROM {_name(table.name)} ORDER BY {order} LIMIT ?"
    after = f"SELECT * FROM {_name(table.name)} WHERE ({order}) > ({marks}) ORDER BY {order} LIMIT ?"
    rows = await reader.fetch_all(first, (page_size,))
    insert: str | None = None
    copied = 0
    while rows:
        if insert is None:
            columns = list(rows[0].keys())
            insert = (
                f"INSERT INTO {_name(table.name)} ({', '.join(_name(c) for c in columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
        await writer.executemany(insert, [tuple(row) for row in rows])
        copied += len(rows)
        if len(rows) < page_size:
            break
        last: Sequence[Any] = [rows[-1][column] for column in table.key]
        rows = await reader.fetch_all(after, (*last, page_size))
    return copied
