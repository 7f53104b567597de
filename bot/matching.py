"""Finding a character (or series) from what someone typed: exact, prefix, then fuzzy.

The index is built once in memory from the store's names and asked on every keystroke, so the common
case — a prefix — is a binary search. Fuzzy matching works word by word: each typed word is matched
against the index's vocabulary (rapidfuzz, in C), and only names holding a close word are scored.
A name scores by how close it is as a whole, or — when fewer words were typed than it has — by its
closest run of as many words (a first name, a surname), a little below a whole match. A name shorter
than what was typed is never found inside it, and reordered words count only when they are the same
words. Prominence (appearances) breaks near-ties.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

SHORT_PREFIX = 3  # prefixes this short match thousands of names in a big pack: their answers are precomputed
ACCEPT_SCORE = 85.0  # a typed name at least this close is taken as meant
SUGGEST_SCORE = 55.0  # closer than this is worth a "did you mean"
COMPLETE_SCORE = 60.0
NEAR_TIE = 3.0  # matches this close to the best are named too ("Also: …")
PART_WHOLE = 95.0  # typed words that are a run of a longer name's words, exactly
PART_FACTOR = 0.95  # a run of words close to what was typed scores a little below a whole name as close
REORDERED = 92.0  # the same words in another order
WORD_CUTOFF = 60.0  # a typed word this close to a vocabulary word makes its names candidates
WORD_LIMIT = 40  # vocabulary words considered per typed word
_NAME_RANK = {"name": 0, "alias": 2, "actor": 3}  # a pack's own kinds (nickname, title…) rank 1
_PUNCTUATION = re.compile(r"[^\w\s]")


def fold(text: str, *, keep_article: bool = False) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Élodie' → 'elodie', 'The Hound' → 'hound'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _PUNCTUATION.sub(" ", stripped.casefold()).split()
    if len(words) > 1 and words[0] == "the" and not keep_article:
        words = words[1:]
    return " ".join(words)


def kind_rank(kind: str) -> int:
    return _NAME_RANK.get(kind, 1)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One searchable text for a target (a character or series id)."""

    target: int
    label: str  # the target's canonical name, shown to people
    text: str  # the name that was matched: canonical, another name, actor
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
    such as releases, where "<series>: <subtitle>" must not be taken for "<series> season 1".

    `weights` (appearances, say) break near-ties and order the defaults; `shows` names where each
    target comes from, so namesakes from different shows can be told apart."""

    def __init__(
        self,
        entries: Iterable[IndexEntry],
        defaults: Sequence[int] = (),
        *,
        strict: bool = False,
        weights: dict[int, int] | None = None,
        shows: dict[int, str] | None = None,
    ) -> None:
        self._strict = strict
        self._entries = list(entries)
        self._folded = [fold(e.text) for e in self._entries]
        self._weights = weights or {}
        self._shows = shows or {}
        self._exact: dict[str, list[int]] = {}
        for i, key in enumerate(self._folded):
            self._exact.setdefault(key, []).append(i)
        # Every word-start suffix of every name, sorted, so "wheeler" finds "mike wheeler" by bisection; a
        # name that starts with "The" is also found by its article ("the h…" → "The Hound").
        suffixes: list[tuple[str, int]] = []
        self._words: dict[str, list[int]] = {}
        for i, key in enumerate(self._folded):
            words = key.split(" ")
            suffixes.extend((" ".join(words[w:]), i) for w in range(len(words)))
            with_article = fold(self._entries[i].text, keep_article=True)
            if with_article != key:
                suffixes.append((with_article, i))
            for word in dict.fromkeys(words):
                self._words.setdefault(word, []).append(i)
        suffixes.sort()
        self._vocabulary = list(self._words)
        self._suffix_keys = [s for s, _ in suffixes]
        self._suffix_entries = [i for _, i in suffixes]
        # A suffix that starts the name outranks one that starts a later word ("mike w" before "… mike").
        self._suffix_rank = [
            (0 if self._folded[i].startswith(key) or not self._folded[i] else 1, *self._rank(i)) for key, i in suffixes
        ]
        self._short = self._short_prefix_answers()
        self._labels = {e.target: e.label for e in self._entries}
        self._defaults = list(defaults) or sorted(self._labels, key=lambda t: self._labels[t])

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def targets(self) -> Iterable[int]:
        return self._labels.keys()

    def label(self, target: int) -> str | None:
        return self._labels.get(target)

    def show(self, target: int) -> str | None:
        return self._shows.get(target)

    def weight(self, target: int) -> int:
        return self._weights.get(target, 0)

    @property
    def defaults(self) -> list[int]:
        return self._defaults

    def exact_all(self, query: str) -> list[Match]:
        """Every target one of whose names is `query` (ignoring case, accents and punctuation), best first."""
        key = fold(query)
        if not key or key not in self._exact:
            return []
        best: dict[int, int] = {}
        for i in sorted(self._exact[key], key=self._rank):
            best.setdefault(self._entries[i].target, i)
        return [Match(self._entries[i], 100.0) for i in best.values()]

    def exact(self, query: str) -> Match | None:
        found = self.exact_all(query)
        return found[0] if found else None

    def best(self, query: str) -> Match | None:
        """The target meant by `query`, or None when nothing is close enough to be sure."""
        found = self.resolve(query)
        return found[0] if found else None

    def resolve(self, query: str) -> list[Match]:
        """The target meant first, then any others that fit about as well (empty: nothing is close enough)."""
        found = self.exact_all(query) or self.scored(query, ACCEPT_SCORE, 10)
        return [m for m in found if m.score >= found[0].score - NEAR_TIE] if found else []

    def suggest(self, query: str, limit: int = 3) -> list[Match]:
        """Close targets for a "did you mean", best first."""
        return self.scored(query, SUGGEST_SCORE, limit)

    def complete(self, query: str, limit: int = 25) -> list[Match]:
        """Autocomplete: defaults for nothing typed, prefixes first, then fuzzy matches."""
        key = fold(query)
        if not key:
            return [Match(self._canonical_entry(t), 0.0) for t in self._defaults[:limit]]
        raw = fold(query, keep_article=True)
        if len(raw) <= SHORT_PREFIX and limit <= 25:
            found = [Match(self._entries[i], 100.0) for i in self._short.get(raw, [])[:limit]]
            return found or self.scored(query, COMPLETE_SCORE, limit)
        found = self._prefixed(raw, limit) if raw != key else []
        seen = {m.target for m in found}
        found += [m for m in self._prefixed(key, limit) if m.target not in seen]
        found = found[:limit]
        # Fuzzy fill only once there is enough to go on: two letters match half the pack at 60%.
        if len(found) < limit and (len(key) >= 4 or not found):
            seen = {m.target for m in found}
            found += [m for m in self.scored(query, COMPLETE_SCORE, limit) if m.target not in seen][: limit - len(found)]
        return found

    def scored(self, query: str, cutoff: float, limit: int) -> list[Match]:
        """Targets scoring at least `cutoff`, best first: score, then prominence, then the plainer name."""
        key = fold(query)
        if not key:
            return []
        words = key.split(" ")
        best: dict[int, tuple[float, int]] = {}
        for i in self._candidates(words):
            score = self._score(key, words, i)
            if score < cutoff:
                continue
            target = self._entries[i].target
            if target not in best or (score, -self._rank(i)[0]) > (best[target][0], -self._rank(best[target][1])[0]):
                best[target] = (score, i)
        ordered = sorted(best.values(), key=lambda si: (-si[0], -self.weight(self._entries[si[1]].target), self._rank(si[1])))
        return [Match(self._entries[i], score) for score, i in ordered[:limit]]

    def _candidates(self, words: list[str]) -> set[int]:
        """Entries holding a word close to one typed: the only names worth scoring."""
        found: set[int] = set()
        for word in dict.fromkeys(words):
            if len(word) <= 2:
                found.update(self._words.get(word, ()))
                continue
            for close, _score, _ in process.extract(
                word, self._vocabulary, scorer=fuzz.ratio, processor=None, limit=WORD_LIMIT, score_cutoff=WORD_CUTOFF
            ):
                found.update(self._words[close])
        return found

    def _score(self, key: str, words: list[str], i: int) -> float:
        name = self._folded[i]
        whole = float(fuzz.ratio(key, name))
        if self._strict:
            return whole
        parts = name.split(" ")
        best = whole
        if len(parts) > len(words):
            n = len(words)
            for w in range(len(parts) - n + 1):
                run = " ".join(parts[w : w + n])
                best = max(best, PART_WHOLE if run == key else fuzz.ratio(key, run) * PART_FACTOR)
        elif len(words) > 1 and len(parts) == len(words) and sorted(parts) == sorted(words):
            best = max(best, REORDERED)
        return best

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

    def _rank(self, i: int) -> tuple[int, int, int, str]:
        """Which of several equally good names to prefer: the canonical name, the more prominent
        target, the shorter name."""
        entry = self._entries[i]
        return (kind_rank(entry.kind), -self._weights.get(entry.target, 0), len(entry.text), entry.text)

    def _canonical_entry(self, target: int) -> IndexEntry:
        return IndexEntry(target, self._labels[target], self._labels[target], "name")

    def _prefixed(self, key: str, limit: int, scan: int = 2000) -> list[Match]:
        start = bisect.bisect_left(self._suffix_keys, key)
        hits: dict[int, tuple[tuple[int, int, int, int, str], int]] = {}
        for pos in range(start, min(start + scan, len(self._suffix_keys))):
            if not self._suffix_keys[pos].startswith(key):
                break
            i = self._suffix_entries[pos]
            rank = self._suffix_rank[pos]
            target = self._entries[i].target
            if target not in hits or rank < hits[target][0]:
                hits[target] = (rank, i)
        ordered = sorted(hits.values())[:limit]
        return [Match(self._entries[i], 100.0 - rank[0]) for rank, i in ordered]


class ScopedIndex:
    """Several indexes (one per followed pack) asked as one. Namesakes from different packs are told
    apart by their show: "Claire Temple — <show>", which is also accepted as typed."""

    def __init__(self, indexes: Sequence[NameIndex]) -> None:
        self._indexes = list(indexes)
        self._home: dict[int, NameIndex] = {}
        for index in self._indexes:
            for target in index.targets:
                self._home[target] = index
        labels: dict[str, list[int]] = {}
        for target, index in self._home.items():
            labels.setdefault(fold(index.label(target) or ""), []).append(target)
        self._qualified: dict[str, int] = {}
        self._ambiguous: set[int] = set()
        for targets in labels.values():
            if len(targets) > 1:
                self._ambiguous.update(targets)
                for target in targets:
                    self._qualified[fold(self.display(target))] = target

    def __len__(self) -> int:
        return len(self._home)

    def label(self, target: int) -> str | None:
        index = self._home.get(target)
        return index.label(target) if index else None

    def display(self, target: int) -> str:
        """The label, with the show when another target in scope has the same label."""
        index = self._home[target]
        label = index.label(target) or ""
        show = index.show(target)
        return f"{label} — {show}" if target in self._ambiguous and show else label

    def _weight(self, m: Match) -> int:
        return self._home[m.target].weight(m.target)

    def _merge(self, lists: Iterable[list[Match]], limit: int) -> list[Match]:
        merged = sorted((m for found in lists for m in found), key=lambda m: (-m.score, -self._weight(m), kind_rank(m.entry.kind)))
        return merged[:limit]

    def exact(self, query: str) -> Match | None:
        found = self.resolve(query)
        return found[0] if found and found[0].score == 100.0 else None

    def resolve(self, query: str) -> list[Match]:
        """The target meant first, then others that fit about as well; empty when nothing is close enough."""
        if len(self._indexes) == 1 and not self._qualified:
            return self._indexes[0].resolve(query)
        if (target := self._qualified.get(fold(query))) is not None:
            return [Match(IndexEntry(target, self.label(target) or "", query, "name"), 100.0)]
        exact = self._merge((index.exact_all(query) for index in self._indexes), 10)
        found = exact or self._merge((index.scored(query, ACCEPT_SCORE, 10) for index in self._indexes), 10)
        return [m for m in found if m.score >= found[0].score - NEAR_TIE] if found else []

    def best(self, query: str) -> Match | None:
        found = self.resolve(query)
        return found[0] if found else None

    def suggest(self, query: str, limit: int = 3) -> list[Match]:
        return self._merge((index.suggest(query, limit) for index in self._indexes), limit)

    def complete(self, query: str, limit: int = 25) -> list[Match]:
        if len(self._indexes) == 1:
            return self._indexes[0].complete(query, limit)
        if not fold(query):
            defaults = [(index, t) for index in self._indexes for t in index.defaults]
            defaults.sort(key=lambda it: -it[0].weight(it[1]))
            return [Match(IndexEntry(t, index.label(t) or "", index.label(t) or "", "name"), 0.0) for index, t in defaults[:limit]]
        return self._merge((index.complete(query, limit) for index in self._indexes), limit)
