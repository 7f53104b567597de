"""DATABASE_URL: which backend holds the store, and where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
