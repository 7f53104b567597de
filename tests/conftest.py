"""Shared fixtures: every test gets its own SQLite file in a temp dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db import Store, bundled_pack_path


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


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print what the suite measured (see tests/figures.py)."""
    from tests.figures import summary

    lines = summary()
    if lines:
        terminalreporter.write_sep("-", "measured figures")
        for line in lines:
            terminalreporter.write_line(line)
