"""Property-based checks: parsers raise only their own error (which names what is accepted), and what
they accept is within bounds; the matcher never raises and never breaks Discord's choice limits."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.input.durations import MAX_OFFSETS, DurationError, parse_duration, parse_offsets
from bot.input.whole_numbers import read_whole_number
from bot.search.matching import IndexEntry, NameIndex
from db.facts.dates import DateParseError, Precision, parse_partial_date

ANY_TEXT = st.text(max_size=120)
DURATION_LIKE = st.from_regex(r"\A(\d{1,4}[smhdwSMHDWxy ]{1,2}){0,4}\Z")


@given(st.one_of(ANY_TEXT, DURATION_LIKE))
def test_durations_accept_or_explain(text: str) -> None:
    try:
        value = parse_duration(text)
    except DurationError as exc:
        assert "30m" in str(exc) or "zero" in str(exc)
        return
    assert value > timedelta(0)


@given(st.lists(st.one_of(DURATION_LIKE, st.just("0")), max_size=14).map(",".join) | ANY_TEXT)
def test_offsets_accept_or_explain(text: str) -> None:
    try:
        offsets = parse_offsets(text)
    except DurationError:
        return
    assert 1 <= len(offsets) <= MAX_OFFSETS and list(offsets) == sorted(set(offsets), reverse=True)
    assert all(0 <= o <= 366 * 86400 for o in offsets)


@given(st.one_of(ANY_TEXT, st.from_regex(r"\A\s*\d{1,20}\s*\Z")))
def test_whole_numbers_are_read_in_ascii_digits_only(text: str) -> None:
    """`\\d` draws every script's digits ("٣", "३", "３"): only 0–9 make a number, and nothing raises."""
    value = read_whole_number(text)
    digits = text.strip()
    if value is None:
        assert not (digits.isascii() and digits.isdigit() and len(digits) <= 18)
    else:
        assert digits.isascii() and int(digits) == value


@given(st.from_regex(r"\A\d{1,4}[smhdw]\Z"))
def test_durations_are_read_in_ascii_digits_only(text: str) -> None:
    try:
        parse_duration(text)
    except DurationError:
        assert not text[:-1].isascii() or int(text[:-1]) == 0
        return
    assert text.isascii()


DATE_LIKE = st.one_of(
    st.from_regex(r"\A\d{4}(-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?)?)?\Z"),
    st.from_regex(r"\A(Q[0-9]|spring|summer|fall|autumn|winter|SUMMER) \d{4}\Z"),
    ANY_TEXT,
)
ZONES = st.sampled_from(["America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "UTC", "Australia/Lord_Howe", "Nowhere/Zone", ""])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(DATE_LIKE, ZONES)
def test_dates_accept_with_a_precision_or_explain(text: str, zone: str) -> None:
    try:
        parsed = parse_partial_date(text, zone)
    except DateParseError as exc:
        assert str(exc)
        return
    if parsed.precision.has_instant:
        assert parsed.starts_at is not None and parsed.starts_at.tzinfo is not None
    elif parsed.precision is Precision.UNKNOWN:
        assert parsed.window_start is None
    else:
        assert parsed.starts_at is None  # an approximate date never becomes an instant
        assert parsed.window_start is not None and parsed.window_end is not None
        assert parsed.window_start < parsed.window_end


NAMES = st.text(min_size=1, max_size=150)
INDEX = NameIndex(
    [
        IndexEntry(i, f"Name {i} " + "x" * (i % 130), t, "name")
        for i, t in enumerate(["Matt Murdock", "Élodie Yung", "A" * 150, "\u202eevil", "@everyone", "The The"])
    ]
)


@given(st.text(max_size=300))
def test_the_matcher_never_raises_and_keeps_to_discords_limits(query: str) -> None:
    choices = INDEX.complete(query)
    assert len(choices) <= 25
    INDEX.best(query)
    assert len(INDEX.suggest(query)) <= 3


@given(st.lists(NAMES, min_size=1, max_size=60), st.text(max_size=100))
def test_any_index_completes_within_limits(names: list[str], query: str) -> None:
    index = NameIndex([IndexEntry(i, name, name, "name") for i, name in enumerate(names)])
    assert len(index.complete(query)) <= 25
