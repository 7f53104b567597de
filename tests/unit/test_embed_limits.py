"""Every embed the bot builds fits Discord's limits, however large a valid pack is.

Packs are generated (hypothesis) at the edges the format allows — long names, notes and titles, many
aliases, appearances, relationships, seasons and sources — checked, imported into a real store, and
every card built from them is measured against Discord's limits.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import limits
from bot.spoilers.positions import EVERYTHING, NOT_STARTED
from cogs.lookup.cards import about_card, about_licences, character_card, series_card
from cogs.polls.cards import pair_card, poll_card
from cogs.polls.tally import tally
from db import Store
from db.packs.check import check_pack_text
from db.repos.polls import Poll, PollOption

NOW = datetime(2030, 6, 1, tzinfo=UTC)
DATES = ["2017", "summer 2017", "2017-08-18", "unknown", "Q3 2031"]
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12)


def many(low: int, high: int) -> st.SearchStrategy[int]:
    """A count, as often as not the most the test allows (that is where embeds overflow)."""
    return st.one_of(st.just(high), st.integers(low, high))


@st.composite
def packs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid pack at the sizes the format allows. Sizes matter here, not variety: one drawn phrase is
    repeated to each text's length (at the format's limit or short), which keeps examples small."""
    phrase = draw(st.lists(WORDS, min_size=1, max_size=3).map(" ".join))
    long = draw(st.fixed_dictionaries({k: st.booleans() for k in ("name", "title", "text", "note")}))
    limits_ = {"name": 80, "title": 200, "text": 1000, "note": 1000}

    def text(kind: str, tag: object = "") -> str:
        size = limits_[kind] if long[kind] else 12
        suffix = f" {tag}" if tag != "" else ""
        return (((phrase + " ") * size)[: size - len(suffix)].strip() or "x") + suffix

    sources = {f"s{i}": {"title": text("title", i), "outlet": text("name")} for i in range(draw(many(1, 30)))}
    keys = list(sources)
    series = {}
    for i in range(draw(many(1, 3))):
        seasons = [
            {"number": n, "episodes": 10, "source": keys[n % len(keys)],
             "release": [{"date": d, "source": keys[(n + j) % len(keys)], "note": text("note")}
                         for j, d in enumerate(DATES[: draw(many(0, len(DATES)))])]}
            for n in range(1, draw(many(2, 12)) + 1)  # a season 2 for the recast role
        ]
        series[f"show{i}"] = {
            "title": text("title", f"show {i}"),
            "aliases": [text("name", f"{i}.{j}") for j in range(draw(many(0, 12)))],
            "description": text("text"),
            "platform": text("name"),
            "source": keys[i % len(keys)],
            "seasons": seasons,
            "production": [{"kind": "note", "person": text("name"), "text": text("text", j), "source": keys[j % len(keys)]}
                           for j in range(draw(many(0, 12)))],
        }
    shows = list(series)
    names = draw(many(0, 15))
    actor, recast = text("name"), text("name", "recast")
    characters = {
        f"c{i}": {
            "name": text("name", f"c{i}"),
            "actor": actor,
            "hero_names": [text("name", f"h{i}.{j}") for j in range(names)],
            "aliases": [text("name", f"a{i}.{j}") for j in range(names)],
            "affiliations": [text("name", f"f{j}") for j in range(names)],
            "description": text("text"),
            "image": "https://example.org/" + "p" * 2000,
            "appearances": [{"series": s, "seasons": [1], "billing": "recurring"} for s in shows]
            + ([{"series": s, "seasons": [2], "actor": recast} for s in shows] if recast.casefold() != actor.casefold() else []),
            "source": keys[i % len(keys)],
        }
        for i in range(draw(many(2, 8)))
    }
    people = list(characters)
    ships = [
        {"between": [people[a], people[a + 1]], "names": [text("name", f"ship{a}.{j}") for j in range(names or 1)], "source": keys[0]}
        for a in range(len(people) - 1)
    ]
    relationships = [
        {"between": [people[a], people[b]], "kind": kind, "canon": canon, "status": text("name"), "note": text("note", n),
         "source": keys[n % len(keys)]}
        for n, (a, b, kind, canon) in enumerate(
            (a, b, kind, canon)
            for a in range(len(people)) for b in range(a + 1, len(people))
            for kind in ("romance", "rivalry") for canon in ("on_screen", "comics")
        )
    ][: draw(many(0, 40))]
    return {"format": 1, "pack": {"id": "generated", "title": text("title"), "description": text("text")},
            "sources": sources, "series": series, "characters": characters, "relationships": relationships, "ships": ships}


def embed_problems(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    fields = data.get("fields", [])
    total = len(data.get("title", "")) + len(data.get("description", "")) + len(data.get("footer", {}).get("text", ""))
    total += len(data.get("author", {}).get("name", "")) + sum(len(f["name"]) + len(f["value"]) for f in fields)
    problems = []
    checks = [
        (len(data.get("title", "")), limits.EMBED_TITLE, "title"),
        (len(data.get("description", "")), limits.EMBED_DESCRIPTION, "description"),
        (len(fields), limits.EMBED_FIELDS, "fields"),
        (len(data.get("footer", {}).get("text", "")), limits.EMBED_FOOTER, "footer"),
        (total, limits.EMBED_TOTAL, "total"),
    ]
    checks += [(len(f["name"]), limits.EMBED_FIELD_NAME, f"field name {f['name'][:20]!r}") for f in fields]
    checks += [(len(f["value"]), limits.EMBED_FIELD_VALUE, f"field {f['name'][:20]!r}") for f in fields]
    checks += [(0 if f["value"].strip() else 1, 0, f"field {f['name'][:20]!r} is empty") for f in fields]
    problems += [f"{what}: {size} > {limit}" for size, limit, what in checks if size > limit]
    return problems


async def cards_of(pack: dict[str, Any], folder: Path) -> list[tuple[str, discord.Embed]]:
    checked = check_pack_text(yaml.safe_dump(pack, allow_unicode=True), "generated.yaml")
    async with Store.open(folder / "cards.sqlite3") as store:
        await store.migrate()
        await store.packs.import_checked(checked)
        cards: list[tuple[str, discord.Embed]] = []
        for summary in await store.characters.summaries():
            character = await store.characters.get(summary.id)
            assert character is not None
            cards.append((f"character {summary.key}", character_card(character)))
            for rel in character.relationships[:3]:
                other_id, other = rel.other(character.id)
                pair = await store.characters.relationships_between(character.id, other_id)
                ship = await store.ships.between(character.id, other_id)
                named = ship.names if ship else ()
                sources = await store.sources.by_ids([*(r.source_id for r in pair), *(n.source_id for n in named)])
                cards.append((f"pair {summary.key}", pair_card(character.name, other, pair, sources, "None yet.", named)))
        for s in await store.series.summaries():
            found = await store.series.get(s.id)
            assert found is not None
            cards.append((f"series {s.key}", series_card(found, NOW, position=EVERYTHING)))
            cards.append((f"series {s.key}, nothing watched", series_card(found, NOW, position=NOT_STARTED)))
        packs = await store.packs.all()
        cards.append(("about", about_card("1.0", await store.counts(), packs, packs, await store.sources.list(), in_server=True,
                                            licences=about_licences(wikidata=True), support_url="https://example.org/support")))
        return cards


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example,
                                                                  HealthCheck.data_too_large])
@given(packs())
def test_every_card_of_any_valid_pack_fits_discords_limits(pack: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        cards = asyncio.run(cards_of(pack, Path(folder)))
    for name, embed in cards:
        assert not embed_problems(embed), f"{name}: {embed_problems(embed)}"


@given(st.lists(WORDS.map(lambda w: (w * 80)[:80]), min_size=2, max_size=10, unique=True), WORDS.map(lambda w: (w * 300)[:300]),
       st.booleans())
def test_every_poll_card_fits(labels: list[str], question: str, hidden: bool) -> None:
    poll = Poll(1, 1, 1, 1, None, 1, "custom", question, None, None, hidden, True, NOW, NOW, None, None,
                tuple(PollOption(i, label) for i, label in enumerate(labels)))
    counts = dict.fromkeys(range(len(labels)), 10 ** 6)
    assert not embed_problems(poll_card(poll, tally(labels, counts), "On screen: " + "romance (x), " * 200))
    assert not embed_problems(poll_card(poll, tally(labels, counts), "On screen: " + "romance (x), " * 200, labels * 10))
