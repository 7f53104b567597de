"""Generated fact packs with the name collisions real fandoms have, for benchmarks and the matcher's case
table (tests/matching_cases/generated.tsv).

`python -m bench.packgen --characters 20000 --packs 4 -o DIR` writes DIR/<pack id>.yaml, deterministic
for a seed. Each pack is a show with a spin-off; a hand-written cast (`PLANTED`, the characters the
case table asks for) leads it, and a crowd drawn from name lists weighted like real name frequencies
fills it: many Johns and Claires, families sharing a surname, nicknames that are other characters'
first names (Jack, Alex), titles ("Dr. …"), "The …" names, hero names, actors playing several parts
across packs, particles and apostrophes (van der Berg, O'Brien), hyphens and accents (Zoë Lefèvre),
and the same full name in two packs. Leads appear in more seasons than anyone in the crowd, so the
most prominent of many namesakes is always a planted one. 20,000 characters in one pack is ~3 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import namelists as nl

SEED = 11


@dataclass
class Person:
    key: str
    name: str
    actor: str | None = None
    names: dict[str, list[str]] = field(default_factory=dict)  # kind (nickname, title, hero) → names
    appearances: list[tuple[str, list[int]]] = field(default_factory=list)  # (series key, seasons)
    description: str = ""


@dataclass
class Show:
    id: str
    title: str
    series: list[tuple[str, str, int]]  # (key, title, seasons)
    people: list[Person] = field(default_factory=list)
    relationships: list[tuple[str, str, str]] = field(default_factory=list)  # (first key, second key, status)


# The shows a run of 1–4 packs is made of, and their planted casts:
# (key, name, actor, tier, other names by kind). Tiers: lead (every season of both series), major, minor.
SHOWS: tuple[tuple[str, str, str, int, int], ...] = (
    ("harbourside", "Harbourside", "Harbourside: Nights", 8, 3),
    ("iron-lark", "The Iron Lark", "Lark and Owl", 5, 2),
    ("winterhold", "Winterhold", "Winterhold: The First Winter", 7, 2),
    ("precinct-nine", "Precinct Nine", "Precinct Nine: Cold Cases", 10, 2),
)
Planted = tuple[str, str, str | None, str, dict[str, list[str]]]
PLANTED: tuple[tuple[Planted, ...], ...] = (
    (
        ("claire-bennett", "Claire Bennett", "Rosa Alvarez", "lead", {"nickname": ["Doc"]}),
        ("john-carver", "John Carver", "Tom Hargrove", "lead", {"nickname": ["Jack"]}),
        ("jack-oconnor", "Jack O'Connor", "Liam Doyle", "major", {}),
        ("helen-okafor", "Helen Okafor", "Adaeze Mensah", "major", {"title": ["Dr. Okafor"]}),
        ("marguerite-de-la-cruz", "Marguerite de la Cruz", "Lucía Ferrer", "major", {"nickname": ["Daisy"]}),
        ("sean-obrien", "Seán O'Brien", "Cormac Byrne", "major", {}),
        ("the-ferryman", "The Ferryman", "Ezra Lindqvist", "major", {}),
        ("zoe-lefevre", "Zoë Lefèvre", "Camille Roux", "major", {}),
        ("pieter-van-der-berg", "Pieter van der Berg", "Dirk Jansen", "minor", {"nickname": ["Piet"]}),
        ("emily-carver", "Emily Carver", "Hannah Ostrowski", "major", {"nickname": ["Em"]}),
        ("thomas-carver", "Thomas Carver", "Rhys Pemberton", "minor", {"nickname": ["Tommy"]}),
        ("mary-kate-oneill", "Mary-Kate O'Neill", "Siobhán Keane", "minor", {}),
        # An imposter more prominent than the one it poses as, declared by a relationship (RELATIONSHIPS).
        ("the-changeling", "The Changeling", "Petra Vance", "lead", {"nickname": ["Helen Okafor"]}),
    ),
    (
        ("claire-dubois", "Claire Dubois", "Inès Moreau", "lead", {"hero": ["Iron Lark"]}),
        ("victor-sinclair", "Victor Sinclair", "Marcus Hale", "lead", {"hero": ["Night Owl"], "nickname": ["Vic"]}),
        ("john-carver", "John Carver", "Owen Pryce", "minor", {"title": ["Captain Carver"]}),
        ("alexandra-volkov", "Alexandra Volkov", "Katya Orlova", "major", {"nickname": ["Sasha"], "hero": ["Red Widow"]}),
        ("alexander-reyes", "Alexander Reyes", "Tom Hargrove", "major", {"nickname": ["Alex"]}),
        ("dr-ivan-petrov", "Dr. Ivan Petrov", "Stellan Brandt", "major", {"hero": ["Doctor Frost"]}),
        ("margaret-winslow", "Margaret Winslow", "Greta Lund", "major", {"nickname": ["Maggie", "The Magpie"]}),
        ("christopher-nakamura", "Christopher Nakamura", "Kenji Sato", "minor", {"nickname": ["Kit"]}),
        ("bjorn-sorensen", "Björn Sørensen", "Anders Holm", "minor", {"hero": ["Thunder Hawk"]}),
        ("alexandra-volkov-2-0", "Alexandra Volkov 2.0", "Katya Orlova", "lead", {}),  # a variant, more prominent
    ),
    (
        ("edric-harlow", "Edric Harlow", "Aidan Marsh", "lead", {"title": ["Lord Harlow", "Warden of the North Ridge"]}),
        ("edric-harlow-the-elder", "Edric Harlow the Elder", "Roland Ashby", "minor", {}),
        ("catherine-harlow", "Catherine Harlow", "Imogen Vale", "major", {"nickname": ["Cat"], "title": ["Lady Harlow"]}),
        ("robert-harlow", "Robert Harlow", "Finn Callahan", "major", {"nickname": ["Rob", "The Young Wolf"]}),
        ("eleanor-harlow", "Eleanor Harlow", "Maisie Trent", "major", {"nickname": ["Ellie"]}),
        ("hollis-blackwood", "Hollis Blackwood", "Gregor Thane", "major", {"nickname": ["The Hound"]}),
        ("asa-odegaard", "Åsa Ødegaard", "Liv Sundby", "minor", {}),
        ("lady-margaret-ashford", "Lady Margaret Ashford", "Rosa Alvarez", "minor", {}),
        ("the-archivist", "The Archivist", "Declan Moore", "major", {}),  # above the crowd's "The Archivist"s
        # Credited with a form of address, as TVmaze credits roles, beside a lead whose name starts the same.
        ("queen-rowena-vane", "Queen Rowena Vane", "Tilda Marsh", "major", {}),
        ("rowena-vane-jr", "Rowena Vane Jr.", "Cara Doyle", "lead", {}),
        ("herr-konrad-vogel", "Herr Konrad Vogel", "Jens Albrecht", "minor", {}),
        ("madame-odile-garnier", "Madame Odile Garnier", "Sylvie Brun", "minor", {}),
        ("hollis", "Hollis", "Pat Greer", "minor", {}),  # a one-scene namesake of Hollis Blackwood
    ),
    (
        ("dana-whitaker", "Dana Whitaker", "Nicole Brandt", "lead", {"title": ["Sergeant Whitaker"], "nickname": ["Dee"]}),
        ("john-smith", "John Smith", "Marcus Hale", "lead", {"nickname": ["Smitty"]}),
        ("mother-agnes", "Mother Agnès", "Rosa Alvarez", "minor", {}),
        ("claire-bennett", "Claire Bennett", "Poppy Lyle", "minor", {}),
        ("tom-hargrove", "Tom Hargrove", "Samir Haddad", "minor", {}),
        ("jose-nunez", "José Núñez", "Rafael Ortega", "major", {"nickname": ["Pepe"]}),
        ("william-oconnor", "William O'Connor", "Brendan Walsh", "major", {"nickname": ["Bill", "Billy"]}),
        ("will-turner", "Will Turner", "Oscar Reid", "minor", {}),
        ("giovanni-di-stefano", "Giovanni di Stefano", "Paolo Conti", "minor", {"title": ["Judge di Stefano"]}),
        ("dana", "Dana", "Gwen Harper", "minor", {}),  # a one-scene namesake of Dana Whitaker
        ("theodore-whitaker", "Theodore Whitaker", "Alfie Rowe", "major", {"nickname": ["Teddy"]}),
    ),
)
# Relationships of the planted casts, per show: (first, second, status). "imposter of" makes the first a
# variant of the second (bot/search/variants.py).
RELATIONSHIPS: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("the-changeling", "helen-okafor", "imposter of"),),
)
FAMILIES = ("Carver", "Volkov", "Harlow", "Whitaker")  # a crowd of each show's family surname, as the Starks are


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.casefold().replace("'", "")).strip("-")[:56] or "x"


class _Names:
    """Weighted draws from the name lists: a name's weight falls with its rank, as real frequencies do."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._male = self._weights(nl.MALE)
        self._female = self._weights(nl.FEMALE)
        self._surnames = self._weights(nl.SURNAMES, offset=10)

    @staticmethod
    def _weights(names: Sequence[str], offset: int = 5) -> tuple[Sequence[str], list[float]]:
        total, cumulative = 0.0, []
        for rank in range(len(names)):
            total += 1 / (rank + offset)
            cumulative.append(total)
        return names, cumulative

    def _pick(self, table: tuple[Sequence[str], list[float]]) -> str:
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def first(self) -> str:
        return self._pick(self._male if self.rng.random() < 0.5 else self._female)

    def surname(self) -> str:
        roll = self.rng.random()
        if roll < 0.06:
            return self.rng.choice(nl.PARTICLE_SURNAMES)
        if roll < 0.09:
            return f"{self._pick(self._surnames)}-{self._pick(self._surnames)}"
        return self._pick(self._surnames)

    def person(self) -> str:
        return f"{self.first()} {self.surname()}"


def _tier_appearances(show: Show, tier: str, rng: random.Random) -> list[tuple[str, list[int]]]:
    (main, _, main_seasons), (spin, _, spin_seasons) = show.series
    if tier == "lead":
        return [(main, list(range(1, main_seasons + 1))), (spin, list(range(1, spin_seasons + 1)))]
    if tier == "major":
        start = rng.randint(1, main_seasons - 3)
        return [(main, list(range(start, start + 4))), (spin, [1])]
    if tier == "minor":
        return [(main, [rng.randint(1, main_seasons)])]
    # The crowd: most once, some for a few seasons, never as often as a major character.
    count = 1 if rng.random() < 0.7 else 2 if rng.random() < 0.75 else rng.randint(3, 4)
    start = rng.randint(1, main_seasons - count + 1)
    series = spin if rng.random() < 0.15 and count <= spin_seasons else main
    if series == spin:
        start = 1
    return [(series, list(range(start, start + count)))]


def _describe(rng: random.Random) -> str:
    role, place = rng.choice(nl.ROLES), rng.choice(nl.PLACES)
    return f"{'An' if role[0] in 'aeiou' else 'A'} {role} from {place}."


def generate(characters: int, packs: int = 4, seed: int = SEED) -> list[Show]:
    """`characters` characters over `packs` shows (1–4 use the planted shows; more reuse their words)."""
    rng = random.Random(seed)
    names = _Names(rng)
    shows: list[Show] = []
    for p in range(packs):
        if p < len(SHOWS):
            key, title, spin_title, main_seasons, spin_seasons = SHOWS[p]
        else:
            title = f"{rng.choice(nl.SHOW_WORDS)}{rng.choice(nl.SHOW_TAILS)}"
            key, spin_title, main_seasons, spin_seasons = f"{slug(title)}-{p}", f"{title}: Origins", rng.randint(3, 9), 2
        shows.append(Show(key, title, [(key, title, main_seasons), ("spin-off", spin_title, spin_seasons)]))
    planted_names = {p[1].casefold() for cast in PLANTED for p in cast}
    planted_actors = {p[2] for cast in PLANTED for p in cast if p[2]}
    # The crowd's actors share the name lists but not the planted names: those collide only where planted.
    reserved = planted_names | {a.casefold() for a in planted_actors}
    actors = [a for a in (names.person() for _ in range(max(characters // 2, 50))) if a.casefold() not in reserved]
    actor_weights = _Names._weights(actors, offset=3)[1]
    earlier: list[str] = []  # crowd names of earlier packs, for namesakes
    for p, show in enumerate(shows):
        quota = characters // packs + (1 if p < characters % packs else 0)
        cast = _Cast(show, rng)
        planted = PLANTED[p] if p < len(PLANTED) else ()
        for key, name, actor, tier, other in planted[:quota]:
            cast.add(Person(key, name, actor, {k: list(v) for k, v in other.items()}), tier)
        show.relationships = [r for r in (RELATIONSHIPS[p] if p < len(RELATIONSHIPS) else ()) if {r[0], r[1]} <= cast.keys]
        family = FAMILIES[p % len(FAMILIES)]
        while len(show.people) < quota:
            person = _crowd_person(rng, names, family, earlier if p else [])
            if cast.has(person.name) or person.name.casefold() in planted_names:
                continue
            person.actor = rng.choices(actors, cum_weights=actor_weights)[0] if rng.random() < 0.9 else None
            cast.add(person, "crowd")
        earlier.extend(person.name for person in show.people[len(planted) :][:2000])
    return shows


class _Cast:
    """One show's people: unique keys and canonical names, as the pack checker demands."""

    def __init__(self, show: Show, rng: random.Random) -> None:
        self.show = show
        self.rng = rng
        self.names: set[str] = set()
        self.keys: set[str] = set()

    def has(self, name: str) -> bool:
        return name.casefold() in self.names

    def add(self, person: Person, tier: str) -> None:
        base, n = person.key, len(self.keys)
        while person.key in self.keys:
            person.key, n = f"{base}-{n}", n + 1
        self.keys.add(person.key)
        self.names.add(person.name.casefold())
        person.appearances = _tier_appearances(self.show, tier, self.rng)
        person.description = _describe(self.rng)
        self.show.people.append(person)


def _crowd_person(rng: random.Random, names: _Names, family: str, earlier: list[str]) -> Person:
    roll = rng.random()
    other: dict[str, list[str]] = {}
    if roll < 0.01 and earlier:
        name = rng.choice(earlier)  # a namesake of someone in an earlier pack
    elif roll < 0.03:
        name = rng.choice(nl.MONONYMS) + ("" if rng.random() < 0.3 else f" {rng.randint(2, 99)}")
    elif roll < 0.04:
        name = f"{rng.choice(nl.EPITHETS)} of {rng.choice(nl.PLACES).removeprefix('the ')}"
    elif roll < 0.06:
        name = f"{rng.choice(nl.TITLES)} {names.person()}"
    else:
        first = names.first()
        surname = family if rng.random() < 0.01 else names.surname()
        name = f"{first} {surname}"
        if rng.random() < 0.05:
            name = f"{first} {rng.choice(nl.MALE + nl.FEMALE)[0]}. {surname}"
        elif rng.random() < 0.02:
            name += rng.choice((" Jr.", " Sr.", " II", " III"))
        nicks = nl.NICKNAMES.get(first)
        if nicks and rng.random() < 0.3:
            other["nickname"] = [rng.choice(nicks)]
        if rng.random() < 0.06:
            other["title"] = [f"{rng.choice(nl.TITLES)} {surname}"]
    if rng.random() < 0.05:
        other["hero"] = [f"{rng.choice(nl.HERO_ADJECTIVES)} {rng.choice(nl.HERO_NOUNS)}"]
    if rng.random() < 0.004:  # a few share an epithet ("The Hound") with a planted character
        other.setdefault("nickname", []).append(rng.choice(nl.EPITHETS))
    return Person(slug(name), name, names=other)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render(show: Show, *, spoilers: bool = False) -> str:
    """The pack as YAML: one source, two series, the characters in a compact block style. `spoilers`
    gives each season ten citable episodes, a tenth of the characters a `since:` in the main series
    (one season after another) and another tenth's other names one: what a position has to hide."""
    lines = [
        "# Generated by bench/packgen.py: fictional people, realistic name collisions.",
        "format: 1",
        "pack:",
        f"  id: {show.id}",
        f"  title: {_q(show.title)}",
        f"  description: {_q(f'A generated show of {len(show.people)} characters for benchmarks and matcher tests.')}",
        "sources:",
        "  wiki:",
        f"    title: {_q(show.title + ' fan wiki')}",
        f"    url: https://example.org/{show.id}/wiki",
        "series:",
    ]
    for key, title, seasons in show.series:
        episodes = ", episodes: 10" if spoilers else ""
        numbers = ", ".join(f"{{number: {n}, source: wiki{episodes}}}" for n in range(1, seasons + 1))
        lines += [f"  {key}:", f"    title: {_q(title)}", "    source: wiki", f"    seasons: [{numbers}]"]
    lines.append("characters:")  # one flow mapping a line: 20,000 characters stay ~3 MB
    kinds = {"hero": "hero_names"}
    main, _, main_seasons = show.series[0]
    for i, person in enumerate(show.people):
        since = f"{{series: {main}, episode: S{1 + (i // 10) % main_seasons:02d}E05}}"
        fields = [f"name: {_q(person.name)}"]
        if spoilers and i % 10 == 3:
            fields.append(f"since: {since}")
        if person.actor:
            fields.append(f"actor: {_q(person.actor)}")

        def listed(names: list[str], i: int = i, since: str = since) -> str:
            later = spoilers and i % 10 == 7
            return ", ".join(f"{{name: {_q(n)}, since: {since}}}" if later else _q(n) for n in names)

        fields += [f"{kinds[k]}: [{listed(v)}]" for k, v in person.names.items() if k in kinds]
        rest = {k: v for k, v in person.names.items() if k not in kinds}
        if rest:
            fields.append("names: {" + ", ".join(f"{k}: [{listed(v)}]" for k, v in rest.items()) + "}")
        apps = ", ".join(f"{{series: {s}, seasons: [{', '.join(map(str, n))}]}}" for s, n in person.appearances)
        fields += [f"description: {_q(person.description)}", f"appearances: [{apps}]", "source: wiki"]
        lines.append(f"  {person.key}: {{{', '.join(fields)}}}")
    if show.relationships:
        lines.append("relationships:")
        lines += [
            f"  - {{between: [{first}, {second}], kind: other, canon: on_screen, status: {_q(status)}, note: {_q(status)}, source: wiki}}"
            for first, second, status in show.relationships
        ]
    return "\n".join(lines) + "\n"


def write(shows: Sequence[Show], directory: Path, *, spoilers: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for show in shows:
        path = directory / f"{show.id}.yaml"
        path.write_text(render(show, spoilers=spoilers), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.packgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--characters", type=int, default=20_000)
    parser.add_argument("--packs", type=int, default=4, help="number of packs (shows); 1 gives one big pack")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write the packs into")
    args = parser.parse_args(argv)
    if args.packs < 1 or args.characters < args.packs:
        parser.error("--packs must be at least 1 and --characters at least --packs")
    started = time.perf_counter()
    paths = write(generate(args.characters, args.packs, args.seed), args.output)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} pack(s), {args.characters} characters, {size / 2**20:.1f} MB in {time.perf_counter() - started:.1f} s:")
    for path in paths:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
