"""The position rules: parsing what members type, ordering across seasons and specials, the `aired`
rule with its delay around the instant, and which position a reply uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.spoilers.airing import ListedEpisode, aired_position, airs_at, key_visible, listed, order_keys
from bot.spoilers.positions import (
    EVERYTHING,
    NOT_STARTED,
    EpisodeCode,
    PositionError,
    at,
    is_visible,
    parse_episode_code,
    parse_position,
)
from bot.spoilers.rules import (
    DEFAULT_RULE,
    RuleKind,
    SpoilerRule,
    parse_rule,
    position_for,
    public_rule,
    reader_position,
)
from db.facts.dates import parse_partial_date

E = EpisodeCode


def episode(season: int, number: int | None, date: str | None, zone: str = "America/New_York") -> ListedEpisode:
    return ListedEpisode(season, number, None if date is None else parse_partial_date(date, zone))


@pytest.mark.parametrize(
    ("typed", "code"),
    [("S02E05", E(2, 5)), ("s2e5", E(2, 5)), ("2x05", E(2, 5)), (" 2X5 ", E(2, 5)), ("S10E100", E(10, 100)), ("s01 e01", E(1, 1))],
)
def test_episode_codes_in_every_accepted_form(typed: str, code: EpisodeCode) -> None:
    assert parse_episode_code(typed) == code


@pytest.mark.parametrize("typed", ["", "S2", "E5", "2-05", "S٢E٥", "２x０５", "S2E0", "S-1E2", "season 2 episode 5", "S2E5x"])
def test_anything_else_is_refused_naming_the_forms(typed: str) -> None:
    with pytest.raises(PositionError, match="S02E05"):
        parse_episode_code(typed)


def test_codes_read_zero_padded_and_order_by_season_then_number() -> None:
    assert str(E(2, 5)) == "S02E05"
    assert E(1, 13) < E(2, 1) < E(2, 2) < E(10, 1)


def test_progress_is_an_episode_or_none_but_not_all() -> None:
    assert parse_position("none") == NOT_STARTED
    assert parse_position("NONE ") == NOT_STARTED
    assert parse_position("2x05") == at(2, 5)
    with pytest.raises(PositionError, match="none"):
        parse_position("all")
    with pytest.raises(PositionError, match="none"):
        parse_position("soon")


def test_visibility_against_a_position() -> None:
    assert is_visible(None, NOT_STARTED)
    assert not is_visible(E(1, 1), NOT_STARTED)
    assert is_visible(E(2, 5), at(2, 5))
    assert not is_visible(E(2, 6), at(2, 5))
    assert is_visible(E(1, 13), at(2, 1))
    assert not is_visible(E(3, 1), at(2, 99))
    assert is_visible(E(99, 99), EVERYTHING)


@pytest.mark.parametrize(
    ("upto", "delay", "rule"),
    [
        ("aired", None, DEFAULT_RULE),
        ("Aired", "", DEFAULT_RULE),
        ("aired", "2d", SpoilerRule(RuleKind.AIRED, timedelta(days=2))),
        ("aired", "1d12h", SpoilerRule(RuleKind.AIRED, timedelta(hours=36))),
        ("aired", "0", SpoilerRule(RuleKind.AIRED, timedelta(0))),
        ("none", None, SpoilerRule(RuleKind.NONE)),
        ("ALL", None, SpoilerRule(RuleKind.ALL)),
        ("2x05", None, SpoilerRule(RuleKind.EPISODE, episode=E(2, 5))),
    ],
)
def test_upto_forms(upto: str, delay: str | None, rule: SpoilerRule) -> None:
    assert parse_rule(upto, delay) == rule


@pytest.mark.parametrize(
    ("upto", "delay", "says"),
    [
        ("later", None, "aired"),
        ("", None, "aired"),
        ("aired", "a week", "not a delay"),
        ("aired", "400d", "366d"),
        ("aired", "٣d", "not a delay"),
        ("S02E05", "7d", "delay` goes with `upto: aired"),
    ],
)
def test_bad_upto_or_delay_is_refused(upto: str, delay: str | None, says: str) -> None:
    with pytest.raises(PositionError, match=says):
        parse_rule(upto, delay)


def test_rules_describe_themselves() -> None:
    assert DEFAULT_RULE.describe() == "aired + 7d"
    assert parse_rule("s2e5").describe() == "up to S02E05"
    assert parse_rule("all").describe() == "all"


def test_air_instant_by_precision() -> None:
    day = parse_partial_date("2026-03-10", "America/New_York")
    assert airs_at(day) == datetime(2026, 3, 10, 4, tzinfo=UTC)  # midnight in New York (EDT)
    exact = parse_partial_date("2026-03-10 21:00", "America/New_York")
    assert airs_at(exact) == datetime(2026, 3, 11, 1, tzinfo=UTC)
    assert airs_at(parse_partial_date("2026-03", "UTC")) == datetime(2026, 4, 1, tzinfo=UTC)  # the END of the month
    assert airs_at(parse_partial_date("summer 2026", "UTC")) == datetime(2026, 9, 1, tzinfo=UTC)
    assert airs_at(parse_partial_date("Q4 2026", "UTC")) == datetime(2027, 1, 1, tzinfo=UTC)
    assert airs_at(parse_partial_date("2026", "UTC")) == datetime(2027, 1, 1, tzinfo=UTC)
    assert airs_at(parse_partial_date("TBA")) is None
    assert airs_at(None) is None


SERIES = [
    episode(1, 1, "2026-01-06"),
    episode(1, 2, "2026-01-13"),
    episode(2, 1, "2026-03-03"),
    episode(2, 2, "2026-03-10"),
    episode(2, 3, "2026-04"),
    episode(2, 4, None),
]
# S02E02 airs at midnight in New York on 10 March 2026: 04:00 UTC (daylight saving began on the 8th).
S2E2_AIRS = datetime(2026, 3, 10, 4, tzinfo=UTC)


def test_the_default_counts_an_episode_watched_exactly_seven_days_after_it_airs() -> None:
    instant = S2E2_AIRS + timedelta(days=7)
    assert position_for(SERIES, DEFAULT_RULE, instant - timedelta(seconds=1)) == at(2, 1)
    assert position_for(SERIES, DEFAULT_RULE, instant) == at(2, 2)
    assert position_for(SERIES, DEFAULT_RULE, instant + timedelta(seconds=1)) == at(2, 2)


def test_a_zero_delay_counts_it_at_the_start_of_its_day_in_its_zone() -> None:
    rule = parse_rule("aired", "0")
    assert position_for(SERIES, rule, S2E2_AIRS - timedelta(microseconds=1)) == at(2, 1)
    assert position_for(SERIES, rule, S2E2_AIRS) == at(2, 2)


def test_an_episode_known_to_the_month_counts_after_the_month_ends() -> None:
    month_end = datetime(2026, 5, 1, 4, tzinfo=UTC)  # 1 May, midnight in New York
    assert position_for(SERIES, DEFAULT_RULE, month_end + timedelta(days=7) - timedelta(seconds=1)) == at(2, 2)
    assert position_for(SERIES, DEFAULT_RULE, month_end + timedelta(days=7)) == at(2, 3)


def test_an_undated_episode_never_counts_but_does_not_hold_back_later_ones() -> None:
    far = datetime(2100, 1, 1, tzinfo=UTC)
    assert position_for(SERIES, DEFAULT_RULE, far) == at(2, 3)
    gap = [episode(1, 1, None), episode(1, 2, "2026-01-13")]
    assert position_for(gap, DEFAULT_RULE, far) == at(1, 2)


def test_before_anything_airs_the_position_is_none() -> None:
    assert position_for(SERIES, DEFAULT_RULE, datetime(2025, 1, 1, tzinfo=UTC)) == NOT_STARTED
    assert aired_position([], timedelta(0), datetime(2100, 1, 1, tzinfo=UTC)) == NOT_STARTED


def test_fixed_rules_ignore_the_clock() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert position_for(SERIES, parse_rule("none"), now) == NOT_STARTED
    assert position_for(SERIES, parse_rule("all"), now) == EVERYTHING
    assert position_for(SERIES, parse_rule("S02E04"), now) == at(2, 4)


def test_the_clock_can_be_faked_too() -> None:
    """A caller that reads the clock itself (discord.utils.utcnow) sees the same boundary under a fake clock."""
    from unittest import mock

    import discord.utils

    with mock.patch.object(discord.utils, "utcnow", return_value=S2E2_AIRS + timedelta(days=7)):
        assert position_for(SERIES, DEFAULT_RULE, discord.utils.utcnow()) == at(2, 2)


def test_specials_sit_after_the_numbered_episode_that_aired_before_them() -> None:
    season = [
        episode(1, 1, "2026-01-06"),
        episode(1, 2, "2026-01-13"),
        episode(1, None, "2026-01-10 20:00"),  # between E01 and E02
        episode(1, None, "2026-01-01"),  # before the premiere
        episode(1, None, None),  # undated: after the season's last
        episode(1, None, "2026-01"),  # only to the month: after the season's last too
        episode(2, 1, "2026-03-03"),
    ]
    assert order_keys(season) == [(1, 1, 0), (1, 2, 0), (1, 1, 1), (1, 0, 1), (1, 2, 1), (1, 2, 1), (2, 1, 0)]
    between, before, undated = order_keys(season)[2:5]
    assert not key_visible(between, at(1, 1)) and key_visible(between, at(1, 2))
    assert not key_visible(before, NOT_STARTED) and key_visible(before, at(1, 1))
    assert not key_visible(undated, at(1, 2)) and key_visible(undated, at(2, 1)) and key_visible(undated, EVERYTHING)


def test_specials_never_move_the_aired_position() -> None:
    season = [episode(1, 1, "2026-01-06"), episode(1, None, "2026-02-01")]
    assert position_for(season, DEFAULT_RULE, datetime(2027, 1, 1, tzinfo=UTC)) == at(1, 1)


def test_public_replies_use_the_override_then_the_server_then_the_default() -> None:
    server, channel = parse_rule("S01E02"), parse_rule("all")
    assert public_rule(channel, server) == channel
    assert public_rule(None, server) == server
    assert public_rule(None, None) == DEFAULT_RULE


def test_ephemeral_replies_use_own_progress_else_the_channel() -> None:
    channel = at(2, 1)
    assert reader_position(at(1, 1), channel) == at(1, 1)
    assert reader_position(NOT_STARTED, channel) == NOT_STARTED  # "none" is a progress too
    assert reader_position(None, channel) == channel


def test_a_series_releases_become_listed_episodes_with_their_current_date() -> None:
    from db.facts.models import Announcement, Release, ReleaseKind

    def release(kind: ReleaseKind, season: int | None, number: int | None, date: str | None) -> Release:
        history = () if date is None else (Announcement(1, 1, parse_partial_date(date, "UTC"), None, None, None, None),)
        return Release(1, "k", "Show", 1, season, None, None, history, kind, number)

    releases = [
        release(ReleaseKind.RELEASE, 1, None, "2026"),  # a season's own premiere: not an episode
        release(ReleaseKind.EPISODE, 1, 1, "2026-01-06"),
        release(ReleaseKind.SPECIAL, 1, None, None),
        release(ReleaseKind.EPISODE, None, 3, "2026-01-06"),  # no season: cannot be placed
    ]
    found = listed(releases)
    assert [(e.season, e.number) for e in found] == [(1, 1), (1, None)]
    assert found[0].date is not None and found[0].date.value == "2026-01-06" and found[1].date is None


def test_positions_and_rules_round_trip_through_their_stored_form() -> None:
    from bot.spoilers.stored import progress_from_store, progress_to_store, rule_from_store, rule_to_store

    for position in (NOT_STARTED, at(2, 5)):
        assert progress_from_store(progress_to_store(9, position)) == position
    for rule in (DEFAULT_RULE, parse_rule("aired", "0"), parse_rule("none"), parse_rule("all"), parse_rule("S03E01")):
        stored = rule_to_store(9, 55, rule)
        assert stored.series_id == 9 and stored.channel_id == 55
        assert rule_from_store(stored) == rule
