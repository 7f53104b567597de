"""Release dates: every accepted form, at its precision; every rejection names the accepted forms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db.facts.dates import DateParseError, Precision, parse_partial_date


@pytest.mark.parametrize(
    ("text", "precision", "value", "display"),
    [
        ("2017-08-18", Precision.DAY, "2017-08-18", "18 August 2017"),
        ("2017-08-18 21:00", Precision.EXACT, "2017-08-18T21:00:00-07:00", "18 August 2017, 21:00"),
        ("2017-08-18 21:00:30", Precision.EXACT, "2017-08-18T21:00:30-07:00", "18 August 2017, 21:00"),
        ("2017-08-18T21:00:00-04:00", Precision.EXACT, "2017-08-18T18:00:00-07:00", "18 August 2017, 18:00"),
        ("2017-08-18T04:00:00Z", Precision.EXACT, "2017-08-17T21:00:00-07:00", "17 August 2017, 21:00"),
        ("2017", Precision.YEAR, "2017", "2017"),
        ("2017-08", Precision.MONTH, "2017-08", "August 2017"),
        ("Q3 2026", Precision.QUARTER, "Q3 2026", "Q3 2026"),
        ("q1 2026", Precision.QUARTER, "Q1 2026", "Q1 2026"),
        ("summer 2017", Precision.SEASON, "summer 2017", "summer 2017"),
        ("Autumn 2019", Precision.SEASON, "fall 2019", "fall 2019"),
        ("unknown", Precision.UNKNOWN, None, "date unknown"),
        ("July 2019", Precision.MONTH, "2019-07", "July 2019"),
        ("Jul 2019", Precision.MONTH, "2019-07", "July 2019"),
        ("july 2019", Precision.MONTH, "2019-07", "July 2019"),
        ("Sept 2019", Precision.MONTH, "2019-09", "September 2019"),
        ("sep. 2019", Precision.MONTH, "2019-09", "September 2019"),
        ("  DECEMBER   2030 ", Precision.MONTH, "2030-12", "December 2030"),
        ("May 2026", Precision.MONTH, "2026-05", "May 2026"),
        ("TBA", Precision.UNKNOWN, None, "date unknown"),
        ("tbd", Precision.UNKNOWN, None, "date unknown"),
        ("Tbd", Precision.UNKNOWN, None, "date unknown"),
    ],
)
def test_accepted_forms(text: str, precision: Precision, value: str | None, display: str) -> None:
    parsed = parse_partial_date(text)
    assert (parsed.precision, parsed.value, parsed.display()) == (precision, value, display)


def test_a_month_by_name_is_the_same_window_as_by_number() -> None:
    assert parse_partial_date("Jul 2019", "Europe/London") == parse_partial_date("2019-07", "Europe/London")
    december = parse_partial_date("December 2030")
    assert december.window_end == datetime(2031, 1, 1, 8, tzinfo=UTC)  # midnight Pacific (PST) on 1 January


@pytest.mark.parametrize("text", ["Jully 2019", "Julyy 2019", "Ju 2019", "Sep 19", "July", "July 1899"])
def test_a_misspelt_month_or_a_bad_year_says_what_is_accepted(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_partial_date(text)
    message = str(caught.value)
    assert "`Jul 2026`" in message or "range" in message, message


def test_day_means_midnight_pacific() -> None:
    parsed = parse_partial_date("2017-08-18")
    assert parsed.starts_at == datetime(2017, 8, 18, 7, 0, tzinfo=UTC)  # PDT is UTC-7


def test_approximate_dates_have_a_window_but_no_instant() -> None:
    summer = parse_partial_date("summer 2017")
    assert summer.starts_at is None
    assert summer.window_start == datetime(2017, 6, 1, 7, tzinfo=UTC)
    assert summer.window_end == datetime(2017, 9, 1, 7, tzinfo=UTC)
    winter = parse_partial_date("winter 2018")
    assert winter.window_start is not None and winter.window_start.year == 2017  # December 2017 – February 2018


def test_zone_changes_the_instant_not_the_wall_clock() -> None:
    tokyo = parse_partial_date("2026-05-01 09:00", "Asia/Tokyo")
    assert tokyo.starts_at == datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    assert tokyo.value == "2026-05-01T09:00:00+09:00"


def test_dst_gap_is_refused_and_the_repeated_hour_takes_its_first_occurrence() -> None:
    with pytest.raises(DateParseError, match="does not exist"):
        parse_partial_date("2026-03-08 02:30", "America/Los_Angeles")
    fall_back = parse_partial_date("2026-11-01 01:30", "America/Los_Angeles")
    assert fall_back.starts_at == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT, the first one


@pytest.mark.parametrize(
    "text",
    ["", "   ", "tomorrow", "2017-02-30", "2017-13", "Q5 2017", "2017-08-18 25:00", "1800", "18/08/2017",
     "2017-08-18T21:00:00+99:00", "x" * 500, "summer", "'; DROP TABLE releases; --"],
)
def test_rejected_forms_name_what_is_accepted(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_partial_date(text)
    message = str(caught.value)
    assert "YYYY" in message or "real" in message or "range" in message or "no " in message


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "America/", "x" * 100])
def test_unknown_zones_are_refused(zone: str) -> None:
    with pytest.raises(DateParseError, match="IANA"):
        parse_partial_date("2017-08-18", zone)
