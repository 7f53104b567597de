"""Shared fixtures: every store test runs on both backends — its own SQLite file in a temp dir, and its
own PostgreSQL database cloned from a migrated template on the session's server."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from db import Store, bundled_pack_path
from tests.postgres_server import REQUIRE_VARIABLE, PostgresServer, PostgresUnavailable, postgres_server

BACKENDS = ["sqlite", "postgresql"]

# Processes the tests start (`python -m bot`, `python -m db`) import this checkout, whatever checkout the
# environment's editable install points at (several git worktrees may share one virtualenv).
_ROOT = str(Path(__file__).resolve().parent.parent)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store: the same test runs once on each backend (the store's contract)."""
    if request.param == "sqlite":
        async with Store.open(tmp_path / "store.sqlite3") as opened:
            await opened.migrate()
            yield opened
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = await databases.fresh()
    try:
        async with Store.open(url) as opened:
            yield opened
    finally:
        await databases.drop(url)


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty SQLite store, for what only SQLite has (pragmas, the file itself)."""
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


class PostgresDatabases:
    """Fresh migrated databases in ~20 ms each: `CREATE DATABASE … TEMPLATE` of one migrated once."""

    def __init__(self, server: PostgresServer) -> None:
        self._server = server
        self._template: str | None = None
        self._made: list[str] = []

    async def _admin(self) -> Any:  # an asyncpg.Connection (asyncpg is imported only when PostgreSQL runs)
        import asyncpg

        return await asyncpg.connect(self._server.url())

    async def fresh(self, *, migrated: bool = True) -> str:
        admin = await self._admin()
        try:
            if migrated and self._template is None:
                self._template = f"fandex_template_{secrets.token_hex(4)}"
                await admin.execute(f'CREATE DATABASE "{self._template}"')
                async with Store.open(self._server.url(self._template)) as store:
                    await store.migrate()
            name = f"fandex_test_{secrets.token_hex(6)}"
            template = f' TEMPLATE "{self._template}"' if migrated else ""
            await admin.execute(f'CREATE DATABASE "{name}"{template}')  # names made here, never parameters
        finally:
            await admin.close()
        self._made.append(name)
        return self._server.url(name)

    async def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[-1]
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        self._made.remove(name)

    async def drop_all(self) -> None:
        admin = await self._admin()
        try:
            for name in [*self._made, *([self._template] if self._template else [])]:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
def postgres_databases(postgres: PostgresServer) -> Iterator[PostgresDatabases]:
    """Sync, so an async fixture may ask for it by name (`request.getfixturevalue`)."""
    databases = PostgresDatabases(postgres)
    yield databases
    asyncio.run(databases.drop_all())  # between tests no loop is running


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its figures to the controller, which prints them all."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests.figures import export

        workeroutput["fandex_figures"] = json.dumps(export())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    from tests.figures import merge

    merge(json.loads(getattr(node, "workeroutput", {}).get("fandex_figures", "{}")))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print what the suite measured (see tests/figures.py)."""
    from tests.figures import summary

    lines = summary()
    if lines:
        terminalreporter.write_sep("-", "measured figures")
        for line in lines:
            terminalreporter.write_line(line)
