"""Wikidata's names attached to a pack's characters and series: plain functions, no I/O.

A Wikidata character is attached to a pack character only on two pieces of evidence together, never
on a name alone: one of its performers' English labels is the pack character's actor (compared
folded), and one of its labels or aliases fits the credited name — one contains the other word for
word ("Queen Margaery Tyrell" holds "Margaery Tyrell"), or they share the first or the last word
("Eddard Stark" and "Ned Stark"). When two pack characters fit equally well, nothing is attached.
What is attached becomes `aliases` citing the `wikidata` source (CC0), so cards cite Wikidata and the
name indexes find a fan's name ("Khaleesi") like any alias; the series gets its labels and aliases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.search.name_forms import fold
from bot.wikidata.addresses import WIKIDATA_SITE
from bot.wikidata.sparql import LANGUAGES
from db.repos.packs.wikidata import WikidataName, WikidataShow

SOURCE = "wikidata"
LICENCE = "CC0 1.0"
NOTE = f"Series and character aliases from Wikidata, {LICENCE} (public domain)."
MOST_NAMES = 12  # added to one character or series: a card's "Also known as" stays readable
LONGEST = 80  # the pack format's longest name
Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class WikiCharacter:
    """A character item: its names (labels and aliases, English first) and its performers, folded."""

    entity: str
    names: tuple[str, ...]
    performers: frozenset[str]


def wiki_characters(names: Iterable[WikidataName]) -> list[WikiCharacter]:
    """The character items among a show's Wikidata names, in item order."""
    by_entity: dict[str, list[WikidataName]] = defaultdict(list)
    for name in names:
        if name.subject == "character":
            by_entity[name.entity].append(name)
    found = []
    for entity in sorted(by_entity, key=_item_number):
        items = by_entity[entity]
        performers = frozenset(fold(n.text) for n in items if n.role == "performer")
        ordered = _ordered(n for n in items if n.role != "performer")
        found.append(WikiCharacter(entity, ordered, performers - {""}))
    return found


def name_fit(credited: str, other: str) -> int:
    """How well a Wikidata name fits a credited one: 2 when one holds the other word for word
    (an honorific or a nickname around it), 1 when they share the first or the last word, else 0."""
    mine, theirs = fold(credited).split(), fold(other).split()
    if not mine or not theirs:
        return 0
    if _holds(mine, theirs) or _holds(theirs, mine):
        return 2
    return 1 if mine[0] == theirs[0] or mine[-1] == theirs[-1] else 0


def matches(cast: Mapping[str, tuple[str, str | None]], wiki: Iterable[WikiCharacter]) -> dict[str, list[WikiCharacter]]:
    """Pack character key → the Wikidata characters attached to it. `cast` is key → (name, actor)."""
    attached: dict[str, list[WikiCharacter]] = defaultdict(list)
    for item in wiki:
        fits = {
            key: max((name_fit(name, n) for n in item.names), default=0)
            for key, (name, actor) in cast.items()
            if actor and fold(actor) in item.performers
        }
        best = max(fits.values(), default=0)
        chosen = [key for key, fit in fits.items() if fit == best]
        if best and len(chosen) == 1:
            attached[chosen[0]].append(item)
    return dict(attached)


def graft(data: Data, show: WikidataShow | None) -> Data:
    """Pack data with Wikidata's names attached, as aliases citing the `wikidata` source; `data` itself is not changed."""
    if show is None or show.series is None or not show.names:
        return data
    characters: Data = data.get("characters", {})
    cast = {key: (c["name"], c.get("actor")) for key, c in characters.items()}
    taken_by = {fold(c["name"]): key for key, c in characters.items()}
    grafted: Data = dict(characters)
    for key, items in matches(cast, wiki_characters(show.names)).items():
        char = characters[key]
        others = {name for name, owner in taken_by.items() if owner != key}
        wanted = [text for item in items for text in item.names]
        new = list(_new_names(wanted, _names_of(char), others))
        if new:
            grafted[key] = {**char, "aliases": [*char.get("aliases", []), *({"name": n, "source": SOURCE} for n in new)]}
    series = _series_with_names(data.get("series", {}), show)
    if grafted == characters and series is None:
        return data
    sources = data["sources"] if SOURCE in data["sources"] else {**data["sources"], SOURCE: source(data, show.series)}
    return {**data, "sources": sources, "characters": grafted, **({"series": series} if series is not None else {})}


def source(data: Data, entity: str) -> Data:
    """The `wikidata` source: the series' item page, and the licence."""
    title = f"{data.get('pack', {}).get('title', 'The series')} on Wikidata"
    return {
        "title": title if len(title) <= 200 else title[:199] + "…",
        "outlet": "Wikidata",
        "url": f"{WIKIDATA_SITE}/wiki/{entity}",
        "from_articles": False,
        "note": NOTE,
    }


def _series_with_names(series: Data, show: WikidataShow) -> Data | None:
    """The pack's series with the show's Wikidata names as aliases; None when none is added. The series
    is the pack's only one, else the one whose title is a Wikidata label of the show."""
    own = [n for n in show.names if n.subject == "series"]
    labels = {fold(n.text) for n in own if n.role == "label"}
    keys = list(series) if len(series) == 1 else [k for k, s in series.items() if fold(s["title"]) in labels]
    if len(keys) != 1:
        return None
    key = keys[0]
    new = list(_new_names(_ordered(own), _names_of(series[key], "title"), set()))
    if not new:
        return None
    aliases = [*series[key].get("aliases", []), *({"name": n, "source": SOURCE} for n in new)]
    return {**series, key: {**series[key], "aliases": aliases}}


def _new_names(wanted: Iterable[str], own: set[str], others: set[str]) -> Iterator[str]:
    """The names worth adding, at most MOST_NAMES: new to their owner (folded), no other character's
    name, fit for the pack format, and more than a letter."""
    seen, added = set(own), 0
    for text in wanted:
        folded = fold(text)
        if len(text) > LONGEST or len(folded) < 2 or folded in seen or folded in others:
            continue
        seen.add(folded)
        yield text
        added += 1
        if added == MOST_NAMES:
            return


def _names_of(entry: Data, name_field: str = "name") -> set[str]:
    """Every name a pack entry already has, folded: its own, its aliases and hero names, its `names:` by kind."""
    items = [entry.get(name_field, ""), *entry.get("aliases", []), *entry.get("hero_names", [])]
    items += [item for listed in entry.get("names", {}).values() for item in listed]
    return {fold(item if isinstance(item, str) else item["name"]) for item in items}


def _ordered(names: Iterable[WikidataName]) -> tuple[str, ...]:
    """Labels before aliases, English first and then the bot's other languages, each text once."""
    rank = {lang: i for i, lang in enumerate(LANGUAGES)}
    ordered = sorted(names, key=lambda n: (rank.get(n.lang, len(rank)), n.role != "label", n.text))
    return tuple(dict.fromkeys(n.text for n in ordered))


def _holds(words: list[str], part: list[str]) -> bool:
    """Whether `part` is in `words` word for word."""
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _item_number(entity: str) -> int:
    return int(entity[1:])
