"""Shared wording: Discord timestamps, plain-words durations, dates at their precision, safe truncation,
and text shown literally."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.i18n import N_, _, ngettext
from bot.i18n.formats import day, day_and_time, listing, month, quarter, unit_count
from db.facts.dates import PartialDate, Precision

_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
_LONG = 60 * 86400  # from two months on, years and months read better than a pile of days


def discord_timestamp(moment: datetime, style: str = "f") -> str:
    """`<t:UNIX:style>`: every client renders it in its reader's own zone and keeps `R` live."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def humanize_duration(delta: timedelta, parts: int = 2) -> str:
    """'3 days, 4 hours', '9 years, 3 months' — the largest `parts` units, in the language being spoken."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return _("less than a minute") if seconds else _("now")
    words: list[str] = []
    for name, size in _UNITS:
        if name in ("year", "month") and seconds < _LONG and not words:
            continue
        count, seconds = divmod(seconds, size)
        if count:
            words.append(unit_count(count, name))
        if len(words) == parts:
            break
    return listing(words, style="unit")


_SEASONS = {"spring": N_("spring {year}"), "summer": N_("summer {year}"), "fall": N_("fall {year}"), "winter": N_("winter {year}")}


def date_words(date: PartialDate) -> str:
    """A stored date at its precision, in the language being spoken: '18 August 2017', 'summer 2017',
    'Q3 2026', 'date unknown' (db's `display()` is the English, for logs and files)."""
    value = date.value
    if date.precision is Precision.UNKNOWN or value is None:
        return _("date unknown")
    if date.precision is Precision.DAY:
        return day(datetime.fromisoformat(value).date())
    if date.precision is Precision.EXACT:
        return day_and_time(datetime.fromisoformat(value))
    if date.precision is Precision.MONTH:
        year, number = value.split("-")
        return month(int(year), int(number))
    if date.precision is Precision.QUARTER:
        which, year = value.split()
        return quarter(int(year), int(which.lstrip("Qq")))
    if date.precision is Precision.SEASON:
        season, year = value.split()
        return _(_SEASONS[season], year=year) if season in _SEASONS else value
    return value  # a year reads the same everywhere


def approximate(date: PartialDate) -> str:
    """'summer 2017 (approximate)'."""
    return _("{date} (approximate)", date=date_words(date))


def describe_date(date: PartialDate) -> str:
    """A release date at its known precision; an exact one as a Discord timestamp."""
    if date.precision is Precision.EXACT and date.starts_at is not None:
        return discord_timestamp(date.starts_at, "F")
    if date.precision.has_instant or date.precision is Precision.UNKNOWN:
        return date_words(date)
    return approximate(date)


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking the cut with an ellipsis (never after a lone escape)."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:max(0, limit)]
    return text[: limit - 1].rstrip().rstrip("\\") + "…"


def join_limited(items: Sequence[str], limit: int, sep: str = "\n") -> str:
    """Whole items within `limit` characters, then '… and N more' for those left out. An item too long
    to fit alone is cut with an ellipsis. Never longer than `limit`."""
    if len(whole := sep.join(items)) <= limit:
        return whole
    out: list[str] = []
    size = 0
    for i, item in enumerate(items):
        left_after = len(items) - i - 1
        tail = len(sep) + len(and_more(left_after)) if left_after else 0
        added = len(item) + (len(sep) if out else 0)
        if size + added + tail <= limit:
            out.append(item)
            size += added
            continue
        rest = and_more(len(items) - i)
        if out:  # the previous item was only taken with room for this marker
            return sep.join(out) + sep + rest
        marker = f"{sep}{and_more(left_after)}" if left_after else ""
        if limit - len(marker) >= MIN_CUT:
            return truncate(item, limit - len(marker)) + marker
        return truncate(rest, limit)
    return sep.join(out)


def and_more(count: int) -> str:
    """'… and 3 more': what a list cut short left out."""
    return ngettext("… and {count} more", "… and {count} more", count)


MIN_CUT = 12  # an item cut shorter than this says nothing; then only "… and N more" is shown


def release_status(date: PartialDate, now: datetime) -> str:
    """How a release stands today: released, premiering (with a live countdown), expected, or undated."""
    if date.starts_at is not None:
        shown = describe_date(date)
        if date.starts_at <= now:
            return _("released {date}", date=shown)
        return _("premieres {date} · {countdown}", date=shown, countdown=discord_timestamp(date.starts_at, "R"))
    if date.precision is Precision.UNKNOWN:
        return _("no date announced")
    return _("expected {date} (approximate)", date=date_words(date))


def season_span(numbers: list[int]) -> str:
    """[1, 2, 3] → 'seasons 1–3'; [1, 3] → 'seasons 1, 3'; [2] → 'season 2'."""
    ordered = sorted(set(numbers))
    if len(ordered) == 1:
        return _("season {number}", number=ordered[0])
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return _("seasons {first}–{last}", first=ordered[0], last=ordered[-1])
    return _("seasons {numbers}", numbers=", ".join(map(str, ordered)))


_URL = re.compile(r"https?://[^\s<>]+")
_SPECIAL = re.compile(r"[\\*_~|`\[\]<>]|@(?=everyone|here)")
_LINE_START = re.compile(r"^(\s*)([#-])|^(\s*\d+)(\.)", re.MULTILINE)  # headings, subtext, lists


def literal(text: str) -> str:
    """Text someone typed (a poll option, a question, a release title, a pack's name) as Discord will
    show it: exactly as typed. Markdown, masked links, mentions, channels, custom emoji and timestamps
    are backslash-escaped, so nothing typed can style, disguise a link or ping. A bare URL is left
    whole: Discord shows it as the address it is."""
    out: list[str] = []
    pos = 0
    for url in _URL.finditer(text):
        out += [_escape(text[pos:url.start()]), url.group()]
        pos = url.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _escape(text: str) -> str:
    escaped = _SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}", escaped)


def quote_typed(text: str, limit: int = 60) -> str:
    """What a member typed, safe to quote back: literal and bounded."""
    return literal(truncate(text, limit))


CHANNEL_WATCHED = N_("what this channel has watched")
YOU_WATCHED = N_("what you have watched")


def held_back_line(held: int, watched: str = CHANNEL_WATCHED) -> str:
    """`2 facts held back — beyond what this channel has watched`: what a card left out, counted, never
    hinted at. `watched` is one of the two N_ constants above (translated here)."""
    return ngettext("{count} fact held back — beyond {watched}", "{count} facts held back — beyond {watched}", held, watched=_(watched))
