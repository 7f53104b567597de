"""Fact packs converted from public datasets nobody here wrote, so the matcher is measured on names as
real wikis spell them (tests/packs/real/, with its README for sources and licences).

    python -m bench.realpack marvel marvel-wikia-data.csv -o tests/packs/real/marvel-wikia.yaml.gz
    python -m bench.realpack ice-and-fire characters.json -o tests/packs/real/ice-and-fire.yaml.gz

`marvel`: FiveThirtyEight's scrape of the Marvel Wikia (CC BY 4.0), 16,376 characters named as the wiki
names its pages ("Spider-Man (Peter Parker)", "Benjamin Grimm (Earth-616)"). The main universe's
"(Earth-616)" is dropped; a page "Hero (Civil name)" becomes the civil name with the hero name; a quoted
nickname (James "Logan" Howlett) becomes a nickname and "nickname surname" an alias (Tony Stark). The
data has no seasons; its appearance counts become prominence as appearance tiers (see `_tiers`).

`ice-and-fire`: An API of Ice and Fire's characters (BSD 3-clause), 2,134 characters with aliases,
titles, actors and the TV seasons and books they appear in. Namesakes (eight Brandon Starks) keep the
plain name for the most prominent and get a qualifier otherwise, as wikis do.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.packgen import slug

MAX_NAME = 80  # db/pack_format.Name


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _flow(fields: dict[str, Any]) -> str:
    """One character as a one-line flow mapping (keeps a 16,000-character pack small)."""
    parts = []
    for key, value in fields.items():
        if isinstance(value, str):
            parts.append(f"{key}: {_q(value) if key not in ('source',) else value}")
        elif isinstance(value, list) and value and isinstance(value[0], str):
            parts.append(f"{key}: [{', '.join(map(_q, value))}]")
        elif isinstance(value, dict):
            parts.append(f"{key}: {{" + ", ".join(f"{k}: [{', '.join(map(_q, v))}]" for k, v in value.items()) + "}")
        elif isinstance(value, list):
            apps = ", ".join(f"{{series: {s}, seasons: [{', '.join(map(str, n))}]}}" for s, n in value)
            parts.append(f"{key}: [{apps}]")
    return "{" + ", ".join(parts) + "}"


class _Keys:
    """Unique character keys and canonical names, as the pack checker demands."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.names: set[str] = set()

    def key(self, name: str) -> str:
        base = slug(name)
        key, n = base, 2
        while key in self.keys:
            key, n = f"{base}-{n}", n + 1
        self.keys.add(key)
        return key

    def free(self, name: str) -> bool:
        return len(name) <= MAX_NAME and " ".join(name.casefold().split()) not in self.names

    def take(self, name: str) -> None:
        self.names.add(" ".join(name.casefold().split()))


def _unique(items: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    seen = {e.casefold() for e in exclude}
    out = []
    for item in items:
        item = " ".join(item.split())
        if item and len(item) <= MAX_NAME and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


# --- Marvel Wikia (FiveThirtyEight) ---------------------------------------------------------------

_MAIN_UNIVERSE = re.compile(r"\s*\(Eart?h-616\)\s*$")
_QUOTED = re.compile(r'"([^"]+)"')
_HERO_CIVIL = re.compile(r"^(?P<hero>[^()]+?) \((?P<civil>[A-Z][^()]*\s[^()]*)\)$")


def _tiers(appearances: int) -> list[int]:
    """Appearances become prominence: tier n ("season" n of the one series) means the wiki counted at
    least 2**(n-1) appearances, so Spider-Man (4,043) is in 12 tiers and a one-off in 1."""
    return list(range(1, appearances.bit_length() + 1)) if appearances > 0 else []


def marvel(rows: Sequence[dict[str, str]]) -> str:
    tiers = max(_tiers(max(int(r["APPEARANCES"] or 0) for r in rows)))
    seasons = ", ".join(f"{{number: {n}, source: fivethirtyeight}}" for n in range(1, tiers + 1))
    lines = [
        "# Converted by bench/realpack.py from FiveThirtyEight's comic-characters data (CC BY 4.0); see README.md.",
        "format: 1",
        "pack:",
        "  id: marvel-wikia",
        "  title: Marvel Wikia characters (2014)",
        "  description: >-",
        "    Every character page of the Marvel Wikia as FiveThirtyEight scraped it in 2014. Seasons of the one",
        "    series are appearance tiers: tier n means at least 2^(n-1) appearances in the wiki's count.",
        "  name_kinds: {hero: hero name}",
        "sources:",
        "  fivethirtyeight:",
        "    title: Comic Books Are Still Made By Men, For Men And About Men (data)",
        "    outlet: FiveThirtyEight",
        '    published: "2014-10"',
        "    url: https://github.com/fivethirtyeight/data/tree/master/comic-characters",
        "    note: From the Marvel Wikia; characters scraped 24 August 2014, appearance counts 2 September 2014.",
        "series:",
        "  marvel-comics:",
        "    title: Marvel Comics",
        "    source: fivethirtyeight",
        f"    seasons: [{seasons}]",
        "characters:",
    ]
    keys = _Keys()
    for row in rows:
        raw = row["name"].replace('\\"', '"').replace("\\/", "/").strip()
        if not raw:
            continue
        wiki = _MAIN_UNIVERSE.sub("", raw)
        fields: dict[str, Any] = {}
        nicknames: list[str] = []
        found = _HERO_CIVIL.match(wiki) if wiki == raw else None  # "Hero (Civil)": only pages without a universe
        name = wiki
        if found and not found["civil"].startswith("Earth"):
            civil = found["civil"]
            nicknames = _QUOTED.findall(civil)
            name = " ".join(_QUOTED.sub("", civil).split())
            fields["hero_names"] = [found["hero"]]
        elif _QUOTED.search(wiki):
            nicknames = _QUOTED.findall(wiki)
            name = " ".join(_QUOTED.sub("", wiki).split()) or wiki
        surname = name.split()[-1]
        if not keys.free(name):  # a namesake of a more prominent page: the wiki's own name tells them apart
            name = next((n for n in (wiki, raw) if keys.free(n)), f"{raw} #{row['page_id']}"[:MAX_NAME])
        keys.take(name)
        if nicknames:
            fields["names"] = {"nickname": _unique(nicknames)}
            fields["aliases"] = _unique([f"{n} {surname}" for n in nicknames if n != surname], exclude=[name])
        count = int(row["APPEARANCES"] or 0)
        facts = [row[k].replace(" Characters", "").replace(" Identity", " identity") for k in ("ALIGN", "ID", "ALIVE") if row[k]]
        first = f"first appeared {row['FIRST APPEARANCE']}" if row["FIRST APPEARANCE"] else ""
        description = "; ".join(x for x in (", ".join(facts), first, f"{count} appearances" if count else "") if x)
        entry: dict[str, Any] = {"name": name, **fields}
        if description:
            entry["description"] = description + "."
        if count:
            entry["appearances"] = [("marvel-comics", _tiers(count))]
        entry["source"] = "fivethirtyeight"
        lines.append(f"  {_q(keys.key(name))}: {_flow(entry)}")  # quoted: a key like "88" is text
    return "\n".join(lines) + "\n"


# --- An API of Ice and Fire -----------------------------------------------------------------------

_NOVELS = {1: 1, 2: 2, 3: 3, 5: 4, 8: 5}  # the dataset's book ids → novel order
_COMPANIONS = {4: 1, 6: 2, 7: 3, 9: 4, 10: 5, 11: 6, 12: 7}


def _seen(c: dict[str, Any]) -> list[tuple[str, list[int]]]:
    tv = sorted({int(s.split()[-1]) for s in c["TvSeries"] if s.strip()})
    books = set(c["Books"]) | set(c["PovBooks"])
    novels = sorted(_NOVELS[b] for b in books if b in _NOVELS)
    companions = sorted(_COMPANIONS[b] for b in books if b in _COMPANIONS)
    return [(s, n) for s, n in (("game-of-thrones", tv), ("novels", novels), ("companions", companions)) if n]


def ice_and_fire(characters: Sequence[dict[str, Any]]) -> str:
    lines = [
        "# Converted by bench/realpack.py from An API of Ice and Fire's characters (BSD 3-clause); see README.md.",
        "format: 1",
        "pack:",
        "  id: ice-and-fire",
        "  title: A Song of Ice and Fire",
        "  description: The novels and the first six seasons of Game of Thrones, as An API of Ice and Fire lists them.",
        "sources:",
        "  anapioficeandfire:",
        "    title: An API of Ice and Fire (characters.json)",
        "    url: https://github.com/joakimskoog/AnApiOfIceAndFire",
        "    note: Data of 18 May 2023 (commit 73eb5fa).",
        "series:",
        "  game-of-thrones:",
        "    title: Game of Thrones",
        "    platform: HBO",
        "    source: anapioficeandfire",
        "    seasons: [" + ", ".join(f"{{number: {n}, source: anapioficeandfire}}" for n in range(1, 7)) + "]",
        "  novels:",
        "    title: A Song of Ice and Fire (novels)",
        "    source: anapioficeandfire",
        "    seasons: [" + ", ".join(f"{{number: {n}, source: anapioficeandfire}}" for n in range(1, 6)) + "]",
        "  companions:",
        "    title: Tales of Dunk and Egg and other companion books",
        "    source: anapioficeandfire",
        "    seasons: [" + ", ".join(f"{{number: {n}, source: anapioficeandfire}}" for n in range(1, 8)) + "]",
        "characters:",
    ]
    named = [c for c in characters if c["Name"].strip()]
    # The most prominent of several namesakes keeps the plain name.
    named.sort(key=lambda c: (-sum(len(n) for _, n in _seen(c)), c["Id"]))
    keys = _Keys()
    entries: list[tuple[int, str, dict[str, Any]]] = []
    for c in named:
        name = " ".join(c["Name"].split())
        # One-word honorifics ("Ser", "Lord", "Maester") are shared by hundreds: not names anyone looks up by.
        titles = _unique(t for title in c["Titles"] for t in title.split("\n") if len(t.split()) > 1)
        aliases = _unique(c["Aliases"], exclude=[name])
        born = c["Born"].strip()
        for qualifier in ("", *titles[:1], *aliases[:1], born, f"#{c['Id']}"):
            candidate = f"{name} ({qualifier})" if qualifier else name
            if keys.free(candidate):
                name = candidate
                break
        keys.take(name)
        actors = _unique(a for a in c["PlayedBy"] if not a.strip().startswith("Unknown"))
        entry: dict[str, Any] = {"name": name}
        if actors:
            entry["actor"] = actors[0]
            if actors[1:]:
                entry["actor_aliases"] = actors[1:]
        if aliases:
            entry["aliases"] = aliases
        if titles:
            entry["names"] = {"title": titles}
        facts = [c["Culture"], born, f"Died {c['Died'][0].lower()}{c['Died'][1:]}" if c["Died"] else ""]
        if any(facts):
            entry["description"] = ". ".join(f.strip().rstrip(".") for f in facts if f.strip()) + "."
        if seen := _seen(c):
            entry["appearances"] = seen
        entry["source"] = "anapioficeandfire"
        entries.append((c["Id"], keys.key(name), entry))
    lines += [f"  {_q(key)}: {_flow(entry)}" for _, key, entry in sorted(entries)]
    return "\n".join(lines) + "\n"


def write(text: str, output: Path) -> None:
    """Plain YAML, or gzip (reproducible: no name, no time) when the name ends in .gz."""
    output.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if output.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
            out.write(data)
        data = buffer.getvalue()
    output.write_bytes(data)


def read_pack_text(path: Path) -> str:
    """A pack file's text, gunzipped when it ends in .gz."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realpack", description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=("marvel", "ice-and-fire"))
    parser.add_argument("source", type=Path, help="marvel-wikia-data.csv or characters.json")
    parser.add_argument("-o", "--output", type=Path, required=True, help="pack file to write (.yaml or .yaml.gz)")
    args = parser.parse_args(argv)
    if args.dataset == "marvel":
        with args.source.open(encoding="utf-8", newline="") as f:
            text = marvel(list(csv.DictReader(f)))
    else:
        text = ice_and_fire(json.loads(args.source.read_text(encoding="utf-8")))
    write(text, args.output)
    print(f"{args.output}: {len(text.encode()) / 2**20:.1f} MB of YAML, {args.output.stat().st_size / 2**20:.2f} MB written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
