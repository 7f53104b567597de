"""Packs in the store: importing them (skipping unchanged files), listing, exporting and removing them.

Every change of the facts (an import that changed something, an adoption, a removal) bumps a generation
counter in its transaction, notifies the other processes, and publishes the facts-changed event once
it commits (db/repos/packs/changes.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from db.backends.database import Database
from db.backends.protocol import Connection
from db.facts.models import PackInfo
from db.packs.collector import collector_paused
from db.packs.problems import CheckedPack, PackError, PackErrors, Problem, file_digest, read_pack_file
from db.repos.fandoms import FANDOMS_CHANNEL
from db.repos.packs.changes import FactsChanges
from db.repos.packs.removal import RemovalReport, remove_pack
from db.repos.packs.reports import Adoption, ImportReport
from db.repos.tvmaze_shows import TvmazeShowRepository

if TYPE_CHECKING:
    from db.packs.format import PackSpec

GENERATION = "facts_generation"  # meta key bumped by every import that changed facts and every removal
FACTS_CHANNEL = "facts"  # notified with every generation bump
# Which pack each recent generation changed, in a ring of meta keys: reminders re-plan only the guilds
# following those packs, not every guild, after a sync of one show.
CHANGE_LOG, CHANGES_KEPT = "facts_change:", 64


class PackRepository:
    def __init__(self, database: Database, facts: FactsChanges, tvmaze_shows: TvmazeShowRepository) -> None:
        self._db = database
        self._facts = facts
        self._tvmaze_shows = tvmaze_shows

    async def all(self) -> list[PackInfo]:
        """Every pack in the store with its size, by title."""
        rows = await self._db.fetch_all(
            """
            SELECT p.id, p.key, p.title, p.description, p.digest, p.imported_at, p.location,
                   (SELECT count(*) FROM characters c WHERE c.pack_id = p.id) AS characters,
                   (SELECT count(*) FROM series s WHERE s.pack_id = p.id) AS series,
                   (SELECT count(*) FROM releases r WHERE r.pack_id = p.id) AS releases
              FROM packs p ORDER BY lower(p.title), p.key
            """
        )
        return [
            PackInfo(
                key=r["key"], title=r["title"], description=r["description"], digest=r["digest"],
                imported_at=datetime.fromisoformat(r["imported_at"]), id=r["id"], location=r["location"],
                characters=r["characters"], series=r["series"], releases=r["releases"],
            )
            for r in rows
        ]

    async def generation(self) -> int:
        """Bumped by every import that changed facts and every removal, in any process sharing the store."""
        value = await self._db.fetch_value("SELECT value FROM meta WHERE key = ?", (GENERATION,))
        return int(value or 0)

    async def import_checked(self, pack: CheckedPack, *, force: bool = False) -> ImportReport:
        """Upsert a checked pack in one transaction: all of it lands, or none of it."""
        # Imported here, as check_pack_bytes below: the pack format (pydantic models, YAML) is loaded only
        # when a pack changed, not by a start-up that finds every file unchanged (~5 MiB less RSS).
        from db.repos.packs.importing import import_checked_pack

        with collector_paused():  # tens of thousands of rows built at once (a third faster)
            async with self._db.transaction() as conn:
                report = await import_checked_pack(conn, pack, force=force)
                if report.changed:
                    await self._bump(conn, pack.spec.pack.id)
        return report

    async def import_file(self, path: Path, *, force: bool = False) -> ImportReport:
        """Check then import; a file whose bytes are already imported is not even parsed. A PackError
        (with every problem) leaves the store untouched."""
        data = await asyncio.to_thread(read_pack_file, path)
        if not force and (known := await self._imported_from(data)) is not None:
            return ImportReport(known, skipped=True, parsed=False)
        from db.packs.check import check_pack_bytes  # only for a changed file (see import_checked)

        return await self.import_checked(check_pack_bytes(data, str(path)), force=force)

    async def _imported_from(self, data: bytes) -> str | None:
        """The key of the pack imported from exactly these bytes, if any."""
        return await self._db.fetch_value("SELECT key FROM packs WHERE file_digest = ?", (file_digest(data),))

    async def import_files(self, paths: Sequence[Path]) -> list[ImportReport]:
        """Start-up: every pack checked first (unchanged files skipped), all problems of all files
        reported together; then each imported. Two files with the same pack id are a problem too.
        Each file is read once: the bytes that were hashed are the bytes that are checked."""
        checked: list[tuple[CheckedPack, bytes]] = []
        reports: list[ImportReport] = []
        errors: list[PackError] = []
        owners: dict[str, Path] = {}
        syncers: dict[int, Path] = {}  # two packs syncing one show would each adopt it from the other
        for path in paths:
            try:
                data = await asyncio.to_thread(read_pack_file, path)
                if (known := await self._imported_from(data)) is not None:
                    reports.append(ImportReport(known, skipped=True, parsed=False))
                    key = known
                    synced = await self._tvmaze_shows.by_pack(known)
                    show = synced.show_id if synced is not None else None
                else:
                    from db.packs.check import check_pack_bytes  # only for a changed file (see import_checked)

                    pack = check_pack_bytes(data, str(path))
                    checked.append((pack, data))
                    key = pack.spec.pack.id
                    show = pack.spec.sync.tvmaze if pack.spec.sync is not None else None
            except PackError as exc:
                errors.append(exc)
                continue
            if key in owners:
                errors.append(PackError(str(path), [Problem(("pack", "id"), None, f"pack id `{key}` is also the id in {owners[key]}")]))
            owners[key] = path
            if show is not None and show in syncers:
                also = f"TVmaze show {show} is also synced by {syncers[show]}"
                errors.append(PackError(str(path), [Problem(("sync", "tvmaze"), None, also)]))
            elif show is not None:
                syncers[show] = path
        if errors:
            raise PackErrors(errors)
        for pack, data in checked:
            reports.append(await self._import_or_overlay(pack, data))
        return reports

    async def _import_or_overlay(self, pack: CheckedPack, data: bytes) -> ImportReport:
        """A pack declaring `sync: {tvmaze: ID}` is the hand-written overlay of a TVmaze fandom. Once
        the fandom is synced, a changed file only replaces the overlay and makes the show due (the next
        sync merges it with TVmaze's data), so its episodes never vanish in between. A fandom of that show
        already on the bot under another id (a server added it) is adopted the same way, under the pack's
        id. Otherwise the file is imported as written and registered, due for its first sync."""
        spec, tvmaze = pack.spec, self._tvmaze_shows
        if spec.sync is None:
            return await self.import_checked(pack)
        text = data.decode("utf-8")
        async with tvmaze.lock(spec.sync.tvmaze):  # a server adding the same show meanwhile waits, then joins
            synced = await tvmaze.by_show(spec.sync.tvmaze)
            if synced is not None and synced.pack_key == spec.pack.id:
                await self._keep_overlay(pack, text)
                return ImportReport(spec.pack.id, skipped=True)
            if synced is not None:
                if await self._db.fetch_value("SELECT id FROM packs WHERE key = ?", (spec.pack.id,)) is None:
                    return await self._adopt(pack, text, synced.pack_key, synced.show_id)
                raise PackErrors([PackError(pack.filename, [Problem(("sync", "tvmaze"), None, (
                    f"TVmaze show {spec.sync.tvmaze} is already synced by the fandom `{synced.pack_key}`, and pack "
                    f"`{spec.pack.id}` is on the bot too; remove one of them (`python -m db remove ID`) and start again"
                ))])])
            async with self._db.transaction():
                report = await self.import_checked(pack)
                await tvmaze.register(spec.pack.id, spec.sync.tvmaze, overlay=text, show_updated=None, now=datetime.now(UTC))
            return report

    async def _keep_overlay(self, pack: CheckedPack, text: str) -> None:
        """The synced fandom keeps its rows; the file becomes its overlay, merged by the next sync."""
        async with self._db.transaction() as conn:
            await self._tvmaze_shows.set_overlay(pack.spec.pack.id, text)
            await conn.execute("UPDATE packs SET file_digest = ?, location = ? WHERE key = ?",
                               (pack.file_digest, pack.filename, pack.spec.pack.id))

    async def _adopt(self, pack: CheckedPack, text: str, previous: str, show_id: int) -> ImportReport:
        """Take over the fandom `previous` under the pack's id: the same pack row, so every row that
        points at its releases, characters and series (polls, reminders, servers' dates) stays valid;
        the servers following it follow it under the new id."""
        key = pack.spec.pack.id
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE packs SET key = ? WHERE key = ?", (key, previous))
            await conn.execute(
                """INSERT INTO guild_fandoms (guild_id, pack_key, followed_by, followed_at, follows)
                   SELECT guild_id, ?, followed_by, followed_at, follows FROM guild_fandoms WHERE pack_key = ?
                   ON CONFLICT (guild_id, pack_key) DO NOTHING""",
                (key, previous),
            )
            followers = await conn.execute("DELETE FROM guild_fandoms WHERE pack_key = ?", (previous,))
            await self._keep_overlay(pack, text)
            await self._bump(conn, key)
            await self._db.notify(FANDOMS_CHANNEL)  # every process forgets which keys each server follows
        return ImportReport(key, skipped=True, adopted=Adoption(previous, show_id, followers))

    async def export(self, key: str) -> PackSpec | None:
        from db.repos.packs.export import export_pack  # builds the pack format's models (see import_checked)

        return await export_pack(self._db, key)

    async def remove(self, key: str) -> RemovalReport | None:
        """Take a pack out in one transaction, keeping every guild's data; None if there is no such pack."""
        async with self._db.transaction() as conn:
            report = await remove_pack(conn, key)
            if report is not None:
                await self._bump(conn, key)
        return report

    async def _bump(self, conn: Connection, pack_key: str) -> None:
        """The facts of `pack_key` changed in this transaction: a new generation, logged with the pack's key;
        the other processes are told, and this one publishes the change once it commits."""
        await self._db.notify(FACTS_CHANNEL)  # the other processes rebuild at once (see bot/scheduling/facts_watch.py)
        self._db.after_commit(lambda: self._facts.publish({pack_key}))
        row = await conn.fetch_one(
            "INSERT INTO meta (key, value) VALUES (?, '1') "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT) RETURNING value",
            (GENERATION,),
        )
        assert row is not None
        generation = int(row[0])
        await conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"{CHANGE_LOG}{generation % CHANGES_KEPT}", f"{generation}:{pack_key}"),
        )

    async def changed_since(self, generation: int) -> tuple[int, frozenset[str] | None]:
        """The current generation and the packs changed after `generation`; None when the log no longer
        reaches back that far (then the caller treats every pack as changed)."""
        rows = await self._db.fetch_all("SELECT key, value FROM meta WHERE key = ? OR key LIKE ?", (GENERATION, f"{CHANGE_LOG}%"))
        current = next((int(r[1]) for r in rows if r[0] == GENERATION), 0)
        logged = dict(r[1].split(":", 1) for r in rows if r[0] != GENERATION)
        wanted = [str(g) for g in range(generation + 1, current + 1)]
        if len(wanted) > CHANGES_KEPT or any(g not in logged for g in wanted):
            return current, None
        return current, frozenset(logged[g] for g in wanted)
