"""The matcher, against the real Defenders pack: a table of what fans type → who they mean."""

from __future__ import annotations

import pytest

from bot.search.directory import Directory
from bot.search.matching import IndexEntry, NameIndex
from bot.search.name_forms import fold
from bot.search.scoped_index import ScopedIndex
from db import Store


@pytest.fixture
async def index(defenders: Store) -> ScopedIndex:
    return await Directory(defenders).characters(None)


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
async def test_typed_names_find_the_character_meant(index: ScopedIndex, typed: str, expected: str) -> None:
    match = index.best(typed)
    assert match is not None and match.entry.label == expected


@pytest.mark.parametrize("typed", ["Wilson Fisk", "Spider-Man", "zzzz", "", "   ", "!!!"])
async def test_no_good_match_gives_at_most_three_suggestions(index: ScopedIndex, typed: str) -> None:
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


def people(*rows: tuple[int, str, str, str], weights: dict[int, int] | None = None) -> NameIndex:
    """An index of (target, canonical name, searchable text, kind) rows."""
    return NameIndex([IndexEntry(t, label, text, kind) for t, label, text, kind in rows], weights=weights)


def test_a_much_shorter_name_is_never_found_inside_what_was_typed() -> None:
    index = people((1, "Jon", "Jon", "name"), (2, "Q", "Q", "name"), (3, "Jonathan Byers", "Jonathan Byers", "name"))
    assert index.best("Jonathan Byers").entry.label == "Jonathan Byers"  # type: ignore[union-attr]
    assert index.best("Jonathan Bayers").entry.label == "Jonathan Byers"  # type: ignore[union-attr]
    assert index.best("Quentin Beck") is None  # "Q" is not inside it
    assert index.best("Jonny Smith") is None  # nor is "Jon"


def test_ties_go_to_the_full_name_and_the_more_prominent_character() -> None:
    index = people(
        (1, "Jim Hopper", "Jim Hopper", "name"), (1, "Jim Hopper", "Hop", "nickname"),
        (2, "Hop Sing", "Hop Sing", "name"),
        (3, "Jim Hopper Sr.", "Jim Hopper Sr.", "name"),
        weights={1: 30, 2: 1, 3: 1},
    )
    assert index.best("Hop").entry.label == "Jim Hopper"  # type: ignore[union-attr]  # the nickname, exactly
    assert index.best("Jim Hopper").entry.label == "Jim Hopper"  # type: ignore[union-attr]
    assert index.best("hopper").entry.label == "Jim Hopper"  # type: ignore[union-attr]  # prominence breaks the tie


def test_the_exact_word_inside_a_longer_name_beats_a_close_spelling_of_another() -> None:
    index = people((1, "Robb Stark", "Robb Stark", "name"), (2, "Rob", "Rob", "name"))
    assert index.best("Robb").entry.label == "Robb Stark"  # type: ignore[union-attr]
    assert index.best("Rob").entry.label == "Rob"  # type: ignore[union-attr]


def test_reordered_words_match_only_the_same_words() -> None:
    index = people((1, "Mary Jane Watson", "Mary Jane Watson", "name"), (2, "Jane Mary", "Jane Mary", "name"),
                   (3, "Matt Murdock", "Matt Murdock", "name"))
    assert index.best("Murdock Matt").entry.label == "Matt Murdock"  # type: ignore[union-attr]
    assert index.best("Mary Jane").entry.label == "Mary Jane Watson"  # type: ignore[union-attr]  # in order, not Jane Mary
    assert index.best("Watson Jane") is None


def test_did_you_mean_keeps_the_best_candidate_however_many_names_the_others_have() -> None:
    crowd = [(2, "Alex Crowd", f"Alexandra Vance {i}", "alias") for i in range(60)]
    index = people((1, "Alexandra Reid", "Alexandra Reid", "name"), *crowd)
    assert index.suggest("Alexandra Reyd")[0].entry.label == "Alexandra Reid"


def test_names_with_a_leading_article_are_offered_when_the_article_is_typed() -> None:
    index = people((1, "Sandor Clegane", "The Hound", "nickname"), (2, "Theon Greyjoy", "Theon Greyjoy", "name"))
    assert "Sandor Clegane" in [m.entry.label for m in index.complete("The")]
    assert [m.entry.label for m in index.complete("the h")] == ["Sandor Clegane"]
    assert [m.entry.label for m in index.complete("The Hou")] == ["Sandor Clegane"]
    assert index.best("the hound").entry.label == "Sandor Clegane"  # type: ignore[union-attr]


def test_a_query_that_matches_nothing_well_is_a_miss_not_a_far_fetched_card() -> None:
    index = people((1, "Eleven", "Eleven", "name"), (2, "Mike Wheeler", "Mike Wheeler", "name"))
    for typed in ("Eleventh Doctor", "Michael Jordan", "wheel", "xx"):
        assert index.best(typed) is None, typed


def test_namesakes_in_two_packs_are_named_by_their_show_and_both_offered() -> None:
    a = NameIndex([IndexEntry(1, "Claire Temple", "Claire Temple", "name")], weights={1: 9}, shows={1: "Marvel's Luke Cage"})
    b = NameIndex([IndexEntry(2, "Claire Temple", "Claire Temple", "name")], weights={2: 1}, shows={2: "Harbor Lights"})
    scoped = ScopedIndex([a, b])
    found = scoped.resolve("Claire Temple")
    assert [scoped.display(m.target) for m in found] == ["Claire Temple — Marvel's Luke Cage", "Claire Temple — Harbor Lights"]
    assert scoped.best("claire temple — harbor lights").target == 2  # type: ignore[union-attr]
    assert {scoped.display(m.target) for m in scoped.complete("clai")} == {
        "Claire Temple — Marvel's Luke Cage", "Claire Temple — Harbor Lights",
    }
    assert ScopedIndex([a]).display(1) == "Claire Temple"  # no namesake in scope: no show


def _people(*rows: tuple[int, str, list[tuple[str, str]], int]) -> NameIndex:
    """An index of (id, name, [(kind, other name)…], appearances)."""
    entries = [IndexEntry(t, name, name, "name") for t, name, _, _ in rows]
    entries += [IndexEntry(t, name, text, kind) for t, name, others, _ in rows for kind, text in others]
    return NameIndex(entries, weights={t: seen for t, _, _, seen in rows})


def _answer(index: NameIndex, typed: str) -> list[str]:
    return [m.entry.label for m in index.resolve(typed)]


# Found on the real case tables (tests/matching_cases/): each class of wrong answer, fixed.
REAL_CASES = _people(
    (1, "Varys", [("alias", "The Spider")], 30),
    (2, "Davos Seaworth", [("title", "Lord of the Rainwood")], 40),
    (3, "Eddard Stark", [("nickname", "Ned")], 60),
    (4, "Ned", [], 1),
    (5, "Jon Snow", [("alias", "Ned Stark's Bastard"), ("alias", "Lord Snow")], 90),
    (6, "Petyr Baelish", [("nickname", "Littlefinger")], 50),
    (7, "Baelish", [], 1),
    (8, "Benjamin Grimm", [("hero", "The Thing")], 30),
    (9, "Oberyn Nymeros Martell", [], 20),
    (10, "Tyrion Lannister", [("alias", "Lord Tywin's Doom")], 80),
    (11, "Tywin Lannister", [], 40),
    (12, "Peter Parker", [("hero", "Spider-Man")], 90),
    (13, "Pieter van der Berg", [], 2),
    (14, "Doctor Don", [], 1),
    (15, "Victor von Doom", [("hero", "Doctor Doom")], 40),
    (16, "The Archivist", [], 3),
    (17, "Marcus Archivist Hale", [], 20),
    (18, "Cersei Lannister", [("title", "Queen Regent")], 70),
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Lord Varys", ["Varys"]),  # an honorific before the name may be left out
        ("Captain Davos Seaworth", ["Davos Seaworth"]),
        ("Queen Cersei", ["Cersei Lannister"]),
        ("Ned Stark", ["Eddard Stark"]),  # a nickname with the surname, as fans write it
        ("Ned", ["Eddard Stark", "Ned"]),  # not Jon Snow through "Ned Stark's Bastard"
        ("Tywin", ["Tywin Lannister"]),  # not Tyrion through "Lord Tywin's Doom"
        ("Baelish", ["Petyr Baelish", "Baelish"]),  # the famous one holding the word, beside the exact minor one
        ("Archivist", ["The Archivist"]),  # a whole name with its article left out stays the answer
        ("Ben Grimm", ["Benjamin Grimm"]),  # a short first name
        ("Oberyn Martell", ["Oberyn Nymeros Martell"]),  # a middle name left out
        ("Tirion", ["Tyrion Lannister"]),  # one letter wrong in a long word
        ("Cersie", ["Cersei Lannister"]),  # two letters swapped
        ("Spiderman", ["Peter Parker"]),  # a hyphenated name run together
        ("Pieter Vanderberg", ["Pieter van der Berg"]),  # particles run together
        ("Hafþór", []),
    ],
)
def test_what_real_fans_type_finds_who_they_mean(typed: str, expected: list[str]) -> None:
    assert _answer(REAL_CASES, typed) == expected


def test_letters_without_a_decomposition_fold_too() -> None:
    assert fold("Hafþór Björnsson") == "hafthor bjornsson"
    assert fold("Ødegaard Łukasz Æsir") == "odegaard lukasz aesir"


def test_an_actor_who_shares_a_characters_name_comes_after_the_character() -> None:
    index = _people((1, "John Carver", [("actor", "Tom Hargrove")], 90), (2, "Tom Hargrove", [], 1))
    assert _answer(index, "Tom Hargrove") == ["Tom Hargrove", "John Carver"]
    assert [m.entry.label for m in ScopedIndex([index, _people((3, "Zed", [], 1))]).resolve("Tom Hargrove")] == [
        "Tom Hargrove", "John Carver"
    ]


def _fandom(seed: int) -> list[IndexEntry]:
    """A fandom whose names share first names and surnames with the others, many equally close to a typo."""
    firsts = ["Anna", "Hanna", "Jon", "John", "Joan", "Mara", "Maria", "Marta", "Sam", "Pam", "Ben", "Len"]
    lasts = ["Stark", "Stork", "Snow", "Snew", "Reyes", "Reyna", "Quill", "Quall", "Pike", "Pine"]
    rows = []
    for n in range(60):
        target = seed * 1000 + n
        name = f"{firsts[(n * (seed + 3)) % len(firsts)]} {lasts[(n * (seed + 5) + seed) % len(lasts)]}"
        rows.append(IndexEntry(target, name, name, "name"))
        if n % 4 == 0:
            rows.append(IndexEntry(target, name, f"{lasts[(n + seed) % len(lasts)]} {seed}{n}", "alias"))
    return rows


def test_indexes_asked_together_answer_as_each_would_alone() -> None:
    # A server's fandoms match a typed word once against all their words (a Vocabulary); each index keeps
    # its own words in its own order, so every answer is the one it gives when asked alone.
    together = [NameIndex(_fandom(seed), weights={seed * 1000 + n: n % 7 for n in range(60)}) for seed in range(4)]
    alone = [NameIndex(_fandom(seed), weights={seed * 1000 + n: n % 7 for n in range(60)}) for seed in range(4)]
    scope = ScopedIndex(together)
    typed = ["Ana Stark", "jon snw", "Marya Reyes", "sam", "pam pyke", "Hannah Quil", "Joan", "stork", "Len Snew", "Mara Q"]
    for query in typed:
        for index, twin in zip(together, alone, strict=True):
            for cutoff, limit in ((55.0, 25), (85.0, 10), (60.0, 5)):
                assert index.scored(query, cutoff, limit, 4, scope._vocabulary) == twin.scored(query, cutoff, limit, 4)
        for word in fold(query).split():  # the close words themselves, ties included, in the index's own order
            for index, twin in zip(together, alone, strict=True):
                assert index._close_words(word, scope._vocabulary) == twin._close_words(word)
    assert [m.target for m in scope.suggest("Ana Stark", 10)] and scope.resolve("jon snw")
