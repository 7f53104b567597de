"""PostgreSQL for the benchmark: one throwaway cluster for the whole run, a fresh database per contender run.

The run's parent process starts the cluster (tests/postgres_server.py: the machine's own binaries, or
the server FANDEX_TEST_POSTGRES_URL names) and hands its URL to each scenario's process in
BENCH_POSTGRES_URL. Unlike the tests' cluster, this one keeps fsync on: each commit is as durable as
SQLite's (`synchronous = FULL`), or the comparison would flatter PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator

SERVER_VARIABLE = "BENCH_POSTGRES_URL"  # the cluster's maintenance database, for the scenario processes


def server_url() -> str:
    url = os.environ.get(SERVER_VARIABLE)
    if not url:
        raise RuntimeError(f"{SERVER_VARIABLE} is not set: run the PostgreSQL rows through `python -m bench`")
    return url


@contextlib.asynccontextmanager
async def fresh_database(label: str) -> AsyncIterator[str]:
    """An empty database on the run's cluster, dropped afterwards (with whatever still holds it open)."""
    import asyncpg

    maintenance = server_url()
    name = f"bench_{label}_{secrets.token_hex(4)}"  # letters, digits and _: safe as an identifier
    admin = await asyncpg.connect(maintenance)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield maintenance.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(maintenance)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
