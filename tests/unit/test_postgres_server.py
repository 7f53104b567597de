"""The tests' PostgreSQL: a real server, a fresh database per module, values always bound.

The store's PostgreSQL backend and the contract suite that runs on both backends build on these
fixtures; this checks the fixtures themselves against the real server.
"""

from __future__ import annotations

import asyncpg
import pytest

from tests.postgres_server import PostgresServer, postgres_binaries


async def test_a_fresh_database_on_a_real_server_takes_bound_values(postgres_database: str) -> None:
    conn = await asyncpg.connect(postgres_database)
    try:
        version = await conn.fetchval("SHOW server_version_num")
        assert int(version) >= 130000  # FOR UPDATE SKIP LOCKED, advisory locks, LISTEN/NOTIFY all there
        await conn.execute("CREATE TABLE names (id bigint PRIMARY KEY, name text NOT NULL)")
        hostile = "Robert'); DROP TABLE names; --"
        await conn.execute("INSERT INTO names (id, name) VALUES ($1, $2)", 1, hostile)
        assert await conn.fetchval("SELECT name FROM names WHERE id = $1", 1) == hostile
        assert await conn.fetchval("SELECT count(*) FROM names") == 1
    finally:
        await conn.close()


async def test_each_module_gets_its_own_database(postgres: PostgresServer, postgres_database: str) -> None:
    admin = await asyncpg.connect(postgres.url())
    try:
        names = {row["datname"] for row in await admin.fetch("SELECT datname FROM pg_database")}
    finally:
        await admin.close()
    assert postgres_database.rsplit("/", 1)[-1] in names
    assert postgres_database.rsplit("/", 1)[-1].startswith("test_postgres_server_")


def test_the_binaries_are_found_where_debian_puts_them() -> None:
    found = postgres_binaries()
    if found is None:
        pytest.skip("no PostgreSQL binaries on this machine")
    assert (found / "initdb").exists() and (found / "pg_ctl").exists()
