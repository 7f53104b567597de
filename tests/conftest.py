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
