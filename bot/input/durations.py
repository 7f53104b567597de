"""Durations as people type them: `30m`, `2h`, `3d`, `1w`, and combinations such as `1d12h`.

Reminder offsets (`7d,1d,1h,0`) and poll lengths use the same grammar, so one parser serves both.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.i18n import N_, _
from bot.input.whole_numbers import DIGIT, read_whole_number
from db.facts.quoting import inline_code

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(rf"({DIGIT}{{1,6}})\s*([smhdw])", re.IGNORECASE)
_WHOLE = re.compile(rf"^(?:{DIGIT}{{1,6}}\s*[smhdw]\s*)+$", re.IGNORECASE)

DURATION_FORMS = N_("a number (digits 0–9) and a unit — `30m`, `2h`, `3d`, `1w` — or a combination like `1d12h` (units s m h d w)")
OFFSET_FORMS = N_("comma-separated durations before the release, like `7d,1d,1h,0` (units s m h d w; `0` is the moment itself)")
MAX_OFFSETS = 10
MAX_OFFSET = timedelta(days=366)


class DurationError(ValueError):
    """Text that is not a duration; the message names the accepted forms, in the reader's language."""


def parse_duration(text: str, *, allow_zero: bool = False) -> timedelta:
    raw = " ".join(text.split()).lower()
    if allow_zero and raw == "0":
        return timedelta(0)
    if not raw or len(raw) > 40 or not _WHOLE.match(raw):
        shown = inline_code(raw[:40]) if raw else _("An empty value")
        raise DurationError(_("{value} is not a duration. Use {forms}.", value=shown, forms=_(DURATION_FORMS)))
    seconds = sum((read_whole_number(n) or 0) * UNIT_SECONDS[unit.lower()] for n, unit in _PART.findall(raw))
    if seconds == 0 and not allow_zero:
        raise DurationError(_("{value} is zero. Use {forms}.", value=inline_code(raw), forms=_(DURATION_FORMS)))
    return timedelta(seconds=seconds)


def parse_offsets(text: str) -> tuple[int, ...]:
    """`7d,1d,1h,0` → (604800, 86400, 3600, 0): distinct seconds before the release, largest first."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise DurationError(_("Give offsets as {forms}.", forms=_(OFFSET_FORMS)))
    if len(parts) > MAX_OFFSETS:
        raise DurationError(_("At most {most} offsets, please (you gave {given}).", most=MAX_OFFSETS, given=len(parts)))
    offsets: set[int] = set()
    for part in parts:
        try:
            delta = parse_duration(part, allow_zero=True)
        except DurationError:
            raise DurationError(
                _("{value} is not an offset. Give offsets as {forms}.", value=inline_code(part[:40]), forms=_(OFFSET_FORMS))
            ) from None
        if delta > MAX_OFFSET:
            raise DurationError(
                _("{value} is more than a year before the release; offsets go up to 366d.", value=inline_code(part))
            )
        offsets.add(int(delta.total_seconds()))
    return tuple(sorted(offsets, reverse=True))


def format_duration(seconds: int) -> str:
    """604800 → `7d`, 129600 → `1d12h`, 0 → `0`: the compact form people type (days, not weeks)."""
    if seconds == 0:
        return "0"
    out = []
    for unit, size in sorted(UNIT_SECONDS.items(), key=lambda u: -u[1]):
        if unit == "w":
            continue
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)
