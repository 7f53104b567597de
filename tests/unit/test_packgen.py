"""The generated packs and the real-data converters: valid packs, deterministic, with the collisions
the matcher's case tables rely on."""

from __future__ import annotations

import collections
import gzip
from pathlib import Path

from bench import packgen, realpack
from bench.cases import REAL_PACKS
from db.packs.check import MAX_PACK_BYTES, check_pack_text


def test_generated_packs_are_valid_deterministic_and_collide_like_real_names() -> None:
    shows = packgen.generate(2_000, 4)
    texts = [packgen.render(show) for show in shows]
    assert texts == [packgen.render(show) for show in packgen.generate(2_000, 4)]  # same seed, same bytes
    assert texts != [packgen.render(show) for show in packgen.generate(2_000, 4, seed=12)]
    specs = [check_pack_text(text, f"{show.id}.yaml").spec for show, text in zip(shows, texts, strict=True)]
    assert [len(s.characters) for s in specs] == [500] * 4
    names = collections.Counter(c.name for s in specs for c in s.characters.values())
    assert names["John Carver"] == 2 and names["Claire Bennett"] == 2  # namesakes across packs
    firsts = collections.Counter(c.name.split()[0] for s in specs for c in s.characters.values())
    assert firsts["John"] >= 30  # many Johns, as in any big cast
    actors = collections.Counter(c.actor for s in specs for c in s.characters.values() if c.actor)
    assert actors["Rosa Alvarez"] == 3 and max(actors.values()) >= 4  # actors with several parts
    others = [n for s in specs for c in s.characters.values() for n in [*c.hero_names, *c.names.get("nickname", [])]]
    assert "Jack" in others and "Iron Lark" in others
    assert any(not c.name.isascii() for s in specs for c in s.characters.values())
    assert any("'" in c.name or " van der " in c.name or " de la " in c.name for s in specs for c in s.characters.values())


def test_twenty_thousand_characters_in_one_pack_is_about_three_megabytes(tmp_path: Path) -> None:
    [path] = packgen.write(packgen.generate(20_000, 1), tmp_path)
    assert 2.5 * 2**20 < path.stat().st_size < MAX_PACK_BYTES
    assert packgen.main(["--characters", "40", "--packs", "4", "-o", str(tmp_path / "four")]) == 0
    assert sorted(p.name for p in (tmp_path / "four").iterdir()) == sorted(f"{s[0]}.yaml" for s in packgen.SHOWS)


def test_the_marvel_converter_splits_hero_names_nicknames_and_the_main_universe() -> None:
    rows = [
        {"page_id": "1", "name": 'Wolverine (James \\"Logan\\" Howlett)', "APPEARANCES": "3061", "ALIGN": "Neutral Characters",
         "ID": "Public Identity", "ALIVE": "Living Characters", "FIRST APPEARANCE": "Oct-74"},
        {"page_id": "2", "name": "Benjamin Grimm (Earth-616)", "APPEARANCES": "2255", "ALIGN": "", "ID": "", "ALIVE": "",
         "FIRST APPEARANCE": ""},
        {"page_id": "3", "name": "Benjamin Grimm (Earth-616)", "APPEARANCES": "", "ALIGN": "", "ID": "", "ALIVE": "",
         "FIRST APPEARANCE": ""},
        {"page_id": "4", "name": "Rogue (Anna Marie) (Earth-616)", "APPEARANCES": "1", "ALIGN": "", "ID": "", "ALIVE": "",
         "FIRST APPEARANCE": ""},
    ]
    spec = check_pack_text(realpack.marvel(rows)).spec
    logan = spec.characters["james-howlett"]
    assert (logan.name, logan.hero_names, logan.names["nickname"], logan.aliases) == (
        "James Howlett", ["Wolverine"], ["Logan"], ["Logan Howlett"]
    )
    assert [a.seasons for a in logan.appearances] == [list(range(1, 13))]  # 3,061 appearances: tier 12
    assert [c.name for c in spec.characters.values()][1:] == [
        "Benjamin Grimm", "Benjamin Grimm (Earth-616)", "Rogue (Anna Marie)"  # a namesake keeps the wiki's name
    ]


def test_the_ice_and_fire_converter_gives_namesakes_a_qualifier_and_keeps_actors_and_seasons() -> None:
    def character(id_: int, name: str, **fields: object) -> dict[str, object]:
        base: dict[str, object] = {"Id": id_, "Name": name, "Culture": "", "Born": "", "Died": "", "Titles": [], "Aliases": [],
                                   "PlayedBy": [], "TvSeries": [], "Books": [], "PovBooks": []}
        return {**base, **fields}

    spec = check_pack_text(realpack.ice_and_fire([
        character(1, "Brandon Stark", Titles=["King in the North"], Books=[1]),
        character(2, "Brandon Stark", Aliases=["Bran"], PlayedBy=["Isaac Hempstead-Wright"], TvSeries=["Season 1", "Season 2"],
                  Books=[1, 2], Titles=["Ser", "Prince of Winterfell"]),
        character(3, "", Books=[1]),
        character(4, "Gregor Clegane", PlayedBy=["Conan Stevens", "Ian Whyte"], Aliases=["The Mountain"]),
    ])).spec
    bran, other, gregor = spec.characters["brandon-stark"], spec.characters["brandon-stark-king-in-the-north"], spec.characters[
        "gregor-clegane"]
    assert (bran.name, bran.actor, bran.aliases, bran.names["title"]) == (
        "Brandon Stark", "Isaac Hempstead-Wright", ["Bran"], ["Prince of Winterfell"]
    )
    assert [(a.series, a.seasons) for a in bran.appearances] == [("game-of-thrones", [1, 2]), ("novels", [1, 2])]
    assert other.name == "Brandon Stark (King in the North)"
    assert (gregor.actor, gregor.actor_aliases) == ("Conan Stevens", ["Ian Whyte"])
    assert len(spec.characters) == 3  # the nameless one is dropped


def test_the_committed_real_packs_are_gzipped_packs_the_tables_can_use() -> None:
    for name in ("ice-and-fire.yaml.gz", "marvel-wikia.yaml.gz"):
        data = (REAL_PACKS / name).read_bytes()
        assert data[:2] == b"\x1f\x8b" and len(gzip.decompress(data)) < MAX_PACK_BYTES
    assert len(check_pack_text(realpack.read_pack_text(REAL_PACKS / "ice-and-fire.yaml.gz")).spec.characters) == 2124
