"""DATABASE_URL: where it is set, which backend holds the store, and where.

The bot's settings (bot/settings.py) and `python -m db` read it the same way, from the definitions
here: the environment first, then `.env` in the current folder, then the default file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values

ENV_FILE = ".env"  # settings in the current folder; a variable set in the environment wins over it
DEFAULT_DATABASE_URL = "sqlite:///data/fandex.sqlite3"
SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")
ACCEPTED = (
    "sqlite:///relative/path, sqlite:////absolute/path, postgresql://user:password@host:port/dbname "
    "or postgres://user:password@host:port/dbname"
)


class DatabaseUrlError(ValueError):
    """DATABASE_URL is not a form this store understands."""


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or refuses the login; the message says where, never the password."""


@dataclass(frozen=True, slots=True)
class SqliteTarget:
    path: Path

    def describe(self) -> str:
        return str(self.path)


@dataclass(frozen=True, slots=True)
class PostgresTarget:
    dsn: str

    def describe(self) -> str:
        """The URL without its password, for logs and errors."""
        parts = urlsplit(self.dsn)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        if parts.username:
            host = f"{parts.username}@{host}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))


StoreTarget = SqliteTarget | PostgresTarget


def from_environment(name: str) -> str | None:
    """A setting as the bot reads it: the environment first, then ENV_FILE; None when neither sets it."""
    return os.environ.get(name) or dotenv_values(ENV_FILE).get(name) or None


def configured_database_url() -> str:
    """DATABASE_URL as the bot reads it, or the default file."""
    return from_environment("DATABASE_URL") or DEFAULT_DATABASE_URL


def parse_database_url(url: str) -> StoreTarget:
    """`sqlite:///…` → a file; `postgresql://…` or `postgres://…` → a server; anything else is refused."""
    scheme = url.split("://", 1)[0].casefold() if "://" in url else ""
    if scheme == "sqlite" and url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
        return SqliteTarget(Path(url[len(SQLITE_PREFIX):]))
    if scheme in POSTGRES_SCHEMES:
        parts = urlsplit(url)
        if not parts.hostname and "host=" not in parts.query:
            raise DatabaseUrlError(f"must name a host: {ACCEPTED}")
        if parts.path in ("", "/"):
            raise DatabaseUrlError(f"must name a database after the host: {ACCEPTED}")
        return PostgresTarget(url)
    raise DatabaseUrlError(f"must be one of: {ACCEPTED}")


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///` URL; DatabaseUrlError for any other form."""
    target = parse_database_url(url)
    if not isinstance(target, SqliteTarget):
        raise DatabaseUrlError("is not a SQLite URL (sqlite:///relative/path or sqlite:////absolute/path)")
    return target.path
