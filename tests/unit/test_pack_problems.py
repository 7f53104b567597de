"""The pack checker tells every problem of a pack in one run, structure and references together, at
the right line and path, in plain words: never a validation library's wording or a regular expression."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from db import PackError, Store, bundled_pack_path
from db.__main__ import main as db_cli
from db.packs.check import check_pack_text
from db.packs.format import Key, Name
from db.packs.words import issues, message
from tests.unit.test_pack import MINIMAL

ONE_OF_EACH = f"""\
format: 1
pack: {{id: mini, title: Mini, canon: [books]}}
sources:
  a: {{title: An article, published: 2017}}
  BBC: {{title: The BBC}}
  b: {{title: "  ", from_articles: maybe}}
series:
  show:
    title: The Show
    kind: movie
    source: a
    aliases: Showy
    seasons:
      - {{number: 0, source: a, release: [{{date: 2017, source: a}}]}}
      - {{number: 2, episodes: 2.5}}
characters:
  Georgia: {{name: Georgia Lee, source: a}}
  hero:
    name: Hero Person
    acter: Some Actor
    description: {"x" * 1001}
    aliases: [[Nick]]
    appearances: [{{series: show, seasons: [3]}}]
    source: nowhere
  villain: {{name: Villain, status: maybe, source: b}}
relationships:
  - {{between: [hero], kind: rivalry, canon: on_screen, note: Enemies., source: a}}
  - {{between: [hero, nobody], kind: rivalry, canon: on_screen, note: Enemies., source: a}}
  - {{between: [villain, hero], kind: rivalry, canon: on_screen, note: " ", source: a}}
"""
BAD_ID = "is not a valid id: use lowercase letters, digits and hyphens, starting with a letter or digit, at most 63 characters"


def problems_of(text: str, filename: str = "pack.yaml") -> list[str]:
    with pytest.raises(PackError) as caught:
        check_pack_text(text, filename)
    return [p.render(filename) for p in caught.value.problems]


def test_one_of_each_mistake_is_told_in_plain_words_with_its_line_and_path() -> None:
    assert problems_of(ONE_OF_EACH) == [
        "pack.yaml:2: pack.canon: is a list; expected a mapping",
        'pack.yaml:4: sources.a.published: `published: 2017` must be quoted as text: `published: "2017"`',
        f"pack.yaml:5: sources.BBC: `BBC` {BAD_ID}",
        "pack.yaml:6: sources.b.title: is empty; it needs some text",
        "pack.yaml:6: sources.b.from_articles: `maybe` is not true or false",
        "pack.yaml:10: series.show.kind: `movie` is not allowed here; must be one of: series, miniseries",
        "pack.yaml:12: series.show.aliases: is text; expected a list: `aliases: [Showy]`",
        "pack.yaml:14: series.show.seasons.0.number: is 0; must be at least 1",
        'pack.yaml:14: series.show.seasons.0.release.0.date: `date: 2017` must be quoted as text: `date: "2017"`',
        "pack.yaml:15: series.show.seasons.1.episodes: is the number 2.5; expected a whole number or a list",
        "pack.yaml:15: series.show.seasons.1.source: missing `source` (required here)",
        f"pack.yaml:17: characters.Georgia: `Georgia` {BAD_ID}",
        "pack.yaml:20: characters.hero.acter: unknown key `acter`; allowed here: name, name_source, since, hero_names, aliases, "
        "names, actor, actor_aliases, image, prominence, status, description, affiliations, appearances, events, source",
        "pack.yaml:21: characters.hero.description: is 1001 characters; at most 1000",
        "pack.yaml:22: characters.hero.aliases.0: is a list; expected text or a mapping with keys: name, source, since",
        # references, cross-checked in the same run wherever the structure allows
        "pack.yaml:23: characters.hero.appearances.0.seasons: show has no season 3",
        "pack.yaml:24: characters.hero.source: unknown source `nowhere`; sources are: a",
        "pack.yaml:25: characters.villain.status: `maybe` is not allowed here; must be one of: confirmed, rumoured",
        "pack.yaml:27: relationships.0.between: has 1 item; exactly 2 are needed",
        "pack.yaml:28: relationships.1.between.1: unknown character `nobody`",
        "pack.yaml:29: relationships.2.note: is empty; it needs some text",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  a: {title: An article}", "  a: {title: An article}\n  BBC: {title: The BBC}", f"pack.yaml:5: sources.BBC: `BBC` {BAD_ID}"),
        ("  villain: {name", "  Georgia: {name: G, source: a}\n  villain: {name", f"pack.yaml:13: characters.Georgia: `Georgia` {BAD_ID}"),
        ("  villain: {name: Villain, source: a}", "  villain: {name: Villain, source: a, Hat: red}",
         "pack.yaml:13: characters.villain.Hat: unknown key `Hat`; allowed here: name, name_source"),
        ("pack: {id: mini", "pack: {id: Mini", f"pack.yaml:2: pack.id: `Mini` {BAD_ID}"),
        ("canon: on_screen", "canon: On Screen", "relationships.0.canon: `On Screen` is not a valid kind: use lowercase letters, "
         "digits, underscores and hyphens, starting with a letter or digit, at most 40 characters"),
        ("source: a, appearances", "source: BBC, appearances", f"pack.yaml:12: characters.hero.source: `BBC` {BAD_ID}"),
        ('"2030-01-05"', "2030", 'release.0.date: `date: 2030` must be quoted as text: `date: "2030"`'),
        ('"2030-01-05"', "0x7EE", 'release.0.date: `date: 0x7EE` must be quoted as text: `date: "0x7EE"`'),
        ("note: Enemies.", "note: yes", 'relationships.0.note: `note: yes` must be quoted as text: `note: "yes"`'),
        ("actor: Some Actor", "actor: 12", 'characters.hero.actor: `actor: 12` must be quoted as text: `actor: "12"`'),
        ("note: Enemies.", "note:", "relationships.0.note: is empty; it needs some text"),
        ("between: [hero, villain]", "between: [hero, villain, hero]", "relationships.0.between: has 3 items; exactly 2 are needed"),
        ("between: [hero, villain]", "between: hero", "relationships.0.between: is text; expected a list of 2"),
        ("sources:\n  a: {title: An article}", "sources: {}", "pack.yaml:3: sources: is empty; at least 1 is needed"),
        ("seasons: [1]", "seasons: [1001]", "appearances.0.seasons.0: is 1001; must be at most 1000"),
        ("seasons: [1]", "seasons: [one]", "appearances.0.seasons.0: `one` is not a whole number"),
        ("format: 1", "format: one", "pack.yaml:1: format: `one` is not allowed here; must be one of: 1"),
        ("pack: {id: mini, title: Mini}", "pack: [mini]", "pack.yaml:2: pack: is a list; expected a mapping with keys: id, title"),
        ("pack: {id: mini, title: Mini}", "pack: {id: mini}", "pack.yaml:2: pack.title: missing `title` (required here)"),
    ],
)
def test_each_mistake_in_words(old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    rendered = problems_of(MINIMAL.replace(old, new, 1))
    assert any(expected in line for line in rendered), rendered


def test_a_new_kind_of_field_gets_plain_words_without_a_change_to_the_checker() -> None:
    class Ship(BaseModel):
        model_config = ConfigDict(extra="forbid")
        image: HttpUrl | None = None
        names: list[Name] = Field(default_factory=list)
        billing: Literal["lead", "guest"] = "lead"
        pair: tuple[Key, Key]

    with pytest.raises(ValidationError) as caught:
        Ship.model_validate({"image": "pic.png", "names": [7], "billing": "star", "Hat": 1, "pair": ["a", "B"]})
    assert [(".".join(map(str, i.path)), message(i)) for i in issues(caught.value.errors(), Ship)] == [
        ("image", "`pic.png` is not a web address written in full, like https://example.org/page"),
        ("names.0", '`7` must be quoted as text: `"7"`'),
        ("billing", "`star` is not allowed here; must be one of: lead, guest"),
        ("pair.1", f"`B` {BAD_ID}"),
        ("Hat", "unknown key `Hat`; allowed here: image, names, billing, pair"),
    ]


def test_an_empty_file_or_a_list_is_told_what_a_pack_is() -> None:
    keys = "format, pack, sync, sources, series, characters, relationships, ships"
    assert problems_of("") == [f"pack.yaml:1: (top level): is empty; it needs a mapping with keys: {keys}"]
    assert problems_of("- 1\n") == [f"pack.yaml:1: (top level): is a list; expected a mapping with keys: {keys}"]


def test_a_typo_and_a_dangling_reference_are_reported_in_one_run() -> None:
    text = MINIMAL.replace("actor: Some Actor", "acter: Some Actor").replace("between: [hero, villain]", "between: [hero, vilain]")
    assert problems_of(text) == [
        "pack.yaml:12: characters.hero.acter: unknown key `acter`; allowed here: name, name_source, since, hero_names, aliases, "
        "names, actor, actor_aliases, image, prominence, status, description, affiliations, appearances, events, source",
        "pack.yaml:15: relationships.0.between.1: unknown character `vilain`",
    ]


def test_what_refers_to_a_broken_entry_is_not_reported_as_dangling() -> None:
    """A source, character or season with its own problem still counts as there: what refers to it
    gets no second, misleading problem; every other reference is still checked."""
    text = (
        MINIMAL.replace("  a: {title: An article}", '  a: {title: An article}\n  b: {title: ""}')
        .replace("{number: 1, source: a,", "{number: 1,")
        .replace("  villain: {name: Villain, source: a}", "  villain: {name: Villain, source: b, Hat: red}")
        .replace("source: a}\n", "source: nope}\n")
    )
    assert problems_of(text) == [
        "pack.yaml:5: sources.b.title: is empty; it needs some text",
        "pack.yaml:11: series.show.seasons.0.source: missing `source` (required here)",
        "pack.yaml:14: characters.villain.Hat: unknown key `Hat`; allowed here: name, name_source, since, hero_names, aliases, "
        "names, actor, actor_aliases, image, prominence, status, description, affiliations, appearances, events, source",
        "pack.yaml:16: relationships.0.source: unknown source `nope`; sources are: a",
    ]


def test_paths_after_a_broken_list_item_keep_the_files_indices() -> None:
    extra = "  - {between: [hero], kind: rivalry, canon: on_screen, note: x, source: a}\n"
    dangling = "  - {between: [hero, nobody], kind: rivalry, canon: on_screen, note: y, source: a}\n"
    assert problems_of(MINIMAL + extra + dangling) == [
        "pack.yaml:16: relationships.1.between: has 1 item; exactly 2 are needed",
        "pack.yaml:17: relationships.2.between.1: unknown character `nobody`",
    ]


def test_a_top_level_problem_is_still_reported_with_the_rest_of_the_structure() -> None:
    text = MINIMAL.replace("format: 1", "format: 2").replace("actor: Some Actor", "acter: Some Actor")
    rendered = problems_of(text)
    assert [p.split(": ")[1] for p in rendered] == ["format", "characters.hero.acter"]


# A pack broken at random: any value replaced by any other kind of value, or a key added anywhere.
def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*path, i))
    return found


BASE = yaml.safe_load(MINIMAL)
PLACES = _paths(BASE)[1:]
WORDS = st.text(alphabet="abcXYZ -_.09", max_size=6)
VALUES = st.one_of(
    st.integers(-5, 3000), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(), WORDS,
    st.just("x" * 1001), st.just("Bad Key"), st.lists(st.one_of(st.integers(0, 9), WORDS), max_size=3),
    st.dictionaries(WORDS, st.one_of(st.integers(0, 9), WORDS), max_size=2),
)
JARGON = ("pattern", "^", "$", "Input should", "pydantic", "Extra inputs", "Field required", "[key]", "constrained-str",
          "SourcedName", "Spec", "valid string", "Tuple", "validation")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PLACES), VALUES, st.booleans()), min_size=1, max_size=4))
def test_no_message_speaks_a_validation_librarys_jargon(changes: list[tuple[tuple[Any, ...], Any, bool]]) -> None:
    pack = yaml.safe_load(MINIMAL)
    for path, value, add_key in changes:
        holder: Any = pack
        try:
            for part in path[:-1]:
                holder = holder[part]
            if add_key and isinstance(holder[path[-1]], dict):
                holder[path[-1]]["Hat"] = value
            else:
                holder[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        check_pack_text(yaml.safe_dump(pack), "pack.yaml")
    except PackError as exc:
        for problem in exc.problems:
            assert problem.line is not None
            assert not [w for w in JARGON if w in problem.message], problem.render("pack.yaml")


def big_pack(characters: int, *, broken: bool = False) -> str:
    """A pack of `characters` characters (~150 bytes each), with series, seasons and relationships."""
    out = ["format: 1", "pack: {id: big, title: Big}", "sources:", "  s: {title: S}", "  t: {title: T}", "series:"]
    for k in range(20):
        out += [f"  show-{k}:", f"    title: Show {k}", "    source: s", "    seasons:"]
        out += [f"      - {{number: {n}, source: s, release: [{{date: \"2030-0{n}-05\", source: t}}]}}" for n in (1, 2, 3)]
    out.append("characters:")
    for i in range(characters):
        out += [f"  p{i}:", f"    name: Person {i}", f"    actor: Actor {i}", f"    aliases: [Nick {i}]",
                f"    appearances: [{{series: show-{i % 20}, seasons: [1, 2]}}]", "    source: s"]
    out.append("relationships:")
    out += [f"  - {{between: [p{i}, p{i + 1}], kind: rivalry, canon: on_screen, note: Rivals., source: s}}"
            for i in range(0, characters - 1, 2)]
    text = "\n".join(out) + "\n"
    if broken:  # a typo, a capitalised key, a bare-number date, and a dangling reference far apart
        text = (text.replace("    actor: Actor 5\n", "    acter: Actor 5\n", 1)
                .replace("  p7:\n", "  P7:\n", 1).replace('date: "2030-02-05"', "date: 2030", 1)
                .replace(f"source: s}}\n  - {{between: [p{characters - 2}", f"source: nope}}\n  - {{between: [p{characters - 2}", 1))
    return text


def test_a_20000_character_pack_is_checked_whole_or_broken(tmp_path: Path) -> None:
    from tests.figures import record

    for broken in (False, True):
        text = big_pack(20_000, broken=broken)
        started = time.perf_counter()
        try:
            check_pack_text(text, "big.yaml")
            problems: list[str] = []
        except PackError as exc:
            problems = [p.render("big.yaml") for p in exc.problems]
        record(f"check of a {len(text) / 2**20:.1f} MB, 20,000-character pack, {'broken' if broken else 'valid'} (s)",
               time.perf_counter() - started)
        assert len(problems) == (5 if broken else 0), problems[:10]
    assert [p.split(": ", 1)[1] for p in problems] == [
        'series.show-0.seasons.1.release.0.date: `date: 2030` must be quoted as text: `date: "2030"`',
        "characters.p5.acter: unknown key `acter`; allowed here: name, name_source, since, hero_names, aliases, names, actor, "
        "actor_aliases, image, prominence, status, description, affiliations, appearances, events, source",
        f"characters.P7: `P7` {BAD_ID}",
        "relationships.3.between.1: unknown character `p7`",  # true: the key is `P7`
        "relationships.9998.source: unknown source `nope`; sources are: s, t",
    ]


def test_db_check_prints_every_problem_of_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, typo, dangling = tmp_path / "good.yaml", tmp_path / "typo.yaml", tmp_path / "dangling.yaml"
    good.write_text(MINIMAL)
    typo.write_text(MINIMAL.replace("actor: Some Actor", "acter: Some Actor").replace('"2030-01-05"', "2030"))
    dangling.write_text(MINIMAL.replace("source: a, appearances", "source: b, appearances"))
    assert db_cli(["check", str(good), str(typo), str(dangling)]) == 1
    out, err = capsys.readouterr()
    assert f"{good}: ok — pack `mini`" in out
    assert err.splitlines() == [
        f"2 problem(s) in {typo}; nothing was imported:",
        f'  {typo}:10: series.show.seasons.0.release.0.date: `date: 2030` must be quoted as text: `date: "2030"`',
        f"  {typo}:12: characters.hero.acter: unknown key `acter`; allowed here: name, name_source, since, hero_names, aliases, "
        "names, actor, actor_aliases, image, prominence, status, description, affiliations, appearances, events, source",
        f"1 problem(s) in {dangling}; nothing was imported:",
        f"  {dangling}:12: characters.hero.source: unknown source `b`; sources are: a",
    ]


async def test_a_changed_pack_file_is_read_once_at_start_up(store: Store, tmp_path: Path) -> None:
    """Through a named pipe, which gives its bytes to one reader: a second read would see an empty file."""
    pipe = tmp_path / "pack.yaml"
    os.mkfifo(pipe)

    def feed() -> None:
        with pipe.open("wb") as f:
            f.write(bundled_pack_path().read_bytes())
        with pipe.open("wb"):
            pass  # any second reader gets nothing

    threading.Thread(target=feed, daemon=True).start()
    try:
        [report] = await asyncio.wait_for(store.packs.import_files([pipe]), 30)
    finally:
        os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))  # let the feeder go
    assert report.parsed and report.changed and report.pack == "defenders"
