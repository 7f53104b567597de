"""`since:` and `events:` in packs: where they may stand, and the episodes `check` lets them name."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import PackError
from db.packs.check import check_pack_text
from db.packs.format import RevealedName, SinceSpec

PACK = (Path(__file__).parents[1] / "packs" / "spoilers.yaml").read_text()
WEEKLY = (Path(__file__).parents[1] / "packs" / "weekly.yaml").read_text()


def problems_of(text: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        check_pack_text(text, "pack.yaml")
    return [p.render("pack.yaml") for p in caught.value.problems]


def line_with(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_since_and_events_are_read_where_the_format_allows_them() -> None:
    spec = check_pack_text(PACK).spec
    ada, bram = spec.characters["ada"], spec.characters["bram"]
    assert bram.since == SinceSpec(series="show", episode="S01E02")
    assert ada.aliases[1] == RevealedName(name="The Heir", since=SinceSpec(series="show", episode="S02E05"))
    assert [e.kind.value for e in ada.events] == ["reveal", "death"]
    assert ada.appearances[1].since == SinceSpec(series="spinoff", episode="s1e2")
    assert spec.relationships[0].since is not None and spec.ships[0].since is not None


def test_a_pack_with_one_series_takes_the_bare_form_and_a_season_given_as_a_count() -> None:
    text = WEEKLY + """characters:
  kim:
    name: Kim
    source: a
    since: 2x09
    names: {alias: [{name: The Ghost, since: S01E03}]}
    events: [{kind: other, text: Leaves town, since: s1e2}]
"""
    kim = check_pack_text(text).spec.characters["kim"]
    assert kim.since == "2x09"
    for bad, episode in (("2x10", "S02E10"), ("S01E04", "S01E04")):
        (problem,) = problems_of(text.replace("since: 2x09", f"since: {bad}"))
        assert problem == f"pack.yaml:{line_with(text, 'since: 2x09')}: characters.kim.since: show has no episode {episode} listed"


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        ("episode: S02E10}}", "episode: S03E01}}", "episode: S03E01", "relationships.0.since: show has no episode S03E01 listed"),
        ("since: {series: show, episode: S01E02}\n", "since: S01E02\n", "since: S01E02",
         "characters.bram.since: the pack has 2 series: name the one `S01E02` is in, as {series: KEY, episode: S01E02}"),
        ("{series: spinoff, episode: s1e2}", "{series: sequel, episode: s1e2}", "series: sequel",
         "characters.ada.appearances.1.since: unknown series `sequel`; series are: show, spinoff"),
        ("episode: 2x03}", "episode: 2-03}", "episode: 2-03",
         "characters.ada.names.codename.0.since: `2-03` is not an episode; write S02E05, s2e5, 2x05 or {series: KEY, episode: S02E05}"),
        ("[Adram], source: a, since: {series: show, episode: S01E03}",
         "[Adram], source: a, since: {series: show, episode: S01E07}", "S01E07",
         "ships.0.since: show has no episode S01E07 listed"),
        ("text: Dies in the fire, since: {series: show, episode: S01E03}}",
         "text: Dies in the fire, since: {series: show, episode: S01E03}, source: zz}", "source: zz",
         "characters.ada.events.1.source: unknown source `zz`; sources are: a, b"),
    ],
)
def test_check_refuses_a_since_the_pack_does_not_list_with_its_line(old: str, new: str, needle: str, expected: str) -> None:
    assert old in PACK
    text = PACK.replace(old, new, 1)
    assert problems_of(text) == [f"pack.yaml:{line_with(text, needle)}: {expected}"]


def test_an_event_needs_a_known_kind_and_text() -> None:
    text = PACK.replace("{kind: death, text: Dies in the fire,", "{kind: dies, text: Dies in the fire,")
    (problem,) = problems_of(text)
    assert problem.startswith(f"pack.yaml:{line_with(text, 'kind: dies')}: characters.ada.events.1.kind: `dies` is not allowed")
    assert "death, reveal, other" in problem
