"""SQLite specifics live here: URL parsing, the connection and its pragmas.

A PostgreSQL backend would replace this module and keep the repositories' API.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
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


async def connect(path: Path, *, busy_timeout_ms: int | None = None, read_only: bool = False) -> aiosqlite.Connection:
    """Open the store file with WAL, foreign keys, a busy timeout, and explicit transactions.

    `isolation_level=None` turns off the sqlite3 module's implicit BEGINs: every write goes through
    `Store.transaction()`, which says BEGIN IMMEDIATE itself. A `read_only` connection refuses writes
    (`query_only`) and, in WAL mode, reads the last committed state without waiting for the writer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms or BUSY_TIMEOUT_MS:d}")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
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
