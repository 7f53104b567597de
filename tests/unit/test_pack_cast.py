"""What a pack may say of its cast: a character's image, billing per appearance, a recast role, ship
names — checked with plain messages, imported, exported back, and used to rank lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import PackError, Store, bundled_pack_path
from db.facts.models import Billing
from db.packs.check import check_pack_file, check_pack_text
from db.packs.format import dump_pack

HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"

CAST = """\
format: 1
pack: {id: cast, title: Cast}
sources:
  a: {title: An article}
  b: {title: Another article}
series:
  show:
    title: The Show
    source: a
    seasons:
      - {number: 1, source: a, release: [{date: July 2030, source: a}]}
      - {number: 2, source: a, release: [{date: TBD, source: a}]}
      - {number: 3, source: a}
characters:
  nancy:
    name: Nancy Wheeler
    actor: First Actor
    image: https://example.org/nancy.png
    appearances:
      - {series: show, seasons: [1], billing: main}
      - {series: show, seasons: [2, 3], billing: main, actor: Second Actor, actor_source: b}
    source: a
  jonathan: {name: Jonathan Byers, actor: Third Actor, source: a, appearances: [{series: show, billing: recurring}]}
  steve: {name: Steve Harrington, source: a, appearances: [{series: show, seasons: [1, 2, 3], billing: guest}]}
relationships:
  - {between: [nancy, jonathan], kind: romance, canon: on_screen, note: Together., source: a}
ships:
  - between: [nancy, jonathan]
    names: [Jancy, {name: Byeler, source: b}]
    source: a
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        check_pack_text(text, "pack.yaml")
    return [p.render("pack.yaml") for p in caught.value.problems]


def test_every_new_field_is_accepted_and_the_test_packs_use_them() -> None:
    spec = check_pack_text(CAST).spec
    nancy = spec.characters["nancy"]
    assert nancy.image == "https://example.org/nancy.png"
    assert [(a.billing, a.actor) for a in nancy.appearances] == [(Billing.MAIN, None), (Billing.MAIN, "Second Actor")]
    assert spec.ships[0].between == ("nancy", "jonathan")
    harbor = check_pack_file(HARBOR).spec
    assert harbor.ships and harbor.characters["claire-temple"].image
    assert {a.billing for c in harbor.characters.values() for a in c.appearances} == set(Billing)
    assert any(a.actor for c in harbor.characters.values() for a in c.appearances)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("image: https://example.org/nancy.png", "image: ftp://example.org/nancy.png",
         "pack.yaml:18: characters.nancy.image: `ftp://example.org/nancy.png` is not a web address; "
         "`image` takes an http:// or https:// URL"),
        ("image: https://example.org/nancy.png", "image: javascript:alert(1)", "is not a web address"),
        ("image: https://example.org/nancy.png", "image: https:///nancy.png", "with a host name"),
        ("image: https://example.org/nancy.png", "image: https://example.org/my nancy.png", "a space is %20"),
        ("image: https://example.org/nancy.png", "image: https://example.org/élodie.png", "non-ASCII"),
        ("image: https://example.org/nancy.png", 'image: "https://example.org/<nancy>.png"', "holds '<', which a web address cannot"),
        ("image: https://example.org/nancy.png", "image: https://example.org/" + "n" * 2100,
         "characters.nancy.image: the address is 2120 characters long; Discord shows images from addresses of at most 2048"),
        ("billing: recurring", "billing: lead",
         "characters.jonathan.appearances.0.billing: `lead` is not allowed here; must be one of: main, recurring, guest"),
        ("actor: Second Actor, actor_source: b", "actor_source: b",
         "characters.nancy.appearances.1.actor_source: `actor_source` names the source of `actor`, and this appearance has no `actor`"),
        ("actor_source: b", "actor_source: z", "characters.nancy.appearances.1.actor_source: unknown source `z`"),
        ("actor: Second Actor", "actor: first actor",
         "characters.nancy.appearances.1.actor: `first actor` is already the character's actor"),
        ("between: [nancy, jonathan]\n    names", "between: [nancy, nobody]\n    names",
         "pack.yaml:28: ships.0.between.1: unknown character `nobody`"),
        ("between: [nancy, jonathan]\n    names", "between: [nancy, nancy]\n    names",
         "ships.0.between: a ship needs two different characters"),
        ("names: [Jancy, {name: Byeler, source: b}]", "names: []", "ships.0.names: is empty; at least 1 is needed"),
        ("names: [Jancy, {name: Byeler, source: b}]", "names: [Jancy, jancy]", "ships.0.names.1: `jancy` is listed twice"),
        ("{name: Byeler, source: b}", "{name: Byeler, source: q}", "ships.0.names.1: unknown source `q`"),
        ("    source: a\n", "    source: q\n", "ships.0.source: unknown source `q`"),
        ("date: July 2030", "date: Jully 2030", "`Jully` is not a month"),
    ],
)
def test_bad_cast_fields_are_refused_with_a_plain_message(old: str, new: str, expected: str) -> None:
    assert old in CAST
    text = CAST.replace(old, new, 1) if old != "    source: a\n" else CAST[: CAST.rindex(old)] + new
    rendered = problems_of(text)
    assert any(expected in line for line in rendered), rendered


def test_a_ship_is_one_pair_listed_once_and_its_names_point_to_one_pair() -> None:
    twice = CAST + "  - {between: [jonathan, nancy], names: [Nanathan], source: a}\n"
    assert any(
        "ships.1.between: the pair jonathan × nancy is listed twice (also ships.0); give all its names in one entry" in p
        for p in problems_of(twice)
    )
    shared = CAST + "  - {between: [nancy, steve], names: [JANCY], source: a}\n"
    assert any("ships.1.names.0: `JANCY` is already the name of the ship nancy × jonathan" in p for p in problems_of(shared))


async def test_import_stores_every_field_and_the_profile_carries_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cast.yaml"
    path.write_text(CAST)
    await store.packs.import_file(path)
    nancy_id = await store.fetch_value("SELECT id FROM characters WHERE key = 'nancy'")
    nancy = await store.characters.get(nancy_id)
    assert nancy is not None and nancy.image_url == "https://example.org/nancy.png"
    by_season = {a.season_number: a for a in nancy.appearances}
    assert by_season[1].billing is Billing.MAIN and by_season[1].actor is None and by_season[1].actor_source_id is None
    assert by_season[3].actor == "Second Actor" and by_season[3].actor_source_id in nancy.sources
    assert nancy.sources[by_season[3].actor_source_id].title == "Another article"
    jonathan_id = await store.fetch_value("SELECT id FROM characters WHERE key = 'jonathan'")
    ship = await store.ships.between(jonathan_id, nancy_id)
    assert ship is not None and (ship.first_name, ship.second_name) == ("Nancy Wheeler", "Jonathan Byers")
    assert [n.name for n in ship.names] == ["Jancy", "Byeler"]
    assert await store.ships.get(ship.id) == ship
    entries = [e for pack in (await store.characters.name_entries_by_pack()).values() for e in pack]
    assert {e.text for e in entries if e.character_id == nancy_id and e.kind == "actor"} == {"First Actor", "Second Actor"}
    [(_, ships)] = (await store.ships.summaries_by_pack()).items()
    assert ships[0].names == ("Jancy", "Byeler")


async def test_a_guild_sees_ships_of_the_fandoms_it_follows_only(store: Store) -> None:
    from datetime import UTC, datetime

    await store.packs.import_files([bundled_pack_path(), HARBOR])
    mara = await store.fetch_value("SELECT id FROM characters WHERE key = 'mara-quill'")
    jonah = await store.fetch_value("SELECT id FROM characters WHERE key = 'jonah-pike'")
    ship = await store.ships.between(jonah, mara, 1)  # by default a guild follows every pack
    assert ship is not None and [n.name for n in ship.names] == ["Quillpike", "Jonara"]
    await store.fandoms.set_following(1, frozenset({"defenders"}), 7, datetime(2030, 1, 1, tzinfo=UTC))
    assert await store.ships.between(mara, jonah, 1) is None and await store.ships.get(ship.id, 1) is None


async def test_billing_ranks_before_appearance_counts(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cast.yaml"
    path.write_text(CAST)
    await store.packs.import_file(path)
    [ranked] = (await store.characters.prominence_by_pack()).values()
    names = {r["id"]: r["key"] for r in await store.fetch_all("SELECT id, key FROM characters")}
    # Steve appears in more seasons than Jonathan, but as a guest; Nancy is main.
    assert [names[cid] for cid, _, _ in ranked] == ["nancy", "jonathan", "steve"]
    weights = [weight for _, weight, _ in ranked]
    assert weights == sorted(weights, reverse=True) and weights[-1] > 0
    assert all(show == "The Show" for _, _, show in ranked)


async def test_the_bundled_pack_bills_its_title_characters_first(defenders: Store) -> None:
    [ranked] = (await defenders.characters.prominence_by_pack()).values()
    names = {r["id"]: r["name"] for r in await defenders.fetch_all("SELECT id, name FROM characters")}
    top = {names[cid] for cid, _, _ in ranked[:4]}
    assert top == {"Matt Murdock", "Jessica Jones", "Luke Cage", "Danny Rand"}
    shows = {names[cid]: show for cid, _, show in ranked}
    assert shows["Jessica Jones"] == "Marvel's Jessica Jones" and shows["Danny Rand"] == "Marvel's Iron Fist"


@pytest.mark.parametrize("pack", [CAST, HARBOR.read_text()], ids=["cast", "harbor"])
async def test_export_of_an_imported_pack_imports_to_the_same_rows_and_exports_to_the_same_digest(
    store: Store, tmp_path: Path, pack: str
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(pack)
    key = check_pack_file(path).spec.pack.id
    await store.packs.import_file(path)
    exported = await store.packs.export(key)
    assert exported is not None
    again = tmp_path / "exported.yaml"
    again.write_text(dump_pack(exported))
    tables = ("characters", "appearances", "ships", "ship_names", "release_dates")
    before = {t: [tuple(r) for r in await store.fetch_all(f"SELECT * FROM {t} ORDER BY id")] for t in tables}
    report = await store.packs.import_file(again, force=True)
    assert not report.changed
    assert {t: [tuple(r) for r in await store.fetch_all(f"SELECT * FROM {t} ORDER BY id")] for t in tables} == before
    # Exported again from a store that only ever saw the export: the same pack, digest for digest.
    async with Store.open(tmp_path / "second.sqlite3") as second:
        await second.migrate()
        await second.packs.import_file(again)
        twice = await second.packs.export(key)
    assert twice is not None
    assert check_pack_text(dump_pack(twice)).digest == check_pack_file(again).digest
    text = again.read_text()
    assert "billing: main" in text and "actor_source:" in text and "ships:" in text and "image: https://example.org/" in text


def test_dates_by_month_name_and_tba_are_pack_dates() -> None:
    spec = check_pack_text(CAST).spec
    assert [s.release[0].date for s in spec.series["show"].seasons if s.release] == ["July 2030", "TBD"]


async def test_names_and_prominence_read_for_one_pack_are_that_packs_part_of_all(store: Store) -> None:
    # The name indexes are built one pack at a time (bot/search/directory.py): each pack's read must be
    # exactly its share of the read of every pack, in the same order.
    await store.packs.import_files([bundled_pack_path(), HARBOR])
    names = await store.characters.name_entries_by_pack()
    prominence = await store.characters.prominence_by_pack()
    assert len(names) == 2 and len(prominence) == 2
    for pack_id in names:
        assert await store.characters.name_entries_by_pack(pack_id) == {pack_id: names[pack_id]}
        assert await store.characters.prominence_by_pack(pack_id) == {pack_id: prominence[pack_id]}
    assert await store.characters.name_entries_by_pack(max(names) + 1) == {}
