"""Several name indexes — one per fandom a server follows — asked as one."""

from __future__ import annotations

import copy
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.input.autocomplete import reference, referenced
from bot.search.matching import (
    ACCEPT_SCORE,
    COMPLETE_SCORE,
    NEAR_TIE,
    SUGGEST_SCORE,
    Hit,
    IndexEntry,
    Match,
    NameIndex,
    Vocabulary,
    folded_query,
    kind_rank,
)
from bot.search.variants import below_originals


@dataclass(frozen=True, slots=True)
class Hidden:
    """What a reader may not be shown yet: targets as a whole, and single names of a target (an alias
    revealed later), by the text of the name."""

    targets: frozenset[int] = frozenset()
    names: frozenset[tuple[int, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.targets or self.names)

    def __len__(self) -> int:
        return len(self.targets) + len(self.names)

    def hides(self, match: Match) -> bool:
        return match.target in self.targets or (match.target, match.entry.text) in self.names


NOTHING_HIDDEN = Hidden()


class ScopedIndex:
    """Several indexes (one per followed pack) asked as one. Namesakes from different packs are told
    apart by their show: "Claire Temple — <show>", which is also accepted as typed. A `kind` index
    also resolves the reference `<kind>:<id>` that autocomplete sends for a name too long to be a value."""

    _hidden: Hidden = NOTHING_HIDDEN

    def __init__(self, indexes: Sequence[NameIndex], kind: str = "") -> None:
        self._indexes = list(indexes)
        self.kind = kind
        self._size = sum(len(index) for index in self._indexes)
        self._vocabulary = Vocabulary(self._indexes) if len(self._indexes) > 1 else None
        # Labels in more than one index (set operations on each index's folded labels, in C).
        seen: set[str] = set()
        shared: set[str] = set()
        for index in self._indexes:
            labels = index.folded_labels
            shared |= labels & seen
            seen |= labels
        shared.update(key for index in self._indexes for key, targets in index.labelled(shared) if len(targets) > 1)
        self._ambiguous: set[int] = set()
        self._qualified: dict[str, int] = {}  # fold("label — show") → target, without folding each again
        for index in self._indexes:
            for key, targets in index.labelled(shared):
                self._ambiguous.update(targets)
                for target in targets:
                    if index.show(target):
                        self._qualified[f"{key} {index.folded_show(target)}"] = target

    def __len__(self) -> int:
        return self._size

    def hiding(self, hidden: Hidden) -> ScopedIndex:
        """The same index as a reader sees it: what `hidden` names is never found, completed or suggested
        (the indexes are shared, not copied; nothing is filtered when nothing is hidden)."""
        if not hidden and not self._hidden:
            return self
        seen = copy.copy(self)
        seen._hidden = hidden
        return seen

    def _visible(self, found: list[Match]) -> list[Match]:
        hidden = self._hidden
        return [m for m in found if not hidden.hides(m)] if hidden else found

    def _asked(self, ask: Callable[[int], list[Match]], limit: int) -> list[Match]:
        """`ask` for `limit` answers without what is hidden: a few more are asked for at once (a reader
        hides a fraction of the names), twice as many only if that fell short — both within what the
        indexes keep ready, so a prefix whose first fifty names are mostly hidden offers fewer choices
        rather than scanning the index."""
        if not self._hidden:
            return ask(limit)
        asked = limit + min(len(self._hidden), max(limit // 2, 3))
        found = ask(asked)
        kept = self._visible(found)
        if len(kept) < limit and len(found) == asked:
            kept = self._visible(ask(2 * limit))
        return kept[:limit]

    def _home(self, target: int) -> NameIndex | None:
        for index in self._indexes:
            if index.label(target) is not None:
                return index
        return None

    def label(self, target: int) -> str | None:
        index = self._home(target)
        return index.label(target) if index else None

    def display(self, target: int) -> str:
        """The label, with the show when another target in scope has the same label."""
        index = self._home(target)
        if index is None:
            return ""
        label = index.label(target) or ""
        show = index.show(target)
        return f"{label} — {show}" if target in self._ambiguous and show else label

    def _merge(self, ask: Callable[[NameIndex], list[Match]], limit: int) -> list[Match]:
        """Each index's answer to `ask`, merged: score, then prominence, then the plainer kind of name."""
        ranked = [
            (-m.score, m.entry.kind == "actor", -index.weight(m.target), kind_rank(m.entry.kind), n, m)
            for index in self._indexes
            for n, m in enumerate(ask(index))
        ]
        return [row[-1] for row in heapq.nsmallest(limit, ranked, key=lambda row: row[:5])]

    def _merge_hits(self, ask: Callable[[NameIndex], list[Hit]], limit: int) -> list[Match]:
        """`_merge` of hits: only those kept are made into Matches (4 indexes answer 100 to keep 25)."""
        ranked = [row for index in self._indexes for row in index.merge_rows(ask(index))]
        return [row[5].matches(((row[6], row[7]),))[0] for row in heapq.nsmallest(limit, ranked, key=lambda row: row[:5])]

    def exact(self, query: str) -> Match | None:
        found = self.resolve(query)
        return found[0] if found and found[0].score == 100.0 else None

    def reference(self, target: int) -> str | None:
        """What autocomplete sends for a target whose name is too long to be a choice's value."""
        return reference(self.kind, target) if self.kind else None

    def resolve(self, query: str) -> list[Match]:
        """The target meant first, then others that fit about as well; empty when nothing is close enough
        (or when what fits is hidden from this reader: a hidden name is not found, not even said to exist)."""
        found = self._visible(self._resolve(query))
        return [m for m in found if m.score >= found[0].score - NEAR_TIE] if found else []

    def _resolve(self, query: str) -> list[Match]:
        if self.kind and (target := referenced(self.kind, query)) is not None:
            label = self.label(target)
            return [Match(IndexEntry(target, label, label, "name"), 100.0)] if label is not None else []
        if len(self._indexes) == 1 and not self._qualified:
            return self._indexes[0].resolve(query)
        if (target := self._qualified.get(folded_query(query))) is not None:
            return [Match(IndexEntry(target, self.label(target) or "", query, "name"), 100.0)]
        exact = self._merge(lambda index: index.exact_all(query, 10), 10)
        if exact:
            home = self._home(exact[0].target)
            weight = home.weight(exact[0].target) if home else 0
            seen = {m.target for m in exact}
            found = self._merge(lambda index: index.exact_all(query, 10) + [
                m for m in index.holders(query, weight) if m.target not in seen
            ], 10)
        else:
            found = self._merge_hits(
                lambda index: index.sure_hits(
                    query, index.scored_hits(query, ACCEPT_SCORE, 10, len(self._indexes), self._vocabulary)
                ),
                10,
            )
        found = self._originals_first(found)
        return [m for m in found if m.score >= found[0].score - NEAR_TIE] if found else []

    def _originals_first(self, found: list[Match]) -> list[Match]:
        """Each variant just after its original from the same pack (`NameIndex.originals_first`)."""
        if len(found) < 2:
            return found
        return below_originals(found, lambda m: m.target, lambda m: m.score, self._original, NEAR_TIE)

    def _original(self, target: int) -> int | None:
        index = self._home(target)
        return index.original(target) if index else None

    def best(self, query: str) -> Match | None:
        found = self.resolve(query)
        return found[0] if found else None

    def suggest(self, query: str, limit: int = 3) -> list[Match]:
        return self._asked(
            lambda n: self._merge_hits(
                lambda index: index.scored_hits(query, SUGGEST_SCORE, n, len(self._indexes), self._vocabulary), n
            ),
            limit,
        )

    def complete(self, query: str, limit: int = 25) -> list[Match]:
        return self._asked(lambda n: self._complete(query, n), limit)

    def _complete(self, query: str, limit: int) -> list[Match]:
        if len(self._indexes) == 1:
            return self._indexes[0].complete(query, limit)
        if not folded_query(query):
            defaults = [(index, t) for index in self._indexes for t in index.defaults]
            defaults.sort(key=lambda it: -it[0].weight(it[1]))
            return [Match(IndexEntry(t, index.label(t) or "", index.label(t) or "", "name"), 0.0) for index, t in defaults[:limit]]
        found = self._merge_hits(lambda index: index.complete_hits(query, limit, fuzzy=False), limit)
        if not found:
            found = self._merge_hits(
                lambda index: index.scored_hits(query, COMPLETE_SCORE, limit, len(self._indexes), self._vocabulary), limit
            )
        return self._originals_first(found)
