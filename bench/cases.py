"""The matcher's table of real cases (tests/matching_cases/*.tsv): what fans type → who they mean, per
pack and category, checked against indexes built the way the bot builds them.

A table is named after its scope (`TABLES`): the packs one server follows, imported with the real
importer into a fresh SQLite store. Each row is `category, query, expected, also, note`: `expected` is a
character key (of the scope's first pack, or `pack/key`) or `miss` when nothing should be taken as
meant; `expected` may name a near-tie as `a|b`: either may come
first, the other must be named beside it. `also` lists, comma-separated, characters a lookup must name
beside the answer ("Also: …"), because they fit the typed name about as well. A case is a hit when the
answer is expected (or nothing, for a miss) and every other expected and `also` is among the near-ties.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import packgen
from bench.realpack import read_pack_text
from db import Store
from db.packs.check import check_pack_text

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "matching_cases"
REAL_PACKS = ROOT / "tests" / "packs" / "real"
GENERATED = (20_000, 4)  # characters, packs: bench/packgen.py's default run
# table → the packs its server follows: real pack files, or "generated" (bench.packgen at GENERATED)
TABLES: dict[str, tuple[str, ...]] = {
    "ice-and-fire": ("ice-and-fire.yaml.gz",),
    "marvel-wikia": ("marvel-wikia.yaml.gz",),
    "generated": ("generated",),
}
MISS = "miss"


@dataclass(frozen=True, slots=True)
class Case:
    category: str
    query: str
    expected: tuple[tuple[str, str], ...]  # (pack, key) alternatives; empty: nothing should match
    also: tuple[tuple[str, str], ...]
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    got: tuple[str, str] | None
    others: tuple[tuple[str, str], ...]
    shown: str  # what the lookup answered, as a person would read it

    @property
    def hit(self) -> bool:
        if not self.case.expected:
            return self.got is None
        rest = [e for e in self.case.expected if e != self.got] + list(self.case.also)
        return self.got in self.case.expected and all(a in self.others for a in rest)

    def describe(self) -> str:
        want = "|".join("/".join(e) for e in self.case.expected) or MISS
        also = f" also {', '.join('/'.join(a) for a in self.case.also)}" if self.case.also else ""
        return f"[{self.case.category}] {self.case.query!r}: expected {want}{also}, got {self.shown}"


def load_cases(table: str, directory: Path = CASES_DIR) -> list[Case]:
    """The rows of tests/matching_cases/<table>.tsv; `#` lines are comments."""
    home = _home_pack(table)
    path = directory / f"{table}.tsv"
    cases = []
    with path.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            category, query, expected, also, note = (row + [""] * 5)[:5]
            cases.append(Case(
                category.strip(), query,
                () if expected.strip() == MISS else tuple(_qualified(e.strip(), home) for e in expected.split("|")),
                tuple(_qualified(a.strip(), home) for a in also.split(",") if a.strip()),
                note.strip(), number,
            ))
    return cases


def _home_pack(table: str) -> str:
    first = TABLES[table][0]
    return packgen.SHOWS[0][0] if first == "generated" else first.split(".")[0]


def _qualified(key: str, home: str) -> tuple[str, str]:
    pack, _, rest = key.partition("/")
    return (pack, rest) if rest else (home, key)


def pack_texts(table: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """(file name, YAML text) of every pack the table's server follows."""
    for entry in TABLES[table]:
        if entry == "generated":
            for path in packgen.write(packgen.generate(*GENERATED), workdir):
                yield path.name, path.read_text(encoding="utf-8")
        else:
            yield entry, read_pack_text(REAL_PACKS / entry)


@asynccontextmanager
async def table_store(table: str) -> AsyncIterator[Store]:
    """A fresh SQLite store holding exactly the table's packs, imported with the real importer."""
    with tempfile.TemporaryDirectory(prefix=f"fandex-cases-{table}-") as tmp:
        async with Store.open(Path(tmp) / "store.sqlite3") as store:
            await store.migrate()
            await store.fetch_value("PRAGMA synchronous = OFF")  # set-up, not what is measured
            for name, text in pack_texts(table, Path(tmp)):
                await store.packs.import_checked(check_pack_text(text, name))
            yield store


class Keys:
    """Character id ↔ (pack key, character key), from the store's own API."""

    def __init__(self, keys: dict[int, tuple[str, str]]) -> None:
        self._keys = keys
        self.known = set(keys.values())

    @classmethod
    async def load(cls, store: Store) -> Keys:
        packs = {p.id: p.key for p in await store.packs.all()}
        pack_of = {e.character_id: packs[pid] for pid, rows in (await store.characters.name_entries_by_pack()).items() for e in rows}
        return cls({c.id: (pack_of[c.id], c.key) for c in await store.characters.summaries(None)})

    def of(self, character_id: int) -> tuple[str, str]:
        return self._keys[character_id]

    def unknown(self, cases: Sequence[Case]) -> list[str]:
        """Keys a table names that no character has: a typo in the table, not a matcher miss."""
        named = [(c, k) for c in cases for k in (*c.expected, *c.also)]
        return [f"line {c.line}: {'/'.join(k)}" for c, k in named if k not in self.known]


Resolver = Callable[[str], Sequence[int]]  # typed name → the answer's id, then its near-ties; empty: none


def evaluate(cases: Sequence[Case], resolve: Resolver, keys: Keys, label: Callable[[int], str]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        found = list(resolve(case.query))
        got = keys.of(found[0]) if found else None
        others = tuple(keys.of(t) for t in found[1:])
        shown = f"{label(found[0])} ({'/'.join(got or ())})" if found else "nothing"
        if len(found) > 1:
            shown += f", also {', '.join(label(t) for t in found[1:4])}" + (" …" if len(found) > 4 else "")
        outcomes.append(Outcome(case, got, others, shown))
    return outcomes


def tally(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """category → (hits, cases), in the table's order of first appearance."""
    counts: dict[str, tuple[int, int]] = {}
    for o in outcomes:
        hits, total = counts.get(o.case.category, (0, 0))
        counts[o.case.category] = (hits + o.hit, total + 1)
    return counts
