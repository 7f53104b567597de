"""Name indexes shared by every cog: one per pack, built in memory and rebuilt only when the facts
change; a guild searches the packs it follows through a `ScopedIndex` over theirs."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from bot.search.matching import IndexEntry, NameIndex
from bot.search.scoped_index import Hidden, ScopedIndex
from bot.search.variants import variant_status, variants_of
from bot.spoilers.sight import Sight
from db import Store
from db.facts.models import Character, EpisodeMark, NameEntry, SeriesSummary, ShipSummary

log = logging.getLogger(__name__)


PROFILE_CACHE = 4096  # character profiles kept in memory; facts change only when a pack is imported
SCOPE_CACHE = 256  # distinct combinations of followed packs kept ready
KINDS = {"characters": "character", "series": "series", "ships": "ship"}  # what a reference (`series:12`) names
HIDDEN_CACHE = 1024  # (scope, sight) pairs whose hidden names are kept: positions move once an episode a week
Marks = tuple[EpisodeMark, ...]


@dataclass(frozen=True, slots=True)
class PackMarks:
    """A pack's names that a reader may not see yet: targets known only from an episode on, and single
    names revealed later, with the marks each needs watched. Few (those a pack marks `since:`), so what
    a sight hides is worked out from these alone, never from the whole index."""

    targets: dict[int, Marks]
    names: dict[tuple[int, str], Marks]


NO_MARKS = PackMarks({}, {})


@dataclass(frozen=True, slots=True)
class PackIndexes:
    characters: NameIndex
    series: NameIndex
    ships: NameIndex  # by the names fans give a pair ("Jancy")
    character_marks: PackMarks = NO_MARKS
    ship_marks: PackMarks = NO_MARKS
    marked_series: frozenset[int] = frozenset()  # every series a fact of the pack is revealed in


class Directory:
    """Characters and series by name, and character profiles. Cheap to ask on every keystroke and
    every lookup: a revision check, the guild's packs (remembered), then memory."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = asyncio.Lock()
        self._revision = -1
        self._packs: dict[int, PackIndexes] = {}
        self._scopes: OrderedDict[tuple[str, tuple[int, ...]], ScopedIndex] = OrderedDict()
        self._profiles: OrderedDict[tuple[int, tuple[int, ...]], Character | None] = OrderedDict()
        self._hidden: OrderedDict[tuple[str, tuple[int, ...], Sight], Hidden] = OrderedDict()
        self._marked: dict[tuple[int, ...], tuple[int, ...]] = {}  # per set of packs: the series their marks name

    async def character(self, character_id: int, guild_id: int | None) -> Character | None:
        """A character's full profile as this guild sees it, from memory after the first ask."""
        await self._refresh()
        key = (character_id, await self._store.fandoms.visible(guild_id))
        if key in self._profiles:
            self._profiles.move_to_end(key)
            return self._profiles[key]
        revision = self._revision
        profile = await self._store.characters.get(character_id, guild_id)
        if revision == self._store.facts.revision:  # not rebuilt meanwhile: safe to keep
            self._profiles[key] = profile
            if len(self._profiles) > PROFILE_CACHE:
                self._profiles.popitem(last=False)
        return profile

    @property
    def revision(self) -> int:
        """The facts revision the in-memory data was built from (for caches layered on top)."""
        return self._revision

    async def characters(self, guild_id: int | None) -> ScopedIndex:
        """The characters of the fandoms this guild follows."""
        return await self._scoped("characters", guild_id)

    async def series(self, guild_id: int | None) -> ScopedIndex:
        return await self._scoped("series", guild_id)

    async def ships(self, guild_id: int | None) -> ScopedIndex:
        """The ships of the fandoms this guild follows, by their names; a target is a ship id."""
        return await self._scoped("ships", guild_id)

    async def index(self, what: str, guild_id: int | None) -> ScopedIndex:
        """The guild's index of `what` ("characters", "series", "ships"), hiding nothing."""
        return await self._scoped(what, guild_id)

    async def marked_series(self, guild_id: int | None) -> tuple[int, ...]:
        """The series whose episodes reveal any fact of this guild's fandoms (a name, an appearance, an
        event, a relationship, a ship): a reader's positions there decide what a lookup and its card may
        show, read in one trip (none: nothing to hide, nothing to ask)."""
        await self._refresh()
        packs = await self._store.fandoms.visible(guild_id)
        found = self._marked.get(packs)
        if found is None:
            found = self._marked[packs] = tuple(sorted(set().union(*(
                self._packs[p].marked_series for p in packs if p in self._packs
            ))))
            if len(self._marked) > SCOPE_CACHE:
                self._marked.pop(next(iter(self._marked)))
        return found

    async def seen(self, what: str, guild_id: int | None, sight: Sight) -> ScopedIndex:
        """The guild's index of `what` without what `sight` may not see: hidden names are not found,
        completed or suggested. Worked out once per scope and sight from the packs' marked names."""
        index = await self._scoped(what, guild_id)
        packs = await self._store.fandoms.visible(guild_id)
        key = (what, packs, sight)
        hidden = self._hidden.get(key)
        if hidden is None:
            targets: set[int] = set()
            names: set[tuple[int, str]] = set()
            for pack in packs:
                marks = self._marks(what, pack)
                targets.update(t for t, needed in marks.targets.items() if not sight.sees_all(needed))
                names.update(n for n, needed in marks.names.items() if not sight.sees_all(needed))
            hidden = self._hidden[key] = Hidden(frozenset(targets), frozenset(names))
            if len(self._hidden) > HIDDEN_CACHE:
                self._hidden.popitem(last=False)
        else:
            self._hidden.move_to_end(key)
        return index.hiding(hidden)

    def _marks(self, what: str, pack_id: int) -> PackMarks:
        indexes = self._packs.get(pack_id)
        if indexes is None:
            return NO_MARKS
        return indexes.character_marks if what == "characters" else indexes.ship_marks if what == "ships" else NO_MARKS

    async def _scoped(self, what: str, guild_id: int | None) -> ScopedIndex:
        await self._refresh()
        packs = await self._store.fandoms.visible(guild_id)
        key = (what, packs)
        found = self._scopes.get(key)
        if found is None:
            indexes = [getattr(self._packs[p], what) for p in packs if p in self._packs]
            found = self._scopes[key] = ScopedIndex(indexes, KINDS[what])
            if len(self._scopes) > SCOPE_CACHE:
                self._scopes.popitem(last=False)
        else:
            self._scopes.move_to_end(key)
        return found

    async def warm(self) -> None:
        """Build the indexes now rather than on the first keystroke."""
        await self._refresh()

    async def _refresh(self) -> None:
        if self._revision == self._store.facts.revision:
            return
        async with self._lock:
            revision = self._store.facts.revision
            if self._revision == revision:
                return
            started = time.perf_counter()
            series = await self._store.series.summaries_by_pack()
            ships = await self._store.ships.summaries_by_pack()
            marked = await self._store.characters.marked_series_by_pack()
            statuses = await self._store.characters.relationship_statuses_by_pack()
            titles = {p.id: p.title for p in await self._store.packs.all()}
            packs: dict[int, PackIndexes] = {}
            for pack_id, title in titles.items():
                # One pack at a time: a pack's rows are let go before the next pack's are read, so their
                # memory is reused (the rows of 20,000 characters read at once grew the process by 26 MiB
                # that it kept). Building 20,000 characters' indexes takes a CPU-second: in a thread, so
                # the event loop keeps answering (heartbeats, commands that need no index) meanwhile.
                names = await self._store.characters.name_entries_by_pack(pack_id)
                prominence = await self._store.characters.prominence_by_pack(pack_id)
                packs |= await asyncio.to_thread(
                    _build_frozen, {pack_id: title}, names, prominence, series, ships, marked, statuses
                )
                del names, prominence
            self._packs = packs
            self._scopes.clear()
            everything = tuple(sorted(packs))
            for what in ("characters", "series"):  # the scope of a server that follows every fandom, ready
                self._scopes[(what, everything)] = ScopedIndex([getattr(packs[p], what) for p in everything], KINDS[what])
            self._profiles.clear()
            self._hidden.clear()
            self._marked.clear()
            self._revision = revision
            log.info(
                "name indexes built: %d characters, %d series in %d pack(s) in %.1f ms",
                sum(len(p.characters) for p in packs.values()), sum(len(p.series) for p in packs.values()),
                len(packs), (time.perf_counter() - started) * 1000,
            )


def _build_frozen(*facts: Any) -> dict[int, PackIndexes]:
    """`_build`, with the cyclic collector paused meanwhile (the indexes are a million objects that are
    not garbage: collecting as they are made costs a third of the build), and the result frozen out
    of later collections — a full collection over them would stall a lookup for tens of milliseconds."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.unfreeze()  # the indexes this build replaces may be collected once let go
        packs = _build(*facts)
        gc.freeze()
        return packs
    finally:
        if was_enabled:
            gc.enable()


def _build(
    titles: dict[int, str],
    names: dict[int, list[NameEntry]],
    prominence: dict[int, list[tuple[int, int, str | None]]],
    series: dict[int, list[SeriesSummary]],
    ships: dict[int, list[ShipSummary]],
    marked: dict[int, frozenset[int]],
    statuses: dict[int, list[tuple[int, int, str]]] | None = None,
) -> dict[int, PackIndexes]:
    """Each pack's name indexes: characters ranked by prominence, series by title and aliases."""
    packs: dict[int, PackIndexes] = {}
    for pack_id, title in titles.items():
        ranked = prominence.get(pack_id, [])
        weights = {cid: seen for cid, seen, _ in ranked}
        pack_names = names.get(pack_id, [])
        characters = NameIndex(
            (IndexEntry(n.character_id, n.character_name, n.text, n.kind) for n in pack_names),
            defaults=[cid for cid, _, _ in ranked],
            weights=weights,
            shows={cid: first or title for cid, _, first in ranked},
            variants=variants_of(
                {n.character_id: n.character_name for n in pack_names if n.kind == "name"}, weights,
                ((first, second) for first, second, status in (statuses or {}).get(pack_id, ()) if variant_status(status)),
            ),
        )
        pack_series = series.get(pack_id, [])
        pack_ships = ships.get(pack_id, [])
        packs[pack_id] = PackIndexes(
            characters,
            NameIndex(
                [IndexEntry(s.id, s.title, s.title, "name") for s in pack_series]
                + [IndexEntry(s.id, s.title, alias, "alias") for s in pack_series for alias in s.aliases],
                shows={s.id: title for s in pack_series},
            ),
            NameIndex(
                [
                    IndexEntry(s.id, s.names[0], name, "name" if i == 0 else "alias")
                    for s in ships.get(pack_id, []) for i, name in enumerate(s.names)
                ],
                shows={s.id: title for s in ships.get(pack_id, [])},
            ),
            _character_marks(names.get(pack_id, [])),
            PackMarks({s.id: s.marks for s in pack_ships if s.marks}, {}),
            marked.get(pack_id, frozenset()),
        )
    return packs


def _character_marks(entries: list[NameEntry]) -> PackMarks:
    """Characters known from an episode on, and names revealed later: a name's text is hidden only when
    every entry with that text is (an actor credited again without a mark stays findable)."""
    targets: dict[int, Marks] = {}
    names: dict[tuple[int, str], list[Marks]] = {}
    plain: set[tuple[int, str]] = set()
    for n in entries:
        if n.character_since is not None:
            targets[n.character_id] = (n.character_since,)
        key = (n.character_id, n.text)
        if n.since is None or n.kind == "name":
            plain.add(key)
        else:
            names.setdefault(key, []).append((n.since,))
    return PackMarks(targets, {
        key: min(marks, key=lambda m: m[0].order) for key, marks in names.items() if key not in plain
    })
