"""Release dates as they are announced: a value with a precision, never a made-up instant.

"Summer 2017" is a window, not a day; "2017-08-18" for a streaming premiere means midnight in the
release's zone; "2017-08-18T21:00-04:00" is an instant. The same parser reads fact packs and what a
moderator types, so both accept exactly the same forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.facts.quoting import inline_code
from db.facts.wording import N_, Phrase, Worded

DEFAULT_ZONE = "America/Los_Angeles"
MIN_YEAR, MAX_YEAR = 1900, 2200

ACCEPTED_FORMS = N_(
    "`YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, ISO 8601 with an offset "
    "(`2026-05-01T21:00:00-04:00`), or an approximate `YYYY`, `YYYY-MM`, `July 2026` or `Jul 2026`, "
    "`Q1 YYYY`…`Q4 YYYY`, `spring|summer|fall|autumn|winter YYYY`, or `TBA`/`TBD`/`unknown`"
)


class Precision(StrEnum):
    """How much of a release date is known, most precise first."""

    EXACT = "exact"
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    SEASON = "season"
    YEAR = "year"
    UNKNOWN = "unknown"

    @property
    def has_instant(self) -> bool:
        """Whether the date pins one instant (a day means midnight in the release's zone)."""
        return self in (Precision.EXACT, Precision.DAY)


# Meteorological seasons (northern hemisphere); "winter YYYY" is the winter that holds January YYYY.
_SEASON_START = {"spring": (0, 3), "summer": (0, 6), "fall": (0, 9), "winter": (-1, 12)}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
# A month by its name, its first three letters, or "Sept": "July 2019", "Jul 2019", "Sept. 2019".
_MONTH_NUMBERS = {
    **{name.lower(): i for i, name in enumerate(_MONTHS, start=1)},
    **{name[:3].lower(): i for i, name in enumerate(_MONTHS, start=1)},
    "sept": 9,
}


NOT_A_ZONE = N_("{value} is not an IANA time zone name (like `America/New_York`).")


class DateParseError(Worded, ValueError):
    """A date or zone the parser cannot accept; the message says what is accepted. A member reads it in
    their language: its `template` and `values` (db/facts/wording.py)."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A release date at the precision it was announced.

    `starts_at` is set only when the precision pins an instant; `window_start`/`window_end` bound
    every precision but `unknown`, in UTC, so approximate dates can still be ordered and aged.
    """

    precision: Precision
    value: str | None
    timezone: str
    starts_at: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None

    def display(self) -> str:
        """Human wording at the known precision: '18 August 2017', 'summer 2017', 'date unknown'."""
        return describe_value(self.precision, self.value)


def describe_value(precision: Precision, value: str | None) -> str:
    """Render a stored canonical value for people, at its precision."""
    if precision is Precision.UNKNOWN or value is None:
        return "date unknown"
    if precision is Precision.DAY:
        d = date.fromisoformat(value)
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if precision is Precision.EXACT:
        dt = datetime.fromisoformat(value)
        return f"{dt.day} {_MONTHS[dt.month - 1]} {dt.year}, {dt:%H:%M}"
    if precision is Precision.MONTH:
        year, month = value.split("-")
        return f"{_MONTHS[int(month) - 1]} {year}"
    return value  # "Q3 2026", "summer 2017", "2018" read fine as they are


def zone_or_error(name: str) -> ZoneInfo:
    """Resolve an IANA zone name, or raise DateParseError saying so."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64 or cleaned.startswith(("/", ".")) or ".." in cleaned:
        raise DateParseError(NOT_A_ZONE, value=inline_code(name[:64]))
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise DateParseError(NOT_A_ZONE, value=inline_code(cleaned)) from None


# [0-9], not \d: \d matches every script's digits ("٢٠٢٦"), and a date is read in ASCII digits only.
_ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_ISO_LOCAL = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$")
_ISO_OFFSET = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})$", re.I)
_YEAR = re.compile(r"^([0-9]{4})$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTER = re.compile(r"^q([1-4])\s+([0-9]{4})$", re.I)
_SEASON = re.compile(r"^(spring|summer|fall|autumn|winter)\s+([0-9]{4})$", re.I)
_NAMED_MONTH = re.compile(r"^([a-z]+)\.?,?\s+([0-9]{4})$", re.I)
_UNKNOWN = {"unknown", "tba", "tbd", "tbc"}


def parse_partial_date(text: str, zone_name: str = DEFAULT_ZONE) -> PartialDate:
    """Parse one of the accepted forms in `zone_name`; raise DateParseError naming them otherwise."""
    zone = zone_or_error(zone_name)
    raw = " ".join(text.split())
    if not raw or len(raw) > 40:
        raise DateParseError(N_("Give a date as {forms}."), forms=Phrase(ACCEPTED_FORMS))
    lowered = raw.lower()
    if lowered in _UNKNOWN:
        return PartialDate(Precision.UNKNOWN, None, zone.key)
    if m := _ISO_DAY.match(raw):
        day = _real_date(*map(int, m.groups()))
        start = _local_instant(day, time(0), zone)
        return PartialDate(Precision.DAY, day.isoformat(), zone.key, start, start, _local_instant(day + timedelta(days=1), time(0), zone))
    if m := _ISO_LOCAL.match(raw):
        y, mo, d, hh, mm, ss = m.groups()
        day = _real_date(int(y), int(mo), int(d))
        if int(hh) > 23 or int(mm) > 59 or int(ss or 0) > 59:
            raise DateParseError(N_("{value} has no such time of day; use 00:00 to 23:59."), value=inline_code(raw))
        local = datetime.combine(day, time(int(hh), int(mm), int(ss or 0)))
        return _exact(local, zone)
    if _ISO_OFFSET.match(raw):
        try:
            moment = datetime.fromisoformat(raw.upper().replace(" ", "T"))
        except ValueError:
            raise DateParseError(N_("{value} is not a real date and time."), value=inline_code(raw)) from None
        _check_year(moment.year)
        return _exact(moment, zone)
    if m := _YEAR.match(raw):
        year = _check_year(int(m.group(1)))
        return _window(Precision.YEAR, str(year), zone, date(year, 1, 1), date(year + 1, 1, 1))
    if m := _MONTH.match(raw):
        year, month = _check_year(int(m.group(1))), int(m.group(2))
        if not 1 <= month <= 12:
            raise DateParseError(N_("{value} has no month {month}; months run 01 to 12."), value=inline_code(raw), month=month)
        return _month(year, month, zone)
    if m := _QUARTER.match(raw):
        quarter, year = int(m.group(1)), _check_year(int(m.group(2)))
        first = 3 * (quarter - 1) + 1
        return _window(Precision.QUARTER, f"Q{quarter} {year}", zone, date(year, first, 1), _add_months(year, first, 3))
    if m := _SEASON.match(raw):
        season = "fall" if m.group(1).lower() == "autumn" else m.group(1).lower()
        year = _check_year(int(m.group(2)))
        year_shift, month = _SEASON_START[season]
        first_day = date(year + year_shift, month, 1)
        return _window(Precision.SEASON, f"{season} {year}", zone, first_day, _add_months(first_day.year, first_day.month, 3))
    if m := _NAMED_MONTH.match(raw):
        named = _MONTH_NUMBERS.get(m.group(1).lower())
        if named is None:
            raise DateParseError(
                N_("{value} is not a month; write it out (`July 2026`) or use its first three letters (`Jul 2026`). "
                   "Other accepted forms: {forms}."),
                value=inline_code(m.group(1)), forms=Phrase(ACCEPTED_FORMS),
            )
        return _month(_check_year(int(m.group(2))), named, zone)
    raise DateParseError(N_("{value} is not a date I understand. Use {forms}."), value=inline_code(raw[:40]), forms=Phrase(ACCEPTED_FORMS))


def from_stored(
    precision: str, value: str | None, timezone: str, starts_at: str | None, window_start: str | None, window_end: str | None
) -> PartialDate:
    """Rebuild a PartialDate from its stored columns (instants are ISO 8601 UTC text)."""
    return PartialDate(
        Precision(precision), value, timezone, _utc(starts_at), _utc(window_start), _utc(window_end)
    )


def _utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateParseError(N_("{year} is out of range; years {low}–{high} are accepted."), year=year, low=MIN_YEAR, high=MAX_YEAR)
    return year


def _real_date(year: int, month: int, day: int) -> date:
    _check_year(year)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(N_("{value} is not a real calendar date."), value=f"{year:04d}-{month:02d}-{day:02d}") from None


def _add_months(year: int, month: int, count: int) -> date:
    index = year * 12 + (month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


def _local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Midnight (or `at`) on `day` in `zone`, as UTC; a time lost to a DST jump moves forward."""
    local = datetime.combine(day, at, tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        # Inside a spring-forward gap: the first real instant after it.
        local = round_trip
    return local.astimezone(UTC)


def _exact(moment: datetime, zone: ZoneInfo) -> PartialDate:
    if moment.tzinfo is None:
        aware = moment.replace(tzinfo=zone)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
            raise DateParseError(
                N_("{moment} does not exist in {zone}: the clocks jump forward then. Pick a time outside the daylight-saving change."),
                moment=f"{moment:%Y-%m-%d %H:%M}", zone=zone.key,
            )
        moment = aware  # an ambiguous (repeated) hour takes its first occurrence, fold=0
    utc = moment.astimezone(UTC)
    local = utc.astimezone(zone)
    value = local.replace(microsecond=0).isoformat()
    return PartialDate(Precision.EXACT, value, zone.key, utc, utc, utc + timedelta(seconds=1))


def _month(year: int, month: int, zone: ZoneInfo) -> PartialDate:
    return _window(Precision.MONTH, f"{year:04d}-{month:02d}", zone, date(year, month, 1), _add_months(year, month, 1))


def _window(precision: Precision, value: str, zone: ZoneInfo, first: date, after: date) -> PartialDate:
    return PartialDate(
        precision, value, zone.key, None, _local_instant(first, time(0), zone), _local_instant(after, time(0), zone)
    )
