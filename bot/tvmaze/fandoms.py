"""Fandoms made from TVmaze shows and kept current: adding, refreshing, and the periodic sync pass.

No Discord here: the cog and the scheduled sync call this, and tests drive it against the local
TVmaze double and a real store. Every import is one store transaction (the pack and its sync record
together), so a failure — TVmaze down, an unknown id, an answer that is not a valid pack — raises
`TvmazeError` and changes nothing. A sync pass asks TVmaze's updates list once and fetches only the
shows whose change stamp moved; a show that fails is recorded and the pass goes on. Names another
open source gives a show (`ShowNames`: Wikidata's) are attached to every import of it, and fetched
after it, in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.tvmaze.client import TvmazeClient, UpdatesWindow
from bot.tvmaze.pack import merge, show_pack
from bot.tvmaze.records import Episode, Show, TvmazeError
from db import PackError, Store
from db.facts.wording import N_
from db.packs.problems import file_digest
from db.repos.packs.reports import ImportReport
from db.repos.tvmaze_shows import TvmazeShow

if TYPE_CHECKING:
    from db.packs.check import CheckedPack

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Graft = Callable[[dict[str, Any]], dict[str, Any]]  # pack data → pack data with more names, pure


class ShowNames(Protocol):
    """Names an open source gives a show's series and characters (bot/wikidata/aliases.py), kept with
    every import: what it has stored is attached to each import, and it hears of each to fetch more."""

    async def graft_for(self, show_id: int) -> Graft | None:
        """What attaches the stored names to the show's pack data; None when there are none."""
        ...

    def imported(self, show_id: int, *, first: bool, again: Callable[[], Awaitable[None]]) -> None:
        """The show was imported (`first`: its fandom was just made). Never waits: a fetch runs in the
        background and calls `again` to import the show once more when its names changed."""
        ...

    async def close(self) -> None:
        """Stop the fetches under way (the extension is unloading)."""
        ...


class FandomRemoved(Exception):
    """The fandom was removed (`python -m db remove`) while its show was being fetched: the removal
    stands, and nothing is imported."""


@dataclass(frozen=True, slots=True)
class FandomChange:
    """What one add, refresh or sync did to a fandom."""

    pack_key: str
    title: str
    show_id: int
    new: bool  # the fandom was not on the bot before
    report: ImportReport  # with `moved`: the episodes whose air instant changed, appeared or went


class TvmazeFandoms:
    def __init__(
        self, store: Store, client: TvmazeClient, clock: Clock, *, stale_after: timedelta, names: ShowNames | None = None
    ) -> None:
        self._store = store
        self._client = client
        self._clock = clock
        self._stale_after = stale_after  # TVMAZE_SYNC_HOURS: an older fandom is refreshed before it is reused
        self.names = names  # None: WIKIDATA_ALIASES=off, the pack has TVmaze's names alone
        # What an import made in the background (`import_again`) does with its change: the cog announces moves.
        self.changed: Callable[[FandomChange], Awaitable[None]] | None = None

    async def add(self, show_id: int) -> FandomChange:
        """The fandom of TVmaze show `show_id`: imported as `tvmaze-<id>`, or — if a pack already syncs
        that show — that pack, refreshed first when older than the sync period."""
        async with self._store.tvmaze_shows.lock(show_id):  # the same show added elsewhere: the later joins
            known = await self._store.tvmaze_shows.by_show(show_id)
            if known is None:
                show, report = await self._import(show_id, None, None)
                return FandomChange(report.pack, show.name, show_id, True, report)
            if self._clock() - known.synced_at < self._stale_after and known.show_updated is not None:
                return FandomChange(known.pack_key, known.title, show_id, False, ImportReport(known.pack_key, skipped=True))
            try:
                change = await self._refresh(known)
            except TvmazeError as exc:  # what the bot holds is still a fandom to follow
                log.warning("TVmaze show %d: refresh before reuse failed (%s); using what the bot has", show_id, exc)
                await self._store.tvmaze_shows.mark_failed(known.pack_key, str(exc), self._clock())
                return FandomChange(known.pack_key, known.title, show_id, False, ImportReport(known.pack_key, skipped=True))
            except FandomRemoved:  # removed meanwhile: this add makes it anew
                show, report = await self._import(show_id, None, None)
                return FandomChange(report.pack, show.name, show_id, True, report)
            return replace(change, new=False)

    async def refresh(self, key: str) -> FandomChange:
        """Import the fandom's show again now; a failure is recorded on it and raised."""
        known = await self._store.tvmaze_shows.by_pack(key)
        if known is None:
            raise TvmazeError("not_found", N_("The fandom {key} is not kept in step with TVmaze."), key=f"`{key}`")
        async with self._store.tvmaze_shows.lock(known.show_id):
            try:
                return await self._refresh(known)
            except TvmazeError as exc:
                await self._store.tvmaze_shows.mark_failed(known.pack_key, str(exc), self._clock())
                raise
            except FandomRemoved:
                raise TvmazeError("not_found", N_("The fandom {key} was removed from this bot meanwhile."), key=f"`{key}`") from None

    async def sync_pass(self) -> list[FandomChange]:
        """Every TVmaze fandom brought up to date: one updates request, then only the shows that changed
        (or whose overlay changed). Failures are recorded per show and never raised."""
        shows = await self._store.tvmaze_shows.all()
        if not shows:
            return []
        now = self._clock()
        try:
            stamps = await self._client.updated_shows(_window(now, shows))
        except TvmazeError as exc:
            log.warning("TVmaze sync skipped: the updates list failed (%s); next pass tries again", exc)
            for show in shows:
                await self._store.tvmaze_shows.mark_failed(show.pack_key, str(exc), now)
            return []
        due = [s for s in shows if _due(s, stamps, now)]
        await self._store.tvmaze_shows.mark_checked([s.pack_key for s in shows if s not in due], now)
        for show in shows:  # unchanged on TVmaze, but Wikidata may have more names by now (once a day at most)
            if show not in due:
                self._tell(show.show_id, first=False)
        changes = []
        for show in due:
            try:
                async with self._store.tvmaze_shows.lock(show.show_id):
                    changes.append(await self._refresh(show))
            except FandomRemoved:
                log.info("TVmaze sync: %s was removed during the pass; it stays removed", show.pack_key)
            except Exception as exc:  # one show's failure (even a bug) must not stop the pass
                if not isinstance(exc, TvmazeError):
                    log.exception("TVmaze sync of %s failed", show.pack_key)
                else:
                    log.warning("TVmaze sync of %s failed: %s", show.pack_key, exc)
                await self._store.tvmaze_shows.mark_failed(show.pack_key, str(exc) or type(exc).__name__, now)
        log.info("TVmaze sync: %d fandom(s), %d changed on TVmaze, %d imported", len(shows), len(due), len(changes))
        return changes

    async def import_again(self, show_id: int) -> None:
        """Import the show once more from what the client holds (TVmaze is asked only if that expired), so
        the names `ShowNames` just stored land. A failure is logged; the fandom keeps what it had."""
        async with self._store.tvmaze_shows.lock(show_id):
            known = await self._store.tvmaze_shows.by_show(show_id)
            if known is None:
                return  # removed meanwhile
            try:
                show, report = await self._import(show_id, known.overlay, known.location, existing=known.pack_key, tell=False)
            except FandomRemoved:
                return
            except TvmazeError as exc:
                log.warning("TVmaze show %d: importing it again with new names failed (%s)", show_id, exc)
                return
        if report.moved and self.changed is not None:  # TVmaze was asked again meanwhile, and episodes moved
            await self.changed(FandomChange(report.pack, known.title if known.overlay else show.name, show_id, False, report))

    # --- importing --------------------------------------------------------------------------

    async def _refresh(self, known: TvmazeShow) -> FandomChange:
        """Import the fandom's show again, unless the fandom was removed meanwhile (`FandomRemoved`)."""
        self._client.forget(known.show_id)  # ask TVmaze, not the cache
        show, report = await self._import(known.show_id, known.overlay, known.location, existing=known.pack_key)
        return FandomChange(report.pack, known.title if known.overlay else show.name, known.show_id, False, report)

    async def _import(
        self, show_id: int, overlay: str | None, location: str | None, *, existing: str | None = None, tell: bool = True
    ) -> tuple[Show, ImportReport]:
        """The show as a fandom; with `existing`, only over that fandom, if it is still there. With `tell`,
        `ShowNames` hears of the import once it committed."""
        show = await self._client.show(show_id)
        episodes = await self._client.episodes(show_id)  # the embedded list leaves specials out
        graft = await self.names.graft_for(show_id) if self.names is not None else None
        checked = await asyncio.to_thread(_checked, show, episodes, overlay, location, graft)
        async with self._store.transaction():
            if existing is not None and not await self._store.tvmaze_shows.hold(existing, show_id):
                raise FandomRemoved(existing)
            report = await self._store.packs.import_checked(checked)
            await self._store.tvmaze_shows.register(
                checked.spec.pack.id, show_id, overlay=overlay, show_updated=show.updated, now=self._clock()
            )
        log.info("TVmaze show %d (%s): %s; %d moved", show_id, show.name, report.summary(), len(report.moved))
        if tell:
            self._tell(show_id, first=existing is None)
        return show, report

    def _tell(self, show_id: int, *, first: bool) -> None:
        """`ShowNames` hears that the show is current; it fetches more names in the background when due."""
        if self.names is not None:
            self.names.imported(show_id, first=first, again=lambda: self.import_again(show_id))


def _checked(
    show: Show, episodes: tuple[Episode, ...], overlay: str | None, location: str | None, graft: Graft | None = None
) -> CheckedPack:
    """The show as a checked pack, merged into its overlay when it has one, with the names `graft`
    attaches (CPU work: run in a thread). A merged pack remembers its file's digest and place, so
    start-up still knows the file unchanged."""
    # Imported here, as in _with_names: the pack format (pydantic models, YAML) is loaded by the first
    # TVmaze import, not by every running bot (~5 MiB less RSS for one that imports nothing).
    from db.packs.check import check_pack_text

    data = show_pack(show, episodes)
    name = location or show.url
    try:
        if overlay is not None:
            data = merge(data, check_pack_text(overlay, name).spec)
        checked = _with_names(data, name, graft)
        return checked if overlay is None else replace(checked, file_digest=file_digest(overlay.encode()))
    except PackError as exc:
        log.warning("TVmaze show %d did not make a valid pack:\n%s", show.id, exc)
        raise TvmazeError("malformed", N_("TVmaze's data for show {id} could not be made into a fandom."), id=show.id) from None


def _with_names(data: dict[str, Any], name: str, graft: Graft | None) -> CheckedPack:
    """The pack with the grafted names; without them should they not make a valid pack (the import
    never fails for another source's names)."""
    from db.packs.check import check_pack_data  # only when importing (see _checked)

    if graft is None:
        return check_pack_data(data, name)
    try:
        grafted = graft(data)
    except Exception:  # a bug in attaching them must not cost the import either
        log.exception("%s: attaching the names from another source failed; imported without them", name)
        return check_pack_data(data, name)
    try:
        return check_pack_data(grafted, name)
    except PackError as exc:
        log.warning("%s: the names from another source did not fit the pack; imported without them:\n%s", name, exc)
    return check_pack_data(data, name)


def _due(show: TvmazeShow, stamps: dict[int, int], now: datetime) -> bool:
    """Changed on TVmaze since the last import, its overlay changed, or not checked within a month."""
    if show.show_updated is None or now - show.synced_at > timedelta(days=30):
        return True
    return stamps.get(show.show_id, show.show_updated) != show.show_updated


def _window(now: datetime, shows: list[TvmazeShow]) -> UpdatesWindow:
    """The shortest updates window that covers every show since its last successful check."""
    oldest = now - min(s.synced_at for s in shows)
    return "day" if oldest < timedelta(hours=23) else "week" if oldest < timedelta(days=6) else "month"
