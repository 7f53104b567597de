"""Finding a character (or series) from what someone typed: exact, prefix, then fuzzy.

The index is built once in memory from the store's names and asked on every keystroke, so the common
case — a prefix — is a binary search, and rapidfuzz runs only when prefixes find too little.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

SHORT_PREFIX = 3  # prefixes this short match thousands of names in a big pack: their answers are precomputed
ACCEPT_SCORE = 85.0  # a typed name at least this close is taken as meant
SUGGEST_SCORE = 55.0  # closer than this is worth a "did you mean"
COMPLETE_SCORE = 60.0
_KIND_RANK = {"name": 0, "hero": 1, "title": 1, "alias": 2, "actor": 3}
_PUNCTUATION = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Élektra' → 'elektra', 'The Punisher' → 'punisher'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _PUNCTUATION.sub(" ", stripped.casefold()).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One searchable text for a target (a character or series id)."""

    target: int
    label: str  # the target's canonical name, shown to people
    text: str  # the name that was matched: canonical, hero name, alias, actor
    kind: str


@dataclass(frozen=True, slots=True)
class Match:
    entry: IndexEntry
    score: float

    @property
    def target(self) -> int:
        return self.entry.target


class NameIndex:
    """`strict` accepts a typed name only when it is close as a whole (no partial matches): for titles
    such as releases, where "Daredevil: Born Again" must not be taken for "Daredevil season 1"."""

    def __init__(self, entries: Iterable[IndexEntry], defaults: Sequence[int] = (), *, strict: bool = False) -> None:
        self._strict = strict
        self._entries = list(entries)
        self._folded = [fold(e.text) for e in self._entries]
        self._exact: dict[str, list[int]] = {}
        for i, key in enumerate(self._folded):
            self._exact.setdefault(key, []).append(i)
        # Every word-start suffix of every name, sorted, so "cage" finds "luke cage" by bisection.
        suffixes: list[tuple[str, int]] = []
        for i, key in enumerate(self._folded):
            words = key.split(" ")
            suffixes.extend((" ".join(words[w:]), i) for w in range(len(words)))
        suffixes.sort()
        self._suffix_keys = [s for s, _ in suffixes]
        self._suffix_entries = [i for _, i in suffixes]
        # A suffix that is a whole name outranks one that starts a later word ("luke c" before "… luke").
        self._suffix_rank = [
            (0 if self._folded[i] == key else 1, *self._rank(i)) for key, i in suffixes
        ]
        self._short = self._short_prefix_answers()
        self._labels = {e.target: e.label for e in self._entries}
        self._defaults = list(defaults) or sorted(self._labels, key=lambda t: self._labels[t])

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, target: int) -> str | None:
        return self._labels.get(target)

    def exact(self, query: str) -> Match | None:
        """The target one of whose names is `query` (ignoring case, accents and punctuation)."""
        key = fold(query)
        if not key or key not in self._exact:
            return None
        return Match(self._entries[min(self._exact[key], key=self._rank)], 100.0)

    def best(self, query: str) -> Match | None:
        """The target meant by `query`, or None when nothing is close enough to be sure."""
        if (found_exact := self.exact(query)) is not None:
            return found_exact
        key = fold(query)
        if not key:
            return None
        found = self._fuzzy(key, limit=5, cutoff=ACCEPT_SCORE, scorer=fuzz.ratio if self._strict else fuzz.WRatio)
        return found[0] if found else None

    def suggest(self, query: str, limit: int = 3) -> list[Match]:
        """Close targets for a "did you mean", best first."""
        key = fold(query)
        return self._fuzzy(key, limit, SUGGEST_SCORE) if key else []

    def complete(self, query: str, limit: int = 25) -> list[Match]:
        """Autocomplete: defaults for nothing typed, prefixes first, then fuzzy matches."""
        key = fold(query)
        if not key:
            return [Match(self._canonical_entry(t), 0.0) for t in self._defaults[:limit]]
        if len(key) <= SHORT_PREFIX and limit <= 25:
            found = [Match(self._entries[i], 100.0) for i in self._short.get(key, [])[:limit]]
            return found or self._fuzzy(key, limit, COMPLETE_SCORE)
        found = self._prefixed(key, limit)
        # Fuzzy fill only once there is enough to go on: two letters match half the pack at 60%.
        if len(found) < limit and (len(key) >= 4 or not found):
            seen = {m.target for m in found}
            found += [m for m in self._fuzzy(key, limit, COMPLETE_SCORE) if m.target not in seen][: limit - len(found)]
        return found

    def _short_prefix_answers(self, keep: int = 25) -> dict[str, list[int]]:
        """prefix (1–SHORT_PREFIX letters) → the best entry per target, best first: built once, O(1) to ask."""
        answers: dict[str, list[int]] = {}
        for length in range(1, SHORT_PREFIX + 1):
            groups: dict[str, list[int]] = {}
            for pos, key in enumerate(self._suffix_keys):
                if len(key) >= length:
                    groups.setdefault(key[:length], []).append(pos)
            for prefix, positions in groups.items():
                chosen: list[int] = []
                seen: set[int] = set()
                for pos in heapq.nsmallest(keep * 4, positions, key=self._suffix_rank.__getitem__):
                    target = self._entries[self._suffix_entries[pos]].target
                    if target not in seen:
                        seen.add(target)
                        chosen.append(self._suffix_entries[pos])
                        if len(chosen) == keep:
                            break
                answers[prefix] = chosen
        return answers

    def _rank(self, i: int) -> tuple[int, int, str]:
        entry = self._entries[i]
        return (_KIND_RANK.get(entry.kind, 9), len(entry.text), entry.text)

    def _canonical_entry(self, target: int) -> IndexEntry:
        return IndexEntry(target, self._labels[target], self._labels[target], "name")

    def _prefixed(self, key: str, limit: int, scan: int = 2000) -> list[Match]:
        start = bisect.bisect_left(self._suffix_keys, key)
        hits: dict[int, tuple[tuple[int, int, int, str], int]] = {}
        for pos in range(start, min(start + scan, len(self._suffix_keys))):
            if not self._suffix_keys[pos].startswith(key):
                break
            i = self._suffix_entries[pos]
            whole = 0 if self._folded[i].startswith(key) else 1  # "luke c" beats "… luke"
            rank = (whole, *self._rank(i))
            target = self._entries[i].target
            if target not in hits or rank < hits[target][0]:
                hits[target] = (rank, i)
        ordered = sorted(hits.values())[:limit]
        return [Match(self._entries[i], 100.0 - rank[0]) for rank, i in ordered]

    def _fuzzy(self, key: str, limit: int, cutoff: float, scorer: Any = fuzz.WRatio) -> list[Match]:
        results = process.extract(key, self._folded, scorer=scorer, processor=None, limit=limit * 4, score_cutoff=cutoff)
        best: dict[int, Match] = {}
        for _text, score, i in sorted(results, key=lambda r: (-r[1], self._rank(r[2]))):
            target = self._entries[i].target
            if target not in best:
                best[target] = Match(self._entries[i], float(score))
        return list(best.values())[:limit]
