"""Autocomplete choices within Discord's limits (bot/input/autocomplete.py): names cut on a word boundary,
values never cut — a reference instead, which the command resolves to the same thing."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.input.autocomplete import choice, choice_name, offered, reference, referenced, shorten
from bot.search.finding import choices
from bot.search.matching import IndexEntry, NameIndex
from bot.search.scoped_index import ScopedIndex

ROOT = Path(__file__).parents[2]
NETWORK = "The Extraordinarily Long Named Regional Public Broadcasting Corporation of the Northern Territories and Islands"


def test_a_long_network_name_is_cut_on_a_word_boundary() -> None:
    made = choice("Severance", "1", detail=f" (2022, {NETWORK})")
    assert made is not None and made.value == "1"
    assert len(made.name) <= 100 and made.name.startswith("Severance (2022, The Extraordinarily") and made.name.endswith("…")
    kept, full = made.name.removesuffix("…"), f"Severance (2022, {NETWORK})"
    assert full.startswith(kept) and full[len(kept)] == " "  # the cut fell between two words


def test_a_short_detail_stays_whole_and_the_text_gives_way() -> None:
    name = choice_name("word " * 30, " · in 3 days")
    assert len(name) <= 100 and name.endswith("… · in 3 days") and "wor…" not in name


def test_shorten_never_leaves_a_dangling_separator() -> None:
    assert shorten("Show (2022, Network With Words)", 18) == "Show (2022…"
    assert shorten("x" * 150, 100) == "x" * 99 + "…"
    assert shorten("short", 100) == "short"


def test_a_value_too_long_is_never_cut_but_replaced_by_a_reference_or_left_out() -> None:
    title = "A" * 101
    assert choice(title, title) is None
    made = choice(title, title, ref=reference("series", 12))
    assert made is not None and made.value == "series:12" and len(made.name) <= 100
    assert referenced("series", made.value) == 12 and referenced("series", " Series:12 ") == 12
    for typed in ("series:", "series:²", "series:-1", "character:12", "series 12", title):
        assert referenced("series", typed) is None, typed
    assert offered([None, made, *[choice(str(i), str(i)) for i in range(40)]])[:2] == [made, choice("0", "0")]
    assert len(offered(choice(str(i), str(i)) for i in range(40))) == 25


def test_a_scoped_index_resolves_the_reference_of_a_name_too_long_to_be_a_value() -> None:
    show = "S" * 95
    a = NameIndex([IndexEntry(1, "Claire Temple", "Claire Temple", "name")], shows={1: show})
    b = NameIndex([IndexEntry(2, "Claire Temple", "Claire Temple", "name")], shows={2: "Harbor Lights"})
    scoped = ScopedIndex([a, b], "character")
    offered_ = choices(scoped, scoped.complete("claire"))
    assert {c.value for c in offered_} == {"character:1", "Claire Temple — Harbor Lights"}
    assert all(len(c.name) <= 100 for c in offered_)
    assert [m.target for m in scoped.resolve("character:1")] == [1]
    assert scoped.resolve("character:3") == [] and ScopedIndex([a, b]).resolve("character:1") == []


@given(st.text(max_size=300), st.text(max_size=300), st.text(max_size=150))
def test_every_choice_fits_discord(name: str, detail: str, value: str) -> None:
    made = choice(name, value, detail=detail, ref="series:1")
    if made is not None:
        assert 1 <= len(made.name) <= 100 and 1 <= len(made.value) <= 100
        assert made.value in (value, "series:1")


def test_every_choice_in_the_bot_is_built_by_the_one_helper() -> None:
    """Discord refuses a whole autocomplete response for one choice over its limits: no choice is made by hand."""
    made_by_hand = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("bot", "cogs") for path in sorted((ROOT / folder).rglob("*.py")) if path.name != "autocomplete.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bChoice\(", line)
    ]
    assert made_by_hand == []
