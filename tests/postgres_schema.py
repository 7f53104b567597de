"""The PostgreSQL migrations run by hand, and both backends' schemas read as plain values.

The files are found and run here with asyncpg, one transaction each, independently of the store's own
runner; `sqlite_schema` and `postgresql_schema` describe a store as columns, keys, named indexes and
foreign keys, so a test compares the two backends with `==`. Only tables some migration file creates
are described: a table a runner keeps for its own bookkeeping is not part of the schema.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

import db
from db.migrations import bundled_migrations

MIGRATIONS = Path(db.__file__).resolve().parent / "migrations"
_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def migrated_tables() -> set[str]:
    """Every table name a migration file (of either dialect) creates."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in MIGRATIONS.glob("*.sql"))
    return {name.lower() for name in re.findall(r"CREATE TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)", text, re.I)}


async def apply(conn: asyncpg.Connection, *, after: int = 0, upto: int | None = None) -> None:
    """The store's own PostgreSQL migrations (`bundled_migrations`), each in a transaction, by hand."""
    for mig in bundled_migrations("postgresql"):
        if after < mig.version and (upto is None or mig.version <= upto):
            async with conn.transaction():
                await conn.execute(mig.sql)


async def connect_in_schema(url: str, schema: str) -> asyncpg.Connection:
    """A connection whose tables land in a schema of their own; `schema` is a fixed name from a test."""
    conn = await asyncpg.connect(url)
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.execute(f'SET search_path TO "{schema}"')
    return conn


@dataclass
class Schema:
    """What both backends must agree on, in plain Python values."""

    columns: dict[str, list[tuple[str, bool, str | None]]] = field(default_factory=dict)  # (name, not null, default)
    types: dict[tuple[str, str], str] = field(default_factory=dict)
    primary_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    uniques: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    indexes: dict[str, tuple[str, bool, tuple[str | None, ...], str | None]] = field(default_factory=dict)
    foreign_keys: set[tuple[str, tuple[str, ...], str, tuple[str, ...], str]] = field(default_factory=set)


def _predicate(text: str | None) -> str | None:
    """`(state = 'pending'::text)` and `state = 'pending'` alike."""
    return None if text is None else " ".join(re.sub(r"::\w+|[()]", "", text).lower().split())


def _default(text: str | None) -> str | None:
    return None if text is None else re.sub(r"::\w+( \w+)*$", "", text)


def _column(expression: str) -> str | None:
    """An index key's column name; None for an expression."""
    name = expression.strip('"')
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else None


def sqlite_schema(path: Path) -> Schema:
    """A primary key's columns count as NOT NULL, as PostgreSQL makes them (SQLite lets a non-integer
    key hold NULL only by a historical quirk; an integer one is the rowid)."""
    schema = Schema()
    conn = sqlite3.connect(path)
    try:
        found = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in sorted(set(found) & migrated_tables()):
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()  # cid, name, type, notnull, default, pk
            schema.columns[table] = [(name, bool(notnull or pk), default) for _, name, _, notnull, default, pk in info]
            schema.types |= {(table, name): kind for _, name, kind, *_ in info}
            schema.primary_keys[table] = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            for _, name, unique, origin, partial in conn.execute(f'PRAGMA index_list("{table}")').fetchall():
                columns = tuple(r[2] for r in conn.execute(f'PRAGMA index_info("{name}")'))
                if origin == "u":
                    schema.uniques.add((table, columns))
                elif origin == "c":
                    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
                    where = re.search(r"\bWHERE\s+(.*)$", sql, re.S | re.I) if partial else None
                    schema.indexes[name] = (table, bool(unique), columns, _predicate(where.group(1) if where else None))
            keys: dict[int, list[tuple[str, str, str, str]]] = {}
            for fk_id, _, parent, child_col, parent_col, _, on_delete, _ in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
                keys.setdefault(fk_id, []).append((child_col, parent, parent_col, on_delete))
            for parts in keys.values():
                schema.foreign_keys.add(
                    (table, tuple(p[0] for p in parts), parts[0][1], tuple(p[2] for p in parts), parts[0][3])
                )
    finally:
        conn.close()
    return schema


async def postgresql_schema(conn: asyncpg.Connection, namespace: str) -> Schema:
    """The schema of one PostgreSQL namespace, in the same terms as `sqlite_schema`."""
    schema = Schema()
    tables = {r[0] for r in await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'", namespace
    )}
    for r in await conn.fetch(
        """SELECT table_name, column_name, is_nullable = 'NO', column_default, data_type FROM information_schema.columns
            WHERE table_schema = $1 ORDER BY table_name, ordinal_position""",
        namespace,
    ):
        schema.columns.setdefault(r[0], []).append((r[1], r[2], _default(r[3])))
        schema.types[(r[0], r[1])] = r[4]
    assert tables == schema.columns.keys()
    of_namespace = "(SELECT oid FROM pg_namespace WHERE nspname = $1)"
    names = (
        "array(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY k(n, i)"
        " JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.i)"
    )
    for r in await conn.fetch(
        f"""SELECT t.relname, c.contype::text, {names.format(keys="c.conkey", rel="c.conrelid")},
                   p.relname, {names.format(keys="c.confkey", rel="c.confrelid")}, c.confdeltype::text
              FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class p ON p.oid = c.confrelid
             WHERE c.connamespace = {of_namespace} AND c.contype IN ('p', 'u', 'f')""",
        namespace,
    ):
        if r[1] == "p":
            schema.primary_keys[r[0]] = tuple(r[2])
        elif r[1] == "u":
            schema.uniques.add((r[0], tuple(r[2])))
        else:
            schema.foreign_keys.add((r[0], tuple(r[2]), r[3], tuple(r[4]), _ON_DELETE[r[5]]))
    for r in await conn.fetch(
        f"""SELECT i.relname, t.relname, x.indisunique, pg_get_expr(x.indpred, x.indrelid),
                   array(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k)
              FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
             WHERE t.relnamespace = {of_namespace}
               AND x.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u'))""",
        namespace,
    ):
        schema.indexes[r[0]] = (r[1], r[2], tuple(_column(e) for e in r[4]), _predicate(r[3]))
    return schema
