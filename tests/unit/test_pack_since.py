"""`since:` and `events:` in packs: where they may stand, and the episodes `check` lets them name."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import PackError, Store
from db.facts.episode_refs import episode_order
from db.facts.models import EpisodeMark, EventKind
from db.packs.check import check_pack_text
from db.packs.format import RevealedName, SinceSpec, dump_pack
from tests.unit.test_pack import FACT_TABLES, table_snapshot

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


SPOILERS = Path(__file__).parents[1] / "packs" / "spoilers.yaml"


async def test_the_store_hands_out_since_and_events_oldest_first(store: Store) -> None:
    await store.packs.import_file(SPOILERS)
    entries = [e for pack in (await store.characters.name_entries_by_pack()).values() for e in pack]
    ada_id = next(e.character_id for e in entries if e.text == "Ada Vale")
    bram_id = next(e.character_id for e in entries if e.text == "Bram Holt")
    ada, bram = await store.characters.get(ada_id), await store.characters.get(bram_id)
    assert ada is not None and bram is not None
    assert ada.since is None and bram.since is not None and bram.since.label == "S01E02"
    assert [(n.name, n.since.label if n.since else None) for n in ada.names] == [
        ("Kestrel", "S02E03"), ("Ada", None), ("The Heir", "S02E05")
    ]
    assert [(e.kind, e.text, e.since.label if e.since else None) for e in ada.events] == [
        (EventKind.DEATH, "Dies in the fire", "S01E03"), (EventKind.REVEAL, "Is the heir", "S02E05")
    ]
    assert all(e.source_id in ada.sources for e in ada.events)
    show, spinoff = ada.appearances[0].series_id, ada.appearances[1].series_id
    assert ada.appearances[0].since is None and ada.appearances[1].since == EpisodeMark(spinoff, episode_order(1, 2))
    (rel,) = ada.relationships
    assert rel.since == EpisodeMark(show, episode_order(2, 10))
    ship = await store.ships.between(ada_id, bram_id)
    assert ship is not None and ship.since == EpisodeMark(show, episode_order(1, 3))
    heir = next(e for e in entries if e.text == "The Heir")
    assert heir.since == EpisodeMark(show, episode_order(2, 5)) and heir.character_since is None
    bram_name = next(e for e in entries if e.text == "Bram Holt")
    assert bram_name.since == bram_name.character_since == bram.since
    summaries = {s.name: s.since for s in await store.characters.summaries()}
    assert summaries["Bram Holt"] == bram.since and summaries["Ada Vale"] is None


async def test_export_round_trips_since_and_events(store: Store, tmp_path: Path) -> None:
    await store.packs.import_file(SPOILERS)
    spec = await store.packs.export("spoilers")
    assert spec is not None
    assert spec.characters["ada"].events[1].since == SinceSpec(series="show", episode="S01E03")
    path = tmp_path / "exported.yaml"
    path.write_text(dump_pack(spec))
    tables = [t for t in FACT_TABLES if t != "packs"]
    before = await table_snapshot(store, tables)
    report = await store.packs.import_file(path, force=True)
    assert not report.changed
    assert await table_snapshot(store, tables) == before
    again = await store.packs.export("spoilers")
    assert again == spec


async def test_a_pack_of_one_series_exports_the_bare_form(store: Store, tmp_path: Path) -> None:
    text = WEEKLY + "characters:\n  kim: {name: Kim, source: a, since: 2x09, events: [{kind: death, text: Dies, since: s1e2}]}\n"
    path = tmp_path / "weekly.yaml"
    path.write_text(text)
    await store.packs.import_file(path)
    spec = await store.packs.export("weekly")
    assert spec is not None
    kim = spec.characters["kim"]
    assert kim.since == "S02E09" and kim.events[0].since == "S01E02"
    assert "since: S02E09" in dump_pack(spec)


async def test_dropping_a_series_that_an_event_cites_re_imports_cleanly(store: Store, tmp_path: Path) -> None:
    await store.packs.import_file(SPOILERS)
    text = SPOILERS.read_text()
    text = text.replace("      - {series: spinoff, since: {series: spinoff, episode: s1e2}}\n", "")
    text = text[: text.index("  spinoff:")] + text[text.index("characters:"):]
    path = tmp_path / "spoilers.yaml"
    path.write_text(text)
    report = await store.packs.import_file(path)
    assert report.removed["series"] == 1 and report.removed["appearances"] == 1
    removal = await store.packs.remove("spoilers")
    assert removal is not None and removal.removed["character_events"] == 2


async def test_the_bundled_pack_dates_elektras_death_and_resurrection_by_episode(defenders: Store) -> None:
    entries = [e for pack in (await defenders.characters.name_entries_by_pack()).values() for e in pack]
    elektra = await defenders.characters.get(next(e.character_id for e in entries if e.text == "Elektra"))
    assert elektra is not None
    assert [(e.kind, e.since.label if e.since else None) for e in elektra.events] == [
        (EventKind.DEATH, "S01E01"), (EventKind.REVEAL, "S01E08")
    ]
    assert {elektra.sources[e.source_id].location for e in elektra.events} == {"seeds/004_415dde8f1233c653.txt"}
    assert next(n for n in elektra.names if n.name == "Black Sky").since == elektra.events[1].since
    assert elektra.description is not None and "death" not in elektra.description  # the events tell it, by episode


async def test_the_bundled_pack_dates_cottonmouths_death_by_episode(defenders: Store) -> None:
    """The article tells the death in Luke Cage's first season; the episode is cited as common knowledge,
    and no description says it outside the event."""
    entries = [e for pack in (await defenders.characters.name_entries_by_pack()).values() for e in pack]
    cottonmouth = await defenders.characters.get(next(e.character_id for e in entries if e.text == "Cottonmouth"))
    shades = await defenders.characters.get(next(e.character_id for e in entries if e.text == "Shades Alvarez"))
    assert cottonmouth is not None and shades is not None
    [death] = cottonmouth.events
    assert death.kind == EventKind.DEATH and death.since is not None and death.since.label == "S01E07"
    assert cottonmouth.sources[death.source_id].location == "seeds/002_eea4092ea3b617e8.txt"
    assert not cottonmouth.description and "death" not in (shades.description or "")
    [rivalry] = [r for r in shades.relationships if "Cottonmouth" in (r.note or "")]
    assert rivalry.since == death.since
