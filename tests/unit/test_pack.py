"""Fact packs: the bundled one is valid; bad ones are refused whole, with locations; import is idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from db import PackError, Store, bundled_pack_path, check_pack_file
from db.packs.check import MAX_PACK_BYTES, check_pack_text
from db.packs.format import dump_pack

MINIMAL = """\
format: 1
pack: {id: mini, title: Mini}
sources:
  a: {title: An article}
series:
  show:
    title: The Show
    source: a
    seasons:
      - {number: 1, source: a, release: [{date: "2030-01-05", source: a}]}
characters:
  hero: {name: Hero Person, actor: Some Actor, source: a, appearances: [{series: show, seasons: [1]}]}
  villain: {name: Villain, source: a}
relationships:
  - {between: [hero, villain], kind: rivalry, canon: on_screen, note: Enemies., source: a}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        check_pack_text(text, "pack.yaml")
    return [p.render("pack.yaml") for p in caught.value.problems]


def test_the_bundled_pack_is_valid_and_cites_its_articles() -> None:
    spec = check_pack_file(bundled_pack_path()).spec
    article_sources = {k for k, s in spec.sources.items() if s.from_articles}
    assert len(article_sources) == 5
    assert sorted(spec.sources[k].file or "" for k in article_sources) == [
        f"seeds/00{i}_{suffix}.txt"
        for i, suffix in enumerate(
            ["53aff3bf98b596a6", "07f70ea829c033e1", "eea4092ea3b617e8", "baabf061ad828f49", "415dde8f1233c653"]
        )
    ]
    defenders = spec.series["defenders"].seasons[0]
    assert defenders.episodes == 8
    assert [a.date for a in defenders.release] == ["2017", "summer 2017", "2017-08-18"]
    assert spec.series["iron-fist"].seasons[0].release[0].date == "2017-03-17"
    assert spec.series["punisher"].seasons[0].release[0].date == "unknown"
    assert spec.series["jessica-jones"].seasons[1].release[-1].date == "2018"
    rumoured = {k for k, c in spec.characters.items() if c.status == "rumoured"}
    assert rumoured == {"blade", "ghost-rider", "moon-knight"}


def test_a_minimal_pack_is_valid() -> None:
    assert check_pack_text(MINIMAL).spec.pack.id == "mini"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("actor: Some Actor", "actor: [1, 2]", "pack.yaml:12: characters.hero.actor: is a list; expected text"),
        ("actor: Some Actor", "acter: Some Actor", "pack.yaml:12: characters.hero.acter: unknown key `acter`; allowed here: name,"),
        ("between: [hero, villain]", "between: [hero, nobody]", "relationships.0.between.1: unknown character `nobody`"),
        ("{series: show, seasons: [1]}", "{series: nope}", "characters.hero.appearances.0.series: unknown series `nope`"),
        ("{series: show, seasons: [1]}", "{series: show, seasons: [7]}", "show has no season 7"),
        ("name: Villain", "name: hero person", "characters.villain.name: `hero person` is also the name of `hero`"),
        ('date: "2030-01-05"', 'date: "2030-02-30"', "seasons.0.release.0.date: 2030-02-30 is not a real calendar date"),
        ("source: a, appearances", "source: b, appearances", "characters.hero.source: unknown source `b`"),
        ("kind: rivalry", "kind: nemesis", "relationships.0.kind: `nemesis` is not allowed here; must be one of: romance, friendship"),
        ("format: 1", "format: 2", "pack.yaml:1: format: `2` is not allowed here; must be one of: 1"),
    ],
)
def test_bad_packs_report_every_problem_with_its_location(old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    rendered = problems_of(MINIMAL.replace(old, new, 1))
    assert any(expected in line for line in rendered), rendered


def test_duplicate_keys_and_yaml_errors_are_located() -> None:
    doubled = MINIMAL.replace(
        "  villain: {name: Villain, source: a}", "  villain: {name: Villain, source: a}\n  hero: {name: X, source: a}"
    )
    assert any("pack.yaml:14: characters.hero: duplicate key" in p for p in problems_of(doubled))
    assert any("not valid YAML" in p for p in problems_of("format: [1\n"))
    assert any("anchors and aliases" in p for p in problems_of("a: &x [1]\nb: *x\n"))


def test_several_problems_are_all_reported() -> None:
    broken = MINIMAL.replace("actor: Some Actor", "actor: [1]").replace("kind: rivalry", "kind: nemesis")
    assert len(problems_of(broken)) == 2


@pytest.mark.parametrize("size", [MAX_PACK_BYTES + 1, 50 * 1024 * 1024])
def test_an_oversized_pack_is_refused_before_it_is_read(tmp_path: Path, size: int) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(size)  # sparse: instant, and never read
    with pytest.raises(PackError, match="limited to 5 MB"):
        check_pack_file(big)


FACT_TABLES = (
    "packs", "sources", "series", "series_names", "seasons", "releases", "release_dates", "characters",
    "character_names", "affiliations", "appearances", "relationships", "production_facts", "ships", "ship_names",
    "character_events",
)


async def table_snapshot(store: Store, tables: tuple[str, ...] | list[str]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the named fact tables, to check that an operation changed nothing."""
    return {t: [tuple(r) for r in await store.fetch_all(f"SELECT * FROM {t} ORDER BY id")] for t in tables}


async def test_an_oversized_pack_leaves_the_store_unchanged(defenders: Store, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    before = await table_snapshot(defenders, FACT_TABLES)
    with pytest.raises(PackError):
        await defenders.packs.import_file(big)
    assert await table_snapshot(defenders, FACT_TABLES) == before


async def test_importing_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    first = await store.packs.import_file(bundled_pack_path())
    assert first.changed and sum(first.added.values()) > 150
    before = await table_snapshot(store, FACT_TABLES)
    again = await store.packs.import_file(bundled_pack_path())
    forced = await store.packs.import_file(bundled_pack_path(), force=True)
    assert again.skipped and not forced.changed
    assert await table_snapshot(store, FACT_TABLES) == before


async def test_reimport_updates_in_place_and_removes_what_the_pack_dropped(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINIMAL)
    await store.packs.import_file(path)
    hero_id = await store.fetch_value("SELECT id FROM characters WHERE key = 'hero'")
    revision = store.facts.revision
    path.write_text(
        MINIMAL.replace("actor: Some Actor", "actor: Another Actor")
        .replace("  villain: {name: Villain, source: a}\n", "")
        .replace("  - {between: [hero, villain], kind: rivalry, canon: on_screen, note: Enemies., source: a}\n", "[]\n")
        .replace("relationships:\n[]", "relationships: []")
    )
    report = await store.packs.import_file(path)
    assert report.updated["characters"] == 1 and report.removed["characters"] == 1
    assert report.removed["relationships"] == 1
    assert await store.fetch_value("SELECT id FROM characters WHERE key = 'hero'") == hero_id
    assert await store.fetch_value("SELECT actor FROM characters WHERE key = 'hero'") == "Another Actor"
    assert store.facts.revision == revision + 1


async def test_a_bad_pack_leaves_the_store_unchanged(defenders: Store, tmp_path: Path) -> None:
    before = await table_snapshot(defenders, FACT_TABLES)
    broken = yaml.safe_load(bundled_pack_path().read_text())
    broken["relationships"].append(
        {"between": ["matt-murdock", "nobody"], "kind": "romance", "canon": "rumour", "note": "x", "source": "cb-defenders-set"}
    )
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(PackError, match="unknown character `nobody`"):
        await defenders.packs.import_file(path)
    assert await table_snapshot(defenders, FACT_TABLES) == before


async def test_export_round_trips(defenders: Store, tmp_path: Path) -> None:
    spec = await defenders.packs.export("defenders")
    assert spec is not None
    path = tmp_path / "exported.yaml"
    path.write_text(dump_pack(spec))
    facts = [t for t in FACT_TABLES if t != "packs"]  # the digest may differ: export spells out defaults
    before = await table_snapshot(defenders, facts)
    report = await defenders.packs.import_file(path, force=True)
    assert not report.changed
    assert await table_snapshot(defenders, facts) == before


async def test_store_api_returns_profiles_with_sources(defenders: Store) -> None:
    entries = [e for pack in (await defenders.characters.name_entries_by_pack()).values() for e in pack]
    matt_id = next(e.character_id for e in entries if e.text == "Daredevil")
    matt = await defenders.characters.get(matt_id)
    assert matt is not None and matt.name == "Matt Murdock" and matt.actor == "Charlie Cox"
    assert matt.known_as == ("Daredevil",) and matt.names[0].label == "hero name"  # the pack's own word
    assert {r.other(matt.id)[1] for r in matt.relationships} >= {"Elektra", "Claire Temple"}
    assert all(r.source_id in matt.sources for r in matt.relationships)
    assert matt.name_source_id is not None and matt.sources[matt.name_source_id].from_articles is False  # "Murdock" is common knowledge
    counts = await defenders.counts()
    assert (counts.characters, counts.series, counts.sources) == (23, 6, 6)


HOSTILE = {
    "nested 900 deep": "format: 1\npack: " + "[" * 900 + "]" * 900,
    "mappings 900 deep": "format: 1\npack: " + "{a: " * 900 + "1" + "}" * 900,
    "a 5,000-digit number": MINIMAL.replace("number: 1,", "number: " + "9" * 5000 + ","),
    "a 5,000-digit hex number": "format: 0x" + "f" * 5000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_pack_gets_the_normal_problem_report(text: str) -> None:
    assert len(text) < 12_000
    problems = problems_of(text)
    assert problems and all(p.startswith("pack.yaml:") for p in problems)


YAMLISH = st.text(alphabet=st.sampled_from(list("{}[]:,-#&*!|>'\"%@` \n\t0123456789.eE+xabc_")), max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.one_of(YAMLISH, st.text(max_size=200), YAMLISH.map(lambda t: MINIMAL + t),
                 YAMLISH.map(lambda t: MINIMAL.replace("Hero Person", t))))
def test_any_text_is_a_pack_or_a_problem_report(text: str) -> None:
    """The checker never crashes: whatever a file holds, it is a valid pack or a PackError."""
    try:
        check_pack_text(text, "pack.yaml")
    except PackError as exc:
        assert exc.problems
