"""The matcher on real data: the case tables in tests/matching_cases/ (fans' nicknames, actors, typos,
ambiguous first names…) against two converted real packs and four generated ones, with the indexes
built by the bot's own `Directory` from a store the real importer filled. Each category must keep at
least the hits it has now; a failure lists every wrong answer. `python -m bench.hitrate` prints the
same tables, with the matcher of before.
"""

from __future__ import annotations

import pytest

from bench.cases import TABLES, Keys, evaluate, load_cases, table_store, tally
from bot.search.directory import Directory

# Hits per category as measured with the current matcher: a floor, raised when the matcher gets better.
FLOORS: dict[str, dict[str, int]] = {
    "ice-and-fire": {
        "full name": 7, "nickname": 24, "title": 5, "honorific": 5, "actor": 14, "typo": 28, "first name": 17,
        "partial": 12, "article": 11, "reordered": 6, "miss": 9, "absent": 3,
    },
    "marvel-wikia": {
        "full name": 18, "punctuation": 12, "hero name": 11, "nickname": 5, "short first name": 10, "typo": 23,
        "first name": 22, "partial": 19, "honorific": 5, "article": 3, "reordered": 6, "miss": 14, "imposter": 4,
        "absent": 2,
    },
    "generated": {
        "full name": 16, "namesake": 5, "nickname": 15, "hero name": 5, "title": 6, "honorific": 6, "actor": 9,
        "typo": 18, "first name": 13, "partial": 14, "article": 8, "reordered": 6, "miss": 8, "imposter": 5,
        "credited honorific": 4, "nickname + surname": 5, "one-scene namesake": 2, "absent": 6,
    },
}
SLOW = {"marvel-wikia", "generated"}  # 16,000 and 20,000 characters to import: ~10–25 s each here


@pytest.mark.parametrize("table", [pytest.param(t, marks=[pytest.mark.slow] if t in SLOW else []) for t in TABLES])
async def test_each_category_keeps_its_hit_rate_on_real_cases(table: str) -> None:
    cases = load_cases(table)
    async with table_store(table) as store:
        index = await Directory(store).characters(None)
        keys = await Keys.load(store)
        assert not keys.unknown(cases), f"{table}.tsv names characters that do not exist"
        outcomes = evaluate(cases, lambda query: [m.target for m in index.resolve(query)], keys, index.display)
    counts = tally(outcomes)
    assert set(counts) == set(FLOORS[table]), "every category of the table needs a floor"
    below = [f"{c}: {hits}/{total} (floor {FLOORS[table][c]})" for c, (hits, total) in counts.items() if hits < FLOORS[table][c]]
    wrong = "\n".join(o.describe() for o in outcomes if not o.hit)
    assert not below, f"{table}: fewer hits than before in {', '.join(below)}. Every wrong answer now:\n{wrong}"


def test_every_table_is_sizeable_and_each_of_its_categories_has_a_floor() -> None:
    for table in TABLES:
        cases = load_cases(table)
        assert len(cases) >= 100, table
        assert all(case.query.strip() and case.category for case in cases), table
        assert {case.category for case in cases} == set(FLOORS[table]), table
