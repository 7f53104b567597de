"""Times shown as plain text (an autocomplete choice cannot hold a Discord timestamp) carry their zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.input.zones import zoned_time

WINTER = datetime(2031, 1, 10, 20, 0, tzinfo=UTC)  # a Friday
SUMMER = datetime(2031, 7, 11, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment", "shown"),
    [
        ("Europe/Berlin", WINTER, "Fri 10 Jan 2031 21:00 CET"),
        ("Europe/Berlin", SUMMER, "Fri 11 Jul 2031 22:00 CEST"),
        ("America/Los_Angeles", WINTER, "Fri 10 Jan 2031 12:00 PST"),
        ("America/Los_Angeles", SUMMER, "Fri 11 Jul 2031 13:00 PDT"),
        ("Asia/Kolkata", WINTER, "Sat 11 Jan 2031 01:30 IST"),
        ("Europe/Istanbul", WINTER, "Fri 10 Jan 2031 23:00 UTC+3"),  # the tz database's abbreviation is "+03"
        ("Asia/Kathmandu", WINTER, "Sat 11 Jan 2031 01:45 UTC+5:45"),
        ("America/Sao_Paulo", WINTER, "Fri 10 Jan 2031 17:00 UTC-3"),
        ("UTC", WINTER, "Fri 10 Jan 2031 20:00 UTC"),
    ],
)
def test_a_time_is_shown_in_the_zone_and_names_it(zone: str, moment: datetime, shown: str) -> None:
    assert zoned_time(moment, ZoneInfo(zone)) == shown


def test_the_year_is_left_out_when_it_is_this_years() -> None:
    assert zoned_time(WINTER, ZoneInfo("Europe/Berlin"), now=datetime(2031, 1, 1, tzinfo=UTC)) == "Fri 10 Jan 21:00 CET"
    # New Year's Eve in Berlin is already next year there: the year is the zone's, not UTC's.
    eve = datetime(2030, 12, 31, 23, 30, tzinfo=UTC)
    assert zoned_time(eve, ZoneInfo("Europe/Berlin"), now=eve) == "Wed 1 Jan 00:30 CET"
