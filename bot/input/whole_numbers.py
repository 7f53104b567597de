"""Whole numbers read from what people type: ASCII digits 0–9 and nothing else.

`str.isdigit()` is true for "²" and "٣", `int()` reads "٣" as 3 but raises on "²", and a regex's `\\d`
matches the digits of every script. So a number typed by a member (a TVmaze id, a poll number, the
parts of a duration or an episode code) is read here, and a pattern that finds one inside text uses
DIGIT instead of `\\d`.
"""

from __future__ import annotations

from bot.i18n import N_

DIGIT = "[0-9]"  # in a pattern, instead of \d
ACCEPTED = N_("a whole number written with the digits 0–9")  # shown as _(ACCEPTED)
_LONGEST = 18  # digits: every number the bot reads (ids, counts, durations) fits, and int() stays cheap


def read_whole_number(text: str, *, low: int = 0, high: int = 10**_LONGEST - 1) -> int | None:
    """The number `text` is (surrounding spaces aside), or None when it is anything else — other
    scripts' digits, signs, separators — or outside `low`–`high`."""
    digits = text.strip()
    if not 0 < len(digits) <= _LONGEST or not digits.isascii() or not digits.isdigit():
        return None
    value = int(digits)
    return value if low <= value <= high else None
