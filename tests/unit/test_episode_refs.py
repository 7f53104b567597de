"""Episode references (`since:`): the accepted forms, the refused ones, and the order they compare in."""

from __future__ import annotations

import pytest

from db.facts.episode_refs import EpisodeRef, EpisodeRefError, episode_of_order, episode_order, parse_episode, parse_since


@pytest.mark.parametrize("text", ["S02E05", "s2e5", "2x05", "2X5", " S02E05 ", "s02e005"])
def test_the_accepted_forms_name_the_same_episode(text: str) -> None:
    assert parse_episode(text) == (2, 5)


@pytest.mark.parametrize(
    "text", ["", "S2", "E5", "S02-E05", "season 2 episode 5", "S0E5", "S2E0", "0x05", "S２E５", "S٢E٥", "2x", "S02E05x", "S2E10001"]
)
def test_bad_forms_are_refused_saying_what_is_accepted(text: str) -> None:
    with pytest.raises(EpisodeRefError) as caught:
        parse_episode(text)
    assert "S02E05" in str(caught.value) or "from 1" in str(caught.value) or "at most" in str(caught.value)


def test_a_mapping_names_its_series() -> None:
    assert parse_since({"series": "jessica-jones", "episode": "1x09"}) == EpisodeRef(1, 9, "jessica-jones")
    assert parse_since("S01E09") == EpisodeRef(1, 9)
    for bad in ({"series": "x"}, {"episode": "S01E01"}, {"series": "x", "episode": 5}, 109, None):
        with pytest.raises(EpisodeRefError):
            parse_since(bad)


def test_order_sorts_by_season_then_number() -> None:
    refs = [EpisodeRef(2, 1), EpisodeRef(1, 13), EpisodeRef(1, 2), EpisodeRef(10, 1), EpisodeRef(1, 10000)]
    assert [r.label for r in sorted(refs, key=lambda r: r.order)] == ["S01E02", "S01E13", "S01E10000", "S02E01", "S10E01"]
    assert episode_order(1, 10000) < episode_order(2, 1)
    assert episode_of_order(episode_order(3, 7)) == (3, 7)
    assert EpisodeRef(1, 9).label == "S01E09"
