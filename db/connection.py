"""SQLite specifics live here: URL parsing, the connection and its pragmas.

A PostgreSQL backend would replace this module and keep the repositories' API.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite

SQLITE_PREFIX = "sqlite:///"
BUSY_TIMEOUT_MS = 5_000


class DatabaseUrlError(ValueError):
    """DATABASE_URL is not a form this store understands."""


def sqlite_path(url: str) -> Path:
    """`sqlite:///relative/path` or `sqlite:////absolute/path` → a filesystem path."""
    if not url.startswith(SQLITE_PREFIX) or len(url) == len(SQLITE_PREFIX):
        raise DatabaseUrlError(
            "DATABASE_URL must look like sqlite:///relative/path or sqlite:////absolute/path"
        )
    return Path(url[len(SQLITE_PREFIX):])


async def connect(path: Path) -> aiosqlite.Connection:
    """Open the store file with WAL, foreign keys, a busy timeout, and explicit transactions.

    `isolation_level=None` turns off the sqlite3 module's implicit BEGINs: every write goes through
    `Store.transaction()`, which says BEGIN IMMEDIATE itself.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit is on disk before we tell a member their vote or subscription is in.
    await conn.execute("PRAGMA synchronous = FULL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    return conn
