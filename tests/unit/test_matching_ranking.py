"""The ranking rules of issue 27, each on a small index: credited forms of address, when a close match is
sure enough to answer, and variants below their original."""

from __future__ import annotations

import pytest

from bot.search.confidence import described, notable_weight, sure
from bot.search.honorifics import FORMS_OF_ADDRESS, HONORIFICS, credited_without_honorific, same_address
from bot.search.matching import IndexEntry, NameIndex
from bot.search.name_forms import fold
from bot.search.scoped_index import ScopedIndex
from bot.search.variants import below_originals, variant_status, variants_of


def _index(rows: list[tuple[int, str, str, str]], weights: dict[int, int] | None = None, **kwargs: object) -> NameIndex:
    return NameIndex([IndexEntry(t, label, text, kind) for t, label, text, kind in rows], weights=weights, **kwargs)  # type: ignore[arg-type]


def _crowd(size: int, start: int = 1000) -> list[tuple[int, str, str, str]]:
    """Obscure names nobody looks up, so the pack is large enough for prominence to count."""
    return [(start + i, f"Extra {i:04d}", f"Extra {i:04d}", "name") for i in range(size)]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "pt"])
def test_every_language_has_its_forms_of_address_in_the_one_table(language: str) -> None:
    assert FORMS_OF_ADDRESS[language] <= HONORIFICS and len(FORMS_OF_ADDRESS[language]) >= 15


@pytest.mark.parametrize(
    ("credited", "without"),
    [
        ("Queen Margaery Tyrell", "Margaery Tyrell"),
        ("Lord Varys", "Varys"),
        ("Dr. Ivan Petrov", "Ivan Petrov"),
        ("Königin Luise", "Luise"),
        ("Madame Maxime", "Maxime"),
        ("Doña Bárbara Guaimarán", "Bárbara Guaimarán"),
        ("Don Diego Vega", "Diego Vega"),
        ("Rainha Amélia", "Amélia"),
        ("Queen of Thorns", None),  # an epithet, not a name after a title
        ("King in the North", None),
        ("Don Draper", None),  # "Don" is also a given name: never leaves a lone surname
        ("Rey", None),
        ("Margaery Tyrell", None),
    ],
)
def test_a_credited_form_of_address_is_optional(credited: str, without: str | None) -> None:
    assert credited_without_honorific(credited, fold(credited)) == without


def test_a_name_credited_with_an_honorific_is_found_without_it_above_a_longer_name_it_starts() -> None:
    index = _index([
        (1, "Queen Margaery Tyrell", "Queen Margaery Tyrell", "name"),
        (2, "Margaery Tyrell Jr", "Margaery Tyrell Jr", "name"),
        (3, "Lord Varys", "Lord Varys", "name"),
    ], weights={2: 50})
    assert [m.target for m in index.resolve("Margaery Tyrell")] == [1]
    assert index.resolve("Margaery Tyrell")[0].score == 100.0
    assert index.complete("Margaery Tyrell")[0].target == 1
    assert index.best("Varys") is not None and index.best("Varys").target == 3  # type: ignore[union-attr]
    assert index.best("Queen Margaery Tyrell").target == 1  # type: ignore[union-attr]


def test_short_and_full_forms_of_address_are_one() -> None:
    assert same_address("dr", "doctor") and same_address("doctor", "doctor")
    assert not same_address("ms", "mr")


def test_notable_is_the_most_prominent_tenth_but_never_fewer_than_a_hundred() -> None:
    assert notable_weight([]) == 0
    assert notable_weight([5] * 10 + [0] * 30) == 0  # a cast of a few dozen: every one is followed
    assert notable_weight(list(range(1000))) == 899
    assert notable_weight([0] * 5000) == 0  # a pack that ranks no one: prominence decides nothing


def test_a_close_spelling_answers_for_a_prominent_character_only() -> None:
    assert sure("Tirion", "Tyrion Lannister", "Tyrion Lannister", weight=12, notable=5)
    assert not sure("Batman", "Jasper Bateman", "Jasper Bateman", weight=2, notable=5)
    assert not sure("Drax", "Rax", "Rax", weight=3, notable=5)
    assert sure("Tyrion Lanister", "Tyrion Lannister", "Tyrion Lannister", weight=0, notable=5)  # one word as typed


def test_words_inside_parentheses_are_a_description_unless_they_are_all_of_it() -> None:
    assert described(["daredevil"], "Condor (Daredevil Foe)")
    assert not described(["kid", "loki"], "Loki Laufeyson (Kid Loki)")
    assert not described(["shuma", "gorath"], "Shuma-Gorath (Multiverse)")
    assert not sure("Daredevil", "Condor (Daredevil Foe)", "Condor (Daredevil Foe)", weight=99, notable=1)


def test_another_credited_form_of_address_is_not_the_one_typed() -> None:
    assert not sure("Ms. Marvel", "Marvel", "Mr. Marvel", weight=99, notable=1)
    assert sure("Doctor Strange", "Stephen Strange", "Stephen Strange", weight=11, notable=5)
    assert not sure("Ms. Marvel", "Marvel Girl (Lobe)", "Marvel Girl (Lobe)", weight=3, notable=5)


def test_a_name_in_no_followed_fandom_is_not_found_but_suggested() -> None:
    rows = [(1, "Jasper Bateman", "Jasper Bateman", "name"), (2, "Rax", "Rax", "name"),
            (3, "Condor (Daredevil Foe)", "Condor (Daredevil Foe)", "name"),
            (4, "Tyrion Lannister", "Tyrion Lannister", "name"), *_crowd(2000)]
    index = _index(rows, weights={1: 2, 2: 3, 3: 2, 4: 12} | {1000 + i: 1 + i % 4 for i in range(2000)})
    for typed in ("Batman", "Drax", "Daredevil"):
        assert index.resolve(typed) == [], typed
        assert index.suggest(typed), typed  # still offered as a "did you mean"
        assert ScopedIndex([index]).resolve(typed) == []
        assert ScopedIndex([index, _index([(9, "Somebody", "Somebody", "name")])]).resolve(typed) == []
    assert [m.target for m in index.resolve("Tirion")] == [4]
    assert [m.target for m in index.resolve("Tyrion Lanister")] == [4]


def test_a_qualified_or_versioned_name_is_a_variant_a_generation_is_not() -> None:
    labels = {1: "Tony Stark", 2: "Tony Stark 2.0", 3: "Max Eisenhardt", 4: "Max Eisenhardt (Joseph)",
              5: "Warren Worthington", 6: "Warren Worthington III", 7: "Ultron 5", 8: "Mystique", 9: "Carol Danvers"}
    assert variants_of(labels, {}, [(8, 9), (9, 9), (8, 99)]) == {2: 1, 4: 3, 8: 9}


@pytest.mark.parametrize(("status", "declares"), [
    ("imposter of", True), ("Impostor", True), ("alternate version of", True), ("impersonates", True),
    ("variant of", True), ("ended", False), (None, False), ("clone of", True),
])
def test_a_relationship_status_declares_a_variant(status: str | None, declares: bool) -> None:
    assert variant_status(status) is declares


def test_a_variant_ranks_below_its_original_for_the_originals_name_even_when_more_prominent() -> None:
    rows = [(1, "Carol Danvers", "Carol Danvers", "name"), (2, "Carol Danvers (Skrull)", "Carol Danvers (Skrull)", "name"),
            (2, "Carol Danvers (Skrull)", "Carol Danvers", "alias"),
            (3, "Tony Stark", "Tony Stark", "name"), (4, "Tony Stark 2.0", "Tony Stark 2.0", "name")]
    weights = {1: 5, 2: 50, 3: 5, 4: 50}
    plain = _index(rows, weights)
    assert plain.resolve("Carol Danvers")[0].target == 2  # prominence alone puts the imposter first
    index = _index(rows, weights, variants={2: 1, 4: 3})
    assert [m.target for m in index.resolve("Carol Danvers")] == [1, 2]
    assert [m.target for m in index.complete("Tony Stark")][:2] == [3, 4]
    assert [m.target for m in index.complete("Tony")][:2] == [3, 4]
    assert index.best("Carol Danvers (Skrull)").target == 2  # type: ignore[union-attr]  # named as such: the variant
    scoped = ScopedIndex([index, _index([(9, "Carol Danvers", "Carol Danvers", "name")], shows={9: "Elsewhere"})])
    assert [m.target for m in scoped.resolve("Carol Danvers")][:2] == [1, 2]


def test_below_originals_keeps_a_variant_that_fits_clearly_better() -> None:
    found = [("variant", 100.0), ("other", 99.0), ("original", 90.0)]
    ordered = below_originals(found, lambda m: hash(m[0]), lambda m: m[1], {hash("variant"): hash("original")}.get, 3.0)
    assert ordered == found
    found = [("variant", 100.0), ("other", 99.0), ("original", 98.0)]
    ordered = below_originals(found, lambda m: hash(m[0]), lambda m: m[1], {hash("variant"): hash("original")}.get, 3.0)
    assert [m[0] for m in ordered] == ["other", "original", "variant"]
