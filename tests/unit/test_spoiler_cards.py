"""Cards at a sight, as plain functions: a character's card, a series' cast and a pair's lines less what
the sight has not reached, and the count of what was held back. The facts come from
tests/packs/spoilers.yaml through the store (both backends); the sights are built by hand."""

from __future__ import annotations

from pathlib import Path

from bot.spoilers.sight import SEES_ALL, SEES_NONE, Sight
from cogs.lookup.cards import character_card
from cogs.lookup.held_back import cast_marks, character_marks, seen_cast, seen_character
from cogs.polls.cards import canon_summary, pair_card
from cogs.polls.pair_facts import seen_pair
from db import Store
from db.facts.episode_refs import episode_order
from db.facts.models import Character

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"


async def _facts(store: Store) -> tuple[Character, Character, int, int]:
    await store.packs.import_file(PACK)
    ids = {s.name: s.id for s in await store.characters.summaries()}
    ada, bram = await store.characters.get(ids["Ada Vale"]), await store.characters.get(ids["Bram Holt"])
    assert ada is not None and bram is not None
    show = ada.appearances[0].series_id
    spinoff = ada.appearances[1].series_id
    return ada, bram, show, spinoff


def at(show: int, spinoff: int, show_order: int, spinoff_order: int = SEES_NONE) -> Sight:
    return Sight(tuple(sorted(((show, show_order), (spinoff, spinoff_order)))))


async def test_a_card_at_no_episode_leaves_out_every_later_fact_and_counts_them(store: Store) -> None:
    ada, bram, show, spinoff = await _facts(store)
    seen = seen_character(ada, at(show, spinoff, SEES_NONE))
    assert seen is not None
    assert [n.name for n in seen.character.names] == ["Ada"]  # not The Heir, not the codename Kestrel
    assert [a.series_id for a in seen.character.appearances] == [show]  # not the spinoff
    assert seen.character.events == () and seen.character.relationships == ()
    assert seen.held == 2 + 1 + 2 + 1
    embed = character_card(seen.character, held=seen.held)
    text = str(embed.to_dict())
    assert "Heir" not in text and "Kestrel" not in text and "Spinoff" not in text and "fire" not in text
    assert embed.footer.text == "6 facts held back — beyond what this channel has watched"
    assert seen_character(bram, at(show, spinoff, SEES_NONE)) is None  # Bram is known from S01E02 only


async def test_a_card_shows_each_fact_from_its_episode_on(store: Store) -> None:
    ada, _, show, spinoff = await _facts(store)
    seen = seen_character(ada, at(show, spinoff, episode_order(1, 3)))
    assert seen is not None and seen.held == 2 + 1 + 1 + 1
    assert [f"{e.since.label if e.since else ''} · {e.text}" for e in seen.character.events] == ["S01E03 · Dies in the fire"]
    later = seen_character(ada, at(show, spinoff, episode_order(2, 5), episode_order(1, 2)))
    assert later is not None and later.held == 1  # the relationship, revealed at S02E10
    assert {n.name for n in later.character.names} == {"Ada", "The Heir", "Kestrel"}
    everything = seen_character(ada, at(show, spinoff, SEES_ALL, SEES_ALL))
    assert everything is not None and everything.held == 0 and everything.character == ada
    assert character_card(ada).footer.text is None


async def test_a_relationship_waits_for_both_characters_and_a_mark_elsewhere_is_hidden(store: Store) -> None:
    ada, _, show, spinoff = await _facts(store)
    (rel,) = ada.relationships
    assert rel.second_since is not None or rel.first_since is not None  # Bram's own S01E02
    only_show = Sight(((show, SEES_ALL),))  # a sight not built for the spinoff hides what is marked there
    seen = seen_character(ada, only_show)
    assert seen is not None and [a.series_id for a in seen.character.appearances] == [show] and seen.held == 1
    assert {m.series_id for m in character_marks(ada) if m is not None} == {show, spinoff}


async def test_the_cast_leaves_out_a_later_character_season_and_recast_actor(store: Store) -> None:
    _, _, show, spinoff = await _facts(store)
    found = await store.series.get(show)
    assert found is not None
    assert {m.series_id for m in cast_marks(found.cast) if m is not None} == {show}

    def lines(show_order: int) -> list[tuple[str, tuple[str, ...], tuple[int, ...], tuple[tuple[str, tuple[int, ...]], ...]]]:
        return [(e.character_name, e.known_as, e.seasons, e.actors) for e in seen_cast(found.cast, at(show, spinoff, show_order))]

    assert lines(SEES_NONE) == [("Ada Vale", (), (), ())]
    assert lines(episode_order(1, 2)) == [("Ada Vale", (), (), ()), ("Bram Holt", (), (1,), (("Bea Actor", (1,)),))]
    assert lines(SEES_ALL) == [
        ("Ada Vale", ("Kestrel",), (), ()), ("Bram Holt", (), (1, 2), (("Bea Actor", (1,)), ("Cal Recast", (2,))))
    ]
    assert lines(episode_order(2, 3))[0][1] == ("Kestrel",)


async def test_a_pairs_lines_and_ship_names_follow_the_sight(store: Store) -> None:
    ada, bram, show, spinoff = await _facts(store)
    relationships = await store.characters.relationships_between(ada.id, bram.id)
    ship = await store.ships.between(ada.id, bram.id)
    early = seen_pair(relationships, ship, at(show, spinoff, episode_order(1, 2)))
    assert early.relationships == () and early.names == () and early.held == 2
    assert canon_summary(early.relationships, held=early.held) == "Nothing known, as far as this channel has watched."
    shipped = seen_pair(relationships, ship, at(show, spinoff, episode_order(1, 3)))
    assert [n.name for n in shipped.names] == ["Adram"] and shipped.relationships == () and shipped.held == 1
    full = seen_pair(relationships, ship, at(show, spinoff, SEES_ALL))
    assert len(full.relationships) == 1 and full.held == 0
    card = pair_card("Ada Vale", "Bram Holt", list(early.relationships), {}, "None yet.", early.names, held=early.held)
    assert "marry" not in str(card.to_dict()) and "2 facts held back" in (card.description or "")
