"""The matcher, against the real Defenders pack: a table of what fans type → who they mean."""

from __future__ import annotations

import pytest

from bot.directory import Directory
from bot.matching import IndexEntry, NameIndex, fold
from db import Store


@pytest.fixture
async def index(defenders: Store) -> NameIndex:
    return await Directory(defenders).characters()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Matt Murdock", "Matt Murdock"),
        ("daredevil", "Matt Murdock"),
        ("DAREDEVIL", "Matt Murdock"),
        ("Krysten Ritter", "Jessica Jones"),
        ("krysten ritter", "Jessica Jones"),
        ("Lukke Cage", "Luke Cage"),
        ("luke cage", "Luke Cage"),
        ("Iron Fist", "Danny Rand"),
        ("Dany Rand", "Danny Rand"),
        ("Élektra", "Elektra"),
        ("Elodie Yung", "Elektra"),
        ("Black Sky", "Elektra"),
        ("The Punisher", "Frank Castle"),
        ("punisher", "Frank Castle"),
        ("Jon Bernthal", "Frank Castle"),
        ("Carrie-Ann Moss", "Jeri Hogarth"),
        ("Carrie Anne Moss", "Jeri Hogarth"),
        ("Rosario Dawson", "Claire Temple"),
        ("Sigourney Weaver", "Alexandra Reid"),
        ("Kilgrave", "Kilgrave"),
        ("Kilgrove", "Kilgrave"),
        ("Shades", "Shades Alvarez"),
        ("Diamodback", "Diamondback"),  # as the Inquisritr article misspells it
        ("Mat Murdok", "Matt Murdock"),
        ("gost rider", "Ghost Rider"),
        ("jessica", "Jessica Jones"),
        ("Misty", "Misty Knight"),
    ],
)
async def test_typed_names_find_the_character_meant(index: NameIndex, typed: str, expected: str) -> None:
    match = index.best(typed)
    assert match is not None and match.entry.label == expected


@pytest.mark.parametrize("typed", ["Wilson Fisk", "Spider-Man", "zzzz", "", "   ", "!!!"])
async def test_no_good_match_gives_at_most_three_suggestions(index: NameIndex, typed: str) -> None:
    assert index.best(typed) is None
    assert len(index.suggest(typed)) <= 3


async def test_suggestions_are_close_names(index: NameIndex) -> None:
    assert [m.entry.label for m in index.suggest("Fisk")][:1] == ["Danny Rand"]  # via "Iron Fist"


async def test_autocomplete_puts_prefixes_first_and_stays_within_discords_limits(index: NameIndex) -> None:
    assert index.complete("luke c")[0].entry.label == "Luke Cage"
    assert index.complete("cage")[0].entry.label == "Luke Cage"
    assert index.complete("krys")[0].entry.label == "Jessica Jones"
    assert len(index.complete("")) == 23
    assert all(len(index.complete(q)) <= 25 for q in ("", "a", "e", "x" * 200))
    assert len(index.complete("a", limit=3)) == 3


def test_fold_ignores_case_accents_punctuation_and_a_leading_article() -> None:
    assert fold("  The PUNISHER ") == "punisher"
    assert fold("Élodie Yung") == "elodie yung"
    assert fold("Carrie-Anne Moss") == "carrie anne moss"
    assert fold("The") == "the"


def test_a_large_index_answers_prefixes_without_fuzzy_scans() -> None:
    entries = [IndexEntry(i, f"Person {i:05d}", f"Person {i:05d}", "name") for i in range(10_000)]
    entries += [IndexEntry(i, f"Person {i:05d}", f"Actor {i:05d}", "actor") for i in range(10_000)]
    big = NameIndex(entries)
    assert [m.entry.label for m in big.complete("person 0001")][:3] == ["Person 00010", "Person 00011", "Person 00012"]
    assert big.best("actor 09999") is not None and big.best("actor 09999").entry.label == "Person 09999"  # type: ignore[union-attr]
