"""Shared fixtures: every test gets its own SQLite file in a temp dir."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from db import Store, bundled_pack_path
from tests.postgres_server import REQUIRE_VARIABLE, PostgresServer, PostgresUnavailable, postgres_server


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store in its own file."""
    async with Store.open(tmp_path / "store.sqlite3") as opened:
        await opened.migrate()
        yield opened


@pytest.fixture
async def defenders(store: Store) -> Store:
    """The store with the bundled Defenders pack imported."""
    await store.packs.import_file(bundled_pack_path())
    return store


@pytest.fixture(scope="session")
def contract():
    """Discord's OpenAPI contract; tests that need it skip when ../shared is not beside the repo."""
    from tests.double.contract import SPEC_PATH, Contract

    if not SPEC_PATH.exists():
        pytest.skip(f"Discord's OpenAPI spec is absent ({SPEC_PATH}); contract checks need ../shared beside the repo")
    return Contract(SPEC_PATH)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole run (see tests/postgres_server.py); skipped without
    one, unless FANDEX_REQUIRE_POSTGRES=1 (CI), where its absence fails."""
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as exc:
        if os.environ.get(REQUIRE_VARIABLE) == "1":
            pytest.fail(f"{REQUIRE_VARIABLE}=1 but {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
async def postgres_database(postgres: PostgresServer, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh database for one test module, dropped afterwards; yields its URL."""
    import asyncpg

    name = re.sub(r"[^a-z0-9_]", "_", request.module.__name__.rsplit(".", 1)[-1].lower())[:40] + "_" + secrets.token_hex(4)
    admin = await asyncpg.connect(postgres.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')  # an identifier: made of [a-z0-9_] above, never a parameter
        yield postgres.url(name)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print what the suite measured (see tests/figures.py)."""
    from tests.figures import summary

    lines = summary()
    if lines:
        terminalreporter.write_sep("-", "measured figures")
        for line in lines:
            terminalreporter.write_line(line)
