"""Numbered migrations shared by both backends, with a per-backend variant where the dialects differ.

`NNNN_name.sql` runs on every backend; `NNNN_name.sqlite.sql` and `NNNN_name.postgresql.sql` are the
two spellings of one step. Each backend applies what is pending, one migration per transaction, and
records the version in the database itself (see its `migrate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+(?:\.(sqlite|postgresql))?\.sql$")
DIALECTS = ("sqlite", "postgresql")


class MigrationError(RuntimeError):
    """The store cannot be brought to this code's schema."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations(dialect: str = "sqlite") -> list[Migration]:
    """The migrations for `dialect`, checked to be numbered 1, 2, 3… without gaps, each exactly once."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    found: dict[int, Migration] = {}
    for entry in resources.files("db").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m is None or m.group(2) not in (None, dialect):
            continue
        version = int(m.group(1))
        if version in found:
            raise MigrationError(f"migrations {found[version].name} and {entry.name} share number {version:04d}")
        found[version] = Migration(version, entry.name, entry.read_text(encoding="utf-8"))
    ordered = sorted(found.values(), key=lambda mig: mig.version)
    for expected, mig in enumerate(ordered, start=1):
        if mig.version != expected:
            raise MigrationError(
                f"migration {mig.name} is out of sequence for {dialect}; expected number {expected:04d}"
            )
    return ordered


def pending(current: int, migrations: list[Migration], where: str) -> list[Migration]:
    """What is left to apply; a store newer than this code is refused rather than guessed at."""
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise MigrationError(
            f"the store is at schema version {current}, newer than this fandex knows ({latest}); "
            f"upgrade fandex or point DATABASE_URL at another {where}"
        )
    return [mig for mig in migrations if mig.version > current]
