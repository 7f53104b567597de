"""Finding a character (or series) from what someone typed: exact, prefix, then fuzzy.

The index is built once in memory from the store's names and asked on every keystroke, so the common
case — a prefix — is a binary search. Fuzzy matching works word by word: each typed word is matched
against the index's vocabulary (rapidfuzz, in C), and only names holding a close word are scored.
A name scores by how close it is as a whole, or — when fewer words were typed than it has — by its
closest run of as many words (a first name, a surname), a little below a whole match. A name shorter
than what was typed is never found inside it, and reordered words count only when they are the same
words. Prominence (a pack's `prominence:`, else billing, then appearances) breaks near-ties, and a
variant comes after its original (bot/search/variants.py). The forms fans give names (run together,
shortened) are in bot/search/name_forms.py, forms of address in bot/search/honorifics.py; when a close
match is sure enough to be an answer, in bot/search/confidence.py; several indexes asked as one, in
bot/search/scoped_index.py.
"""

from __future__ import annotations

import bisect
import functools
import heapq
from array import array
from collections import OrderedDict
from collections.abc import Iterable, KeysView, Sequence
from dataclasses import dataclass
from itertools import chain

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.search.confidence import described, notable_weight, sure
from bot.search.honorifics import HONORIFICS, credited_without_honorific
from bot.search.name_forms import first_word_shortened, fold, joined_words, middle_left_out, modifier_words
from bot.search.variants import below_originals

SHORT_PREFIX = 3  # prefixes this short match thousands of names in a big pack: their answers are precomputed
SHORT_KEPT = 50  # answers kept per short prefix: Discord's 25, and as many again for a reader who may not see some
ACCEPT_SCORE = 85.0  # a typed name at least this close is taken as meant
SUGGEST_SCORE = 55.0  # closer than this is worth a "did you mean"
COMPLETE_SCORE = 60.0
STARTS_NAME, STARTS_WORD = 99.5, 99.0  # autocomplete: typed text starts a name, or a later word of one (an exact name: 100)
NEAR_TIE = 3.0  # matches this close to the best are named too ("Also: …")
PART_WHOLE = 95.0  # typed words that are a run of a longer name's words, exactly
PART_FACTOR = 0.95  # a run of words close to what was typed scores a little below a whole name as close
REORDERED = 92.0  # the same words in another order
WORD_CUTOFF = 60.0  # a typed word this close to a vocabulary word makes its names candidates
WORD_LIMIT = 40  # vocabulary words considered per typed word
PER_WORD = 64  # names scored per close word, most prominent first: a common word ("john") cannot flood the scoring
ALL_WORDS = 128  # names holding a close word for every typed word: the closest words first, then prominence
FEW_HOLD_ALL = 8  # fewer names than this hold every typed word: names holding some are scored too
NAME_WORDS_COST = 40  # looking at a name's own words costs about as much as intersecting this many postings (measured: ~43)
MIN_BUDGET = 32  # …shared between the indexes asked together, but never fewer than this each
RANKED = (SUGGEST_SCORE, 25)  # the widest cutoff and longest list any lookup asks for: one ranking serves them all
CLOSE_WORDS_KEPT = 4096  # typed words whose close vocabulary words are remembered, per index
SHARED_CLOSE_KEPT = 64  # …and across the indexes asked together, for the length of a few lookups
RANKINGS_KEPT = 256  # recent rankings kept: a miss asks twice (the match, then "did you mean"), autocomplete many times
_NAME_RANK = {"name": 0, "alias": 2, "actor": 3}  # a pack's own kinds (nickname, title…) rank 1
HONORIFIC_FACTOR = 0.96
PREFIX_WORD = 88.0  # the same words, the first one shortened ("Ben Grimm" for Benjamin Grimm)
MIDDLE_LEFT_OUT = 90.0  # first and last words of a longer name ("Oberyn Martell" for Oberyn Nymeros Martell)
ONE_EDIT = 86.0  # one letter wrong, missing, extra or swapped in a word of six or more ("Tirion", "Joffery")
MODIFIER_FACTOR = 0.85  # a run before "'s" names someone else ("Ned Stark's Bastard" is not Ned Stark)
SPAN = 1 << 20  # a suffix is held as entry * SPAN + where it starts in the entry's folded name (names are far shorter)
SAMPLED = 8  # every so many suffixes, its text is kept: a search bisects those in C, then at most this many


def _short_names_with_surname(entries: list[IndexEntry]) -> list[IndexEntry]:
    """A one-word other name with the surname, as fans write it: "Ned Stark" for Eddard Stark called Ned."""
    derived: list[IndexEntry] = []
    for entry in entries:
        if entry.kind in ("name", "actor") or " " in entry.text.strip():
            continue
        words = entry.label.split()
        if len(words) > 1 and entry.text.casefold() != words[0].casefold():
            derived.append(IndexEntry(entry.target, entry.label, f"{entry.text} {words[-1]}", entry.kind))
    return derived


@functools.lru_cache(maxsize=1024)
def folded_query(query: str, *, keep_article: bool = False) -> str:
    """fold() of what someone typed, remembered: one lookup asks every index of a server's fandoms, and
    each several times, for the same text."""
    return fold(query, keep_article=keep_article)


def _names_without_honorific(entries: list[IndexEntry]) -> list[IndexEntry]:
    """A credited name without its leading form of address, as the name itself: "Margaery Tyrell" is
    found exactly for "Queen Margaery Tyrell" (TVmaze credits roles so), before any longer name it starts."""
    derived: list[IndexEntry] = []
    for entry in entries:
        if entry.kind == "name" and (rest := credited_without_honorific(entry.text, fold(entry.text))):
            derived.append(IndexEntry(entry.target, entry.label, rest, entry.kind))
    return derived


def _hit_score(hit: Hit) -> float:
    return hit[0]


def _target(match: Match) -> int:
    return match.target


def _score(match: Match) -> float:
    return match.score


def kind_rank(kind: str) -> int:
    return _NAME_RANK.get(kind, 1)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One searchable text for a target (a character or series id)."""

    target: int
    label: str  # the target's canonical name, shown to people
    text: str  # the name that was matched: canonical, another name, actor
    kind: str


Hit = tuple[float, int]  # (score, entry): a match not yet made into a Match
MergeRow = tuple[float, bool, int, int, int, "NameIndex", float, int]


@dataclass(frozen=True, slots=True)
class Match:
    entry: IndexEntry
    score: float

    @property
    def target(self) -> int:
        return self.entry.target


class Vocabulary:
    """The vocabularies of several indexes asked together (a server's fandoms): a typed word is matched
    against their words once, not once per index — a first name or surname common to several fandoms is
    scored once. Each index keeps the close words that are its own, in its own order, so its answers are
    the same as when asked alone."""

    def __init__(self, indexes: Sequence[NameIndex]) -> None:
        self._words = list(dict.fromkeys(word for index in indexes for word in index._vocabulary))
        self._close: OrderedDict[str, list[tuple[str, float]]] = OrderedDict()

    def close(self, word: str) -> list[tuple[str, float]]:
        """Every word at least WORD_CUTOFF close to `word`, closest first (the few last asked, remembered:
        each index of a lookup asks for the same words)."""
        found = self._close.get(word)
        if found is None:
            found = self._close[word] = [
                (close, score)
                for close, score, _ in process.extract(
                    word, self._words, scorer=fuzz.ratio, processor=None, limit=None, score_cutoff=WORD_CUTOFF
                )
            ]
            if len(self._close) > SHARED_CLOSE_KEPT:
                self._close.popitem(last=False)
        return found


class NameIndex:
    """`strict` accepts a typed name only when it is close as a whole (no partial matches): for titles
    such as releases, where "<series>: <subtitle>" must not be taken for "<series> season 1".

    `weights` (appearances, say) break near-ties and order the defaults; `shows` names where each
    target comes from, so namesakes from different shows can be told apart; `variants` (variant →
    original) rank each variant below its original when both fit."""

    def __init__(
        self,
        entries: Iterable[IndexEntry],
        defaults: Sequence[int] = (),
        *,
        strict: bool = False,
        weights: dict[int, int] | None = None,
        shows: dict[int, str] | None = None,
        variants: dict[int, int] | None = None,
    ) -> None:
        # Entries are held as parallel columns, not objects: at 20,000 characters an object per name,
        # a list of words per name and an int object per number held were most of the bot's memory.
        # Equal strings are one object (a label repeats on every entry of its target, a kind on most).
        self._strict = strict
        self._variants = variants or {}  # variant → original (bot/search/variants.py): ranked below it
        listed = list(entries)
        if not strict:
            listed += _short_names_with_surname(listed) + _names_without_honorific(listed)
        self._weights = weights or {}
        self._shows = shows or {}
        strings: dict[str, str] = {}
        self._targets = array("q", [e.target for e in listed])
        self._texts = [strings.setdefault(e.text, e.text) for e in listed]
        self._labels_of = [strings.setdefault(e.label, e.label) for e in listed]
        self._kinds = [strings.setdefault(e.kind, e.kind) for e in listed]
        del listed
        folds: dict[str, str] = {}  # labels repeat on every entry of their target: fold each text once
        for text in (*self._texts, *self._labels_of):
            if text not in folds:
                folded = fold(text)
                folds[text] = strings.setdefault(folded, folded)
        self._folded = [folds[text] for text in self._texts]
        self._key_hashes = array("q", sorted({hash(key) for key in self._folded}))  # a miss, told without a search
        self._exact_ready: dict[str, list[int]] = {}
        self._exact_found: dict[str, list[int]] = {}
        self._modifiers = {i: found for i, text in enumerate(self._texts) if (found := modifier_words(text))}
        count = len(self._texts)
        # Each entry's place among equally good matches, as one int: the plainer name first (`_rank`),
        # and — for a common word — the more prominent target first (`_position`).
        self._rank_of = array("i", bytes(4 * count))
        for place, i in enumerate(sorted(range(count), key=self._rank)):
            self._rank_of[i] = place
        self._by_rank = array("i", sorted(range(count), key=self._rank_of.__getitem__))
        self._words: dict[str, array[int]] = {}
        self._position = array("i", bytes(4 * count))
        for place, i in enumerate(sorted(range(count), key=self._rank_by_weight)):
            self._position[i] = place
            for word in dict.fromkeys(self._entry_words(i)):  # what `_holding_every` looks at too
                held = self._words.get(word)
                if held is None:
                    held = self._words[word] = array("i")
                held.append(i)  # most prominent first: a cap keeps who people mean
        self._vocabulary = list(self._words)
        self._places: dict[str, int] | None = None  # made when first asked through a `Vocabulary`
        self._rankings: OrderedDict[tuple[str, int], list[tuple[float, int]]] = OrderedDict()
        self._close: OrderedDict[str, tuple[tuple[str, ...], array[float]]] = OrderedDict()
        # Every word-start suffix of every name, sorted, so "wheeler" finds "mike wheeler" by bisection; a
        # name that starts with "The" is also found by its article ("the h…" → "The Hound"). A suffix's
        # rank is one int: one that starts the name comes before one that starts a later word, then `_rank`.
        # A suffix is held as where it starts in its entry's folded name (`SPAN`), not as a string of its own.
        self._with_article: list[str] = []  # the suffixes that are not part of a folded name
        suffixes: list[tuple[str, int, int]] = []
        for i, key in enumerate(self._folded):
            rank = self._rank_of[i]
            suffixes.append((key, rank, i * SPAN))
            at = key.find(" ")
            while at >= 0:
                suffixes.append((key[at + 1 :], count + rank, i * SPAN + at + 1))
                at = key.find(" ", at + 1)
            if "the" in self._texts[i].casefold():
                with_article = fold(self._texts[i], keep_article=True)
                if with_article != key:
                    self._with_article.append(with_article)
                    suffixes.append((with_article, rank, -len(self._with_article)))
        suffixes.sort()
        self._suffix_codes = array("q", [code for _, _, code in suffixes])
        self._suffix_sample = [key for key, _, _ in suffixes[::SAMPLED]]
        self._suffix_rank = array("i", [rank for _, rank, _ in suffixes])
        self._short = self._short_prefix_answers([key for key, _, _ in suffixes])
        del suffixes
        self._labels = dict(zip(self._targets, self._labels_of, strict=True))
        self._folded_shows: dict[str, str] = {}
        # folded label → target: namesakes across packs, found without folding again (the few labels
        # several targets of this index share, in `_namesakes`).
        self._by_label: dict[str, int] = {}
        self._namesakes: dict[str, list[int]] = {}
        for target, label in self._labels.items():
            key = folds[label]
            if key in self._by_label:
                self._namesakes.setdefault(key, [self._by_label[key]]).append(target)
            else:
                self._by_label[key] = target
        self._defaults = list(defaults) or sorted(self._labels, key=lambda t: self._labels[t])
        self._notable = notable_weight(self._weights.get(t, 0) for t in self._labels)

    def _entry(self, i: int) -> IndexEntry:
        return IndexEntry(self._targets[i], self._labels_of[i], self._texts[i], self._kinds[i])

    def _holds(self, key: str) -> bool:
        """Whether some name folds to `key` (or, rarely, one with the same hash: the search then finds none)."""
        hashes, wanted = self._key_hashes, hash(key)
        at = bisect.bisect_left(hashes, wanted)
        return at < len(hashes) and hashes[at] == wanted

    def _bisect(self, key: str, lo: int = 0, hi: int | None = None) -> int:
        """bisect_left of `key` among the sorted suffixes, within [lo, hi]: the sampled texts in C, then
        the few suffixes between two samples by their text."""
        codes = self._suffix_codes
        block = bisect.bisect_left(self._suffix_sample, key)
        first = bisect.bisect_left(
            codes, key, max((block - 1) * SAMPLED + 1, 0), min(block * SAMPLED, len(codes)), key=self._suffix
        )
        return min(max(first, lo), len(codes) if hi is None else hi)

    def _suffix(self, code: int) -> str:
        """The text of a held suffix (the key bisection compares)."""
        if code < 0:
            return self._with_article[-code - 1]
        i, at = divmod(code, SPAN)
        return self._folded[i][at:]

    def _exact_of(self, key: str) -> list[int]:
        """`_exact_entries`, remembered for the names asked for (a name asked once is asked again)."""
        found = self._exact_found.get(key)
        if found is None:
            found = self._exact_found[key] = self._exact_entries(key)
        return found

    def _exact_entries(self, key: str) -> list[int]:
        """The entries whose folded name is `key`, in the order they were given."""
        if not self._holds(key):
            return []
        codes, suffix = self._suffix_codes, self._suffix
        found: list[int] = []
        for j in range(self._bisect(key), len(codes)):
            code = codes[j]
            if suffix(code) != key:
                break
            if code >= 0 and code % SPAN == 0:
                found.append(code // SPAN)
        return sorted(found)

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

    def original(self, target: int) -> int | None:
        """The character `target` is a variant of (an imposter, a clone, "… 2.0"), if any."""
        return self._variants.get(target)

    def originals_first(self, found: list[Match]) -> list[Match]:
        """`found` with each variant just after its original, when both fit about as well."""
        if not self._variants or len(found) < 2:
            return found
        return below_originals(found, _target, _score, self._variants.get, NEAR_TIE)

    @property
    def folded_labels(self) -> KeysView[str]:
        return self._by_label.keys()

    def labelled(self, keys: Iterable[str]) -> Iterable[tuple[str, list[int]]]:
        """(folded label, its targets) for each of `keys` this index holds."""
        return ((key, self._namesakes.get(key) or [self._by_label[key]]) for key in keys if key in self._by_label)

    def folded_show(self, target: int) -> str:
        """fold() of the target's show as it reads after a label ("… — The Show"): a few shows, folded once."""
        show = self._shows.get(target, "")
        if show not in self._folded_shows:
            self._folded_shows[show] = fold(show, keep_article=True)
        return self._folded_shows[show]

    @property
    def defaults(self) -> list[int]:
        return self._defaults

    def exact_all(self, query: str, limit: int = 25) -> list[Match]:
        """The targets one of whose names is `query` (ignoring case, accents and punctuation), best first."""
        return self.matches(self._exact_hits(folded_query(query), limit))

    def _exact_hits(self, key: str, limit: int) -> list[Hit]:
        """`exact_all` of a folded name, as hits."""
        if not key or not self._holds(key):
            return []
        ready = self._exact_ready.get(key)
        if ready is None:  # ordered once per name asked for: an actor with hundreds of roles shares one
            best: dict[int, int] = {}
            for i in sorted(self._exact_of(key), key=self._exact_rank):
                best.setdefault(self._targets[i], i)
            ready = self._exact_ready[key] = list(best.values())
        return [(100.0, i) for i in ready[:limit]]

    def _exact_rank(self, i: int) -> tuple[int, int, int, int, str]:
        """Among exact matches: a character's own names before an actor's, then the more prominent."""
        kind, text = self._kinds[i], self._texts[i]
        return (kind == "actor", -self._weights.get(self._targets[i], 0), kind_rank(kind), len(text), text)

    def holders(self, query: str, weight: int) -> list[Match]:
        """For one typed word that names someone exactly: the targets clearly more prominent (twice) who
        hold it as one of their words ("Parker" → Peter Parker, beside a minor "Parker"), as good as exact.
        Not for a name with its article left out ("Archivist" is The Archivist, not Archivist of …)."""
        key = folded_query(query)
        if " " in key or not key or any(fold(self._texts[i], keep_article=True) != key for i in self._exact_of(key)):
            return []
        found: dict[int, Match] = {}
        for i in self._words.get(key, ())[:PER_WORD]:  # most prominent first
            target = self._targets[i]
            if self.weight(target) < max(2 * weight, 1):
                break
            if target not in found and " " in self._folded[i] and key not in self._modifiers.get(i, ()):
                found[target] = Match(self._entry(i), 100.0)
        return list(found.values())[:10]

    def exact(self, query: str) -> Match | None:
        found = self.exact_all(query)
        return found[0] if found else None

    def best(self, query: str) -> Match | None:
        """The target meant by `query`, or None when nothing is close enough to be sure."""
        found = self.resolve(query)
        return found[0] if found else None

    def resolve(self, query: str) -> list[Match]:
        """The target meant first, then any others that fit about as well (empty: nothing is close enough)."""
        found = self.exact_all(query)
        if found:
            seen = {m.target for m in found}
            found += [m for m in self.holders(query, self.weight(found[0].target)) if m.target not in seen]
            found.sort(key=lambda m: (m.entry.kind == "actor", -self.weight(m.target)))
        else:
            found = self.matches(self.sure_hits(query, self.scored_hits(query, ACCEPT_SCORE, 10)))
        found = self.originals_first(found)
        return [m for m in found if m.score >= found[0].score - NEAR_TIE] if found else []

    def sure_hits(self, query: str, found: list[Hit]) -> list[Hit]:
        """The close matches sure enough to be an answer (bot/search/confidence.py); the rest are only
        worth a "did you mean". Several indexes asked together keep each one's sure hits before merging."""
        if self._strict or not found:
            return found
        words = folded_query(query).split(" ")
        texts, labels, targets = self._texts, self._labels_of, self._targets
        elsewhere = any(described(words, texts[i]) for _, i in found)
        notable = self._notable
        return [
            (score, i) for score, i in found
            if score == 100.0
            or sure(query, texts[i], labels[i], self.weight(targets[i]), notable, described_elsewhere=elsewhere)
        ]

    def suggest(self, query: str, limit: int = 3, share: int = 1, vocabulary: Vocabulary | None = None) -> list[Match]:
        """Close targets for a "did you mean", best first."""
        return self.scored(query, SUGGEST_SCORE, limit, share, vocabulary)

    def complete(self, query: str, limit: int = 25, *, fuzzy: bool = True) -> list[Match]:
        """Autocomplete: defaults for nothing typed, names that start with (a word of) what was typed,
        and — only when nothing does — close spellings (`fuzzy`)."""
        if not folded_query(query):
            return [Match(self._canonical_entry(t), 0.0) for t in self._defaults[:limit]]
        return self.matches(self.complete_hits(query, limit, fuzzy=fuzzy))

    def complete_hits(self, query: str, limit: int = 25, *, fuzzy: bool = True) -> list[Hit]:
        """`complete` as hits (none for nothing typed): several indexes asked together make a Match of
        the hits they keep only."""
        key = folded_query(query)
        if not key:
            return []
        raw = folded_query(query, keep_article=True)
        found = self._exact_hits(key, limit)  # a name exactly as typed first ("GoT"; "Margaery Tyrell", credited "Queen …")
        targets = self._targets
        seen = {targets[i] for _, i in found}
        if len(raw) <= SHORT_PREFIX and limit <= SHORT_KEPT:
            found += [(STARTS_NAME, i) for i in self._short.get(raw, ())[:limit] if targets[i] not in seen]
        else:  # then names it starts
            found += [hit for hit in (self._prefixed(raw, limit) if raw != key else []) if targets[hit[1]] not in seen]
            seen = {targets[i] for _, i in found}
            found += [hit for hit in self._prefixed(key, limit) if targets[hit[1]] not in seen]
        return self.originals_first_hits(found[:limit] or (self.scored_hits(query, COMPLETE_SCORE, limit) if fuzzy else []))

    def originals_first_hits(self, found: list[Hit]) -> list[Hit]:
        """`originals_first` of hits."""
        if not self._variants or len(found) < 2:
            return found
        targets = self._targets
        return below_originals(found, lambda hit: targets[hit[1]], _hit_score, self._variants.get, NEAR_TIE)

    def matches(self, hits: Iterable[Hit]) -> list[Match]:
        return [Match(self._entry(i), score) for score, i in hits]

    def merge_rows(self, hits: list[Hit]) -> list[MergeRow]:
        """How each hit ranks among several indexes' (the first five items): score, a character's own
        names before an actor's, prominence, the plainer kind of name, its place in this index's answer."""
        kinds, targets, weights, ranks = self._kinds, self._targets, self._weights, _NAME_RANK
        return [
            (-score, kinds[i] == "actor", -weights.get(targets[i], 0), ranks.get(kinds[i], 1), n, self, score, i)
            for n, (score, i) in enumerate(hits)
        ]

    def scored(
        self, query: str, cutoff: float, limit: int, share: int = 1, vocabulary: Vocabulary | None = None
    ) -> list[Match]:
        """Targets scoring at least `cutoff`, best first: score, then prominence, then the plainer name.
        `share`: how many indexes are asked together; each scores its share of the candidates. `vocabulary`:
        theirs, which matches a typed word once for all of them (the answer is the same without it)."""
        return self.matches(self.scored_hits(query, cutoff, limit, share, vocabulary))

    def scored_hits(
        self, query: str, cutoff: float, limit: int, share: int = 1, vocabulary: Vocabulary | None = None
    ) -> list[Hit]:
        """`scored` as hits."""
        key = folded_query(query)
        if not key:
            return []
        budget = max(ALL_WORDS // share, MIN_BUDGET)
        if cutoff >= RANKED[0] and limit <= RANKED[1]:
            ranked = self._rankings.get((key, budget))
            if ranked is None:
                ranked = self._rankings[(key, budget)] = self._ranked(key, *RANKED, budget, vocabulary)
                if len(self._rankings) > RANKINGS_KEPT:
                    self._rankings.popitem(last=False)
        else:
            ranked = self._ranked(key, cutoff, limit, budget, vocabulary)
        return [(score, i) for score, i in ranked if score >= cutoff][:limit]

    def _ranked(
        self, key: str, cutoff: float, limit: int, budget: int, vocabulary: Vocabulary | None
    ) -> list[tuple[float, int]]:
        words = key.split(" ")
        rest = " ".join(words[1:])
        if len(words) > 1 and words[0] in HONORIFICS and len(rest) >= 3 and not self._strict:
            # A target that goes by the honorific somewhere ("Captain Carver") loses nothing for it.
            addressed = {self._targets[i] for i in self._words.get(words[0], ())}
            best = {}
            for score, i in self._ranked(rest, cutoff * HONORIFIC_FACTOR, limit, budget, vocabulary):
                target = self._targets[i]
                best[target] = (score if target in addressed else score * HONORIFIC_FACTOR, i)
            for score, i in self._ranked_words(key, words, cutoff, limit, budget, vocabulary):
                self._keep(best, score, i)
            return self._order(best, limit)
        return self._ranked_words(key, words, cutoff, limit, budget, vocabulary)

    def _ranked_words(
        self, key: str, words: list[str], cutoff: float, limit: int, budget: int, vocabulary: Vocabulary | None
    ) -> list[tuple[float, int]]:
        if self._strict:
            candidates: Iterable[int] = self._candidates(words, vocabulary)
        elif len(words) == 1:
            return self._ranked_word(key, cutoff, limit, vocabulary)
        else:
            candidates = self._candidates_of_words(words, budget, vocabulary)
        best: dict[int, tuple[float, int]] = {}
        ordered = sorted(words)
        for i in candidates:
            score = self._score(key, words, ordered, i)
            if score >= cutoff:
                self._keep(best, score, i)
        return self._order(best, limit)

    def _ranked_word(self, word: str, cutoff: float, limit: int, vocabulary: Vocabulary | None) -> list[tuple[float, int]]:
        """One typed word: a name scores by its closest word (a one-word name as a whole), so names
        are taken word by word, closest first, and the search stops once no later word can do better."""
        best: dict[int, tuple[float, int]] = {}
        several: list[int] = []
        closes = self._close_words(word, vocabulary)
        if len(word) >= 6:  # a one-letter slip in a long word is as good as a close whole name, inside a name too
            closes = sorted(
                ((close, ONE_EDIT if score < ONE_EDIT and OSA.distance(word, close, score_cutoff=1) <= 1 else score)
                 for close, score in closes),
                key=lambda cs: -cs[1],
            )
        for close, score in closes:
            if len(best) >= limit and heapq.nlargest(limit, (s for s, _ in best.values()))[-1] > score:
                break
            if score < cutoff:
                break
            part = PART_WHOLE if score == 100.0 else ONE_EDIT if score == ONE_EDIT else score * PART_FACTOR
            for i in self._words[close][:PER_WORD]:
                if " " not in self._folded[i]:
                    self._keep(best, score, i)
                else:
                    several.append(i)
                    scored = part * MODIFIER_FACTOR if i in self._modifiers and close in self._modifiers[i] else part
                    if scored >= cutoff:
                        self._keep(best, scored, i)
        # A name of several words may still be close as a whole ("spiderman" → "Spider-Man"): scored in C.
        if several:
            names = {i: self._folded[i] for i in several}
            for _, score, i in process.extract(word, names, scorer=fuzz.ratio, processor=None, limit=None, score_cutoff=cutoff):
                self._keep(best, score, i)
        return self._order(best, limit)

    def _candidates_of_words(self, words: list[str], budget: int, vocabulary: Vocabulary | None) -> list[int]:
        """Names with a close word for every typed word (the most prominent, if very many), then the
        most prominent names close to any one of them."""
        closes = [self._close_words(word, vocabulary) for word in dict.fromkeys(words)]
        every = self._holding_every(closes)
        chosen = list(every)
        if len(chosen) > budget:  # too many: those holding the closest words first, each word's most prominent first
            chosen = []
            taken: set[int] = set()
            for found, _ in sorted((pair for close in closes for pair in close), key=lambda pair: -pair[1]):
                for i in self._words[found]:
                    if i in every and i not in taken:
                        taken.add(i)
                        chosen.append(i)
                if len(chosen) >= budget:
                    break
        if len(chosen) < FEW_HOLD_ALL:  # then names that fit one typed word: worth a "did you mean", rarely more
            for close in closes:
                for found, _ in close[:4]:
                    chosen.extend(self._words[found][:8])
        return list(dict.fromkeys(chosen))

    def _holding_every(self, closes: list[list[tuple[str, float]]]) -> set[int]:
        """The names with a close word for every typed word. A set is made only of the typed word whose
        close words hold fewest names (a common first name's hold thousands); it is narrowed by each other
        typed word, the smallest first: a few names are looked at word by word (the very words their
        postings were made of), many are intersected with that word's postings in C."""
        held = sorted(
            ((close, [self._words[found] for found, _ in close]) for close in closes),
            key=lambda pair: sum(map(len, pair[1])),
        )
        if not held:
            return set()
        every: set[int] = set()
        for posting in held[0][1]:
            every.update(posting)
        for close, postings in held[1:]:
            if not every:
                break
            if len(every) * NAME_WORDS_COST < sum(map(len, postings)):
                wanted = {found for found, _ in close}
                every = {i for i in every if not wanted.isdisjoint(self._entry_words(i))}
            else:
                every = every.intersection(chain.from_iterable(postings))
        return every

    def _entry_words(self, i: int) -> list[str]:
        """The words entry `i` is held under in `_words` (made from them in `__init__`)."""
        parts = self._folded[i].split(" ")
        return [*parts, *joined_words(self._texts[i], parts)]

    def _close_words(self, word: str, vocabulary: Vocabulary | None = None) -> list[tuple[str, float]]:
        """Vocabulary words close to a typed word, closest first (a word of one or two letters: itself).
        Remembered: the same first names and surnames are typed over and over. With `vocabulary` (this
        index's and others'), its words close to `word`, those of this index in this index's order."""
        if len(word) <= 2:
            return [(word, 100.0)] if word in self._words else []
        kept = self._close.get(word)
        if kept is None:
            if vocabulary is None:
                found = [
                    (close, score)
                    for close, score, _ in process.extract(
                        word, self._vocabulary, scorer=fuzz.ratio, processor=None, limit=WORD_LIMIT, score_cutoff=WORD_CUTOFF
                    )
                ]
            else:
                place = self._vocabulary_places()
                found = sorted(
                    ((close, score) for close, score in vocabulary.close(word) if close in place),
                    key=lambda cs: (-cs[1], place[cs[0]]),
                )[:WORD_LIMIT]
            # Kept as the vocabulary's own strings and packed scores: a tenth of a list of pairs.
            self._close[word] = (tuple(close for close, _ in found), array("d", [score for _, score in found]))
            if len(self._close) > CLOSE_WORDS_KEPT:
                self._close.popitem(last=False)
            return found
        self._close.move_to_end(word)
        words, scores = kept
        return list(zip(words, scores, strict=True))

    def _vocabulary_places(self) -> dict[str, int]:
        """Each vocabulary word's place: the order a search of this index alone gives words equally close."""
        if self._places is None:
            self._places = {word: place for place, word in enumerate(self._vocabulary)}
        return self._places

    def _keep(self, best: dict[int, tuple[float, int]], score: float, i: int) -> None:
        """Remember entry `i` for its target if it scores better, or as well with a plainer name."""
        target = self._targets[i]
        held = best.get(target)
        if held is None or score > held[0] or (score == held[0] and self._rank_of[i] < self._rank_of[held[1]]):
            best[target] = (score, i)

    def _order(self, best: dict[int, tuple[float, int]], limit: int) -> list[tuple[float, int]]:
        position, kinds = self._position, self._kinds
        return heapq.nsmallest(limit, best.values(), key=lambda si: (-si[0], kinds[si[1]] == "actor", position[si[1]]))

    def _candidates(self, words: list[str], vocabulary: Vocabulary | None) -> set[int]:
        """Entries holding a word close to one typed: the only names worth scoring."""
        found: set[int] = set()
        for word in dict.fromkeys(words):
            for close, _ in self._close_words(word, vocabulary):
                found.update(self._words[close])
        return found

    def _score(self, key: str, words: list[str], ordered: list[str], i: int) -> float:
        """How close entry `i` is to what was typed (`key`, its `words`, and those `ordered`): as a whole,
        or by its closest run of as many words. Asked of every candidate: written for speed."""
        folded = self._folded[i]
        best = float(fuzz.ratio(key, folded))
        if self._strict:
            return best
        parts = folded.split(" ")
        n, m = len(words), len(parts)
        if m > n:
            modifiers = self._modifiers.get(i)
            for w in range(m - n + 1):
                run = " ".join(parts[w : w + n])
                score = PART_WHOLE if run == key else fuzz.ratio(key, run) * PART_FACTOR
                if modifiers and parts[w + n - 1] in modifiers:
                    score *= MODIFIER_FACTOR
                if score > best:
                    best = score
            if best < MIDDLE_LEFT_OUT and middle_left_out(words, parts):
                best = MIDDLE_LEFT_OUT
        elif n > 1 and m == n:
            if sorted(parts) == ordered:
                best = max(best, REORDERED)
            elif first_word_shortened(words, parts):
                best = max(best, PREFIX_WORD)
        return best

    def _short_prefix_answers(self, keys: list[str], keep: int = SHORT_KEPT) -> dict[str, array[int]]:
        """prefix (1–SHORT_PREFIX letters) → the best entry per target, best first: built once, O(1) to ask.
        Suffixes sharing a prefix are one sorted run (`keys`: their texts, in order), found by bisection;
        their ranks are ints, sorted in C."""
        answers: dict[str, array[int]] = {}
        for length in range(1, SHORT_PREFIX + 1):
            start = 0
            for prefix in sorted({key[:length] for key in keys if len(key) >= length}):
                start = bisect.bisect_left(keys, prefix, start)
                end = bisect.bisect_left(keys, prefix + "\U0010ffff", start)
                answers[prefix] = array("i", self._distinct(sorted(self._suffix_rank[start:end]), keep))
                start = end
        return answers

    def _distinct(self, ranks: Iterable[int], keep: int) -> list[int]:
        """The entries of suffix ranks, best first, one per target, at most `keep`."""
        chosen: list[int] = []
        seen: set[int] = set()
        count = len(self._targets)
        for rank in ranks:
            i = self._by_rank[rank % count]
            target = self._targets[i]
            if target not in seen:
                seen.add(target)
                chosen.append(i)
                if len(chosen) == keep:
                    break
        return chosen

    def _rank_by_weight(self, i: int) -> tuple[int, int, int, str]:
        text = self._texts[i]
        return (-self._weights.get(self._targets[i], 0), kind_rank(self._kinds[i]), len(text), text)

    def _rank(self, i: int) -> tuple[int, int, int, str]:
        """Which of several equally good names to prefer: the canonical name, the more prominent
        target, the shorter name."""
        text = self._texts[i]
        return (kind_rank(self._kinds[i]), -self._weights.get(self._targets[i], 0), len(text), text)

    def _canonical_entry(self, target: int) -> IndexEntry:
        return IndexEntry(target, self._labels[target], self._labels[target], "name")

    def _prefixed(self, key: str, limit: int, scan: int = 5000) -> list[Hit]:
        start = self._bisect(key)
        end = self._bisect(key + "\U0010ffff", start, min(start + scan, len(self._suffix_codes)))
        count = len(self._targets)
        ranks = heapq.nsmallest(limit * 8, self._suffix_rank[start:end])  # a target holds several names
        starts_name = {self._by_rank[r % count]: r < count for r in reversed(ranks)}
        return [(STARTS_NAME if starts_name[i] else STARTS_WORD, i) for i in self._distinct(ranks, limit)]
