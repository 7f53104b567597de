"""Packs in the store: what is imported, importing a checked pack, exporting one."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from db.models import PackInfo
from db.pack_check import CheckedPack, check_pack_file
from db.pack_export import export_pack
from db.pack_format import PackSpec
from db.pack_import import ImportReport, import_checked_pack

if TYPE_CHECKING:
    from db.store import Store

BUNDLED_PACK = "defenders.yaml"


def bundled_pack_path() -> Path:
    """The Defenders pack shipped inside the package."""
    return Path(str(resources.files("db").joinpath("packs", BUNDLED_PACK)))


class PackRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def list(self) -> list[PackInfo]:
        rows = await self._store.fetch_all("SELECT key, title, description, digest, imported_at FROM packs ORDER BY id")
        return [
            PackInfo(r["key"], r["title"], r["description"], r["digest"], datetime.fromisoformat(r["imported_at"]))
            for r in rows
        ]

    async def import_checked(self, pack: CheckedPack, *, force: bool = False) -> ImportReport:
        """Upsert a checked pack in one transaction: all of it lands, or none of it."""
        async with self._store.transaction() as conn:
            report = await import_checked_pack(conn, pack, force=force)
        if report.changed:
            self._store.facts_changed()
        return report

    async def import_file(self, path: Path, *, force: bool = False) -> ImportReport:
        """Check then import; a PackError (with every problem) leaves the store untouched."""
        return await self.import_checked(check_pack_file(path), force=force)

    async def export(self, key: str) -> PackSpec | None:
        return await export_pack(self._store, key)
