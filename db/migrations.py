"""Numbered `.sql` files applied in order, each in one transaction; the version is PRAGMA user_version."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

import aiosqlite

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The store cannot be brought to this code's schema."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in db/migrations, checked to be numbered 1, 2, 3… without gaps."""
    found: list[Migration] = []
    for entry in resources.files("db").joinpath("migrations").iterdir():
        if m := _NAME.match(entry.name):
            found.append(Migration(int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise MigrationError(f"migration {mig.name} is out of sequence; expected number {expected:04d}")
    return found


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def apply_migrations(conn: aiosqlite.Connection, migrations: list[Migration] | None = None) -> int:
    """Bring the store up to date; a failure (or a kill) mid-way leaves the last complete version."""
    migrations = bundled_migrations() if migrations is None else migrations
    current = await schema_version(conn)
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise MigrationError(
            f"the store is at schema version {current}, newer than this fandex knows ({latest}); "
            "upgrade fandex or point DATABASE_URL at another file"
        )
    for mig in migrations:
        if mig.version <= current:
            continue
        script = f"BEGIN IMMEDIATE;\n{mig.sql}\nPRAGMA user_version = {mig.version:d};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except Exception as exc:
            if conn.in_transaction:
                await conn.rollback()
            raise MigrationError(f"migration {mig.name} failed: {exc}") from exc
        log.info("applied migration %s", mig.name)
        current = mig.version
    return current
