"""Numbers, lists, dates and durations in the language being spoken, from Babel's CLDR data.

English keeps the wording the bot has always used ('18 August 2017', 'a, b, c'); the other languages
take their CLDR forms ('18. August 2017', 'a, b und c'). Babel is imported on first use, so a bot that
only speaks English never loads it.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n.locales import ENGLISH
from bot.i18n.speech import current_locale

# English as the bot always wrote it (not the process locale's names).
# CLDR's unit ids for the parts of a duration, largest first.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
DURATION_UNITS = {
    "year": "duration-year", "month": "duration-month", "day": "duration-day",
    "hour": "duration-hour", "minute": "duration-minute", "second": "duration-second",
}


def number(value: float) -> str:
    """1234 → '1,234' (en), '1.234' (de), '1 234' (fr)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_babel_locale())


def listing(items: list[str], style: str = "standard") -> str:
    """['a', 'b', 'c'] → 'a, b and c' in the reader's language; `style='or'` for alternatives. English
    keeps a plain comma list, as the bot always wrote it."""
    if not items:
        return ""
    if current_locale() == ENGLISH and style == "standard":
        return ", ".join(items)
    from babel.lists import format_list

    try:
        return format_list(items, style=style, locale=_babel_locale())  # type: ignore[arg-type]  # style is one of CLDR's names
    except KeyError:  # a style CLDR leaves incomplete for the language (Spanish 'unit' of three): the standard one
        return format_list(items, locale=_babel_locale())


def unit_count(count: int, unit: str) -> str:
    """3, 'day' → '3 days', '3 Tage', '3 jours' (unit: year, month, day, hour, minute, second)."""
    from babel.units import format_unit

    return format_unit(count, DURATION_UNITS[unit], length="long", locale=_babel_locale())


def day(value: date) -> str:
    """A calendar day in full: '18 August 2017', '18. August 2017', '18 de agosto de 2017'."""
    if current_locale() == ENGLISH:
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    from babel.dates import format_date

    return format_date(value, format="long", locale=_babel_locale())


def day_and_time(value: datetime) -> str:
    """A day and a wall-clock time ('18 August 2017, 21:00')."""
    if current_locale() == ENGLISH:
        return f"{day(value.date())}, {value:%H:%M}"
    from babel.dates import format_skeleton

    return f"{day(value.date())}, {format_skeleton('Hm', value.time(), locale=_babel_locale())}"


def month(year: int, number_of_month: int) -> str:
    """'August 2017', 'août 2017', 'agosto de 2017'."""
    if current_locale() == ENGLISH:
        return f"{MONTHS[number_of_month - 1]} {year}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", date(year, number_of_month, 1), locale=_babel_locale())


def quarter(year: int, number_of_quarter: int) -> str:
    """'Q3 2026' (en, de), 'T3 2026' (fr)."""
    if current_locale() == ENGLISH:
        return f"Q{number_of_quarter} {year}"
    from babel.dates import format_skeleton

    return format_skeleton("yQQQ", date(year, 3 * number_of_quarter - 2, 1), locale=_babel_locale())


def _babel_locale() -> str:
    code = current_locale()
    return "en_US" if code == ENGLISH else code
