"""What a watch-along posts, as plain functions: the thread's name, the starter message's text while
the rating is open and once it closed. No Discord calls here; unit-tested as they are."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.formatting import discord_timestamp, literal
from bot.i18n import ENGLISH, N_, _, current_locale, ngettext
from bot.i18n.formats import number
from db.facts.models import Release
from db.repos.watchalong.ratings import RatingSummary

THREAD_NAME = 100  # Discord's limit on a thread's (and a forum post's) name
WATCHED_LABEL = N_("I've watched")  # the starter's button; the starter's text names it by the same words
CLOSED_MARK = "⭐ "  # how closed_line starts in every language: a repeated close replaces it, never adds a second


def episode_code(release: Release) -> str:
    """`S02E05` — the code a watch-along names its episode by."""
    return f"S{release.season_number or 0:02d}E{release.episode or 0:02d}"


def thread_name(release: Release) -> str:
    """`S02E05 · Title`, at most 100 characters, the title cut with … when needed. Thread names are shown
    as they are (no markdown): the title is the pack's or TVmaze's text, shown literally by Discord."""
    code = episode_code(release)
    title = " ".join((release.episode_title or "").split())
    if not title:
        return code
    name = f"{code} · {title}"
    return name if len(name) <= THREAD_NAME else name[: THREAD_NAME - 1].rstrip() + "…"


def starter_text(release: Release, series_title: str, air_at: datetime, role_id: int | None, *, rating: bool) -> str:
    """The starter message: the series, the episode and its air time; the role it pings, when one was
    configured. No summary: the thread itself is where people talk about it. In the language being
    spoken: the server's (the bot posts it on its own)."""
    ping = f"<@&{role_id}> " if role_id else ""
    values = {
        "series": literal(series_title), "code": episode_code(release), "button": _(WATCHED_LABEL),
        "time": discord_timestamp(air_at, "F"), "relative": discord_timestamp(air_at, "R"),
    }
    if rating:
        text = _("📺 **{series}** {code} airs {time} ({relative}). Discuss it here — press **{button}** to mark it on your "
                 "`/progress`. Rate it with the stars below; the rating closes in a few days.", **values)
    else:
        text = _("📺 **{series}** {code} airs {time} ({relative}). Discuss it here — press **{button}** to mark it on your "
                 "`/progress`.", **values)
    return ping + text


def one_decimal(average: float) -> str:
    """An average as people round it: 4.25 → `4.3` (not float formatting's half-to-even `4.2`)."""
    return str(Decimal(repr(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def decimal_words(value: float | Decimal, *, half_up: bool = True) -> str:
    """A number to one decimal in the language being spoken: `4.3` (en), `4,3` (de, fr, es, pt).
    `half_up`: rounded as people do (one_decimal); else as float formatting does (`{:.1f}`)."""
    text = one_decimal(float(value)) if half_up else f"{value:.1f}"
    if current_locale() == ENGLISH:
        return text
    from babel.numbers import format_decimal

    return format_decimal(Decimal(text), format="0.0", locale=current_locale())


def closed_line(summary: RatingSummary | None) -> str:
    """What the starter says once the rating closed: the average to one decimal and the count."""
    if summary is None or summary.count == 0:
        return CLOSED_MARK + _("Rating closed — nobody rated this episode.")
    return CLOSED_MARK + ngettext("Rating closed — **{average}/5** from {members} member.",
                                  "Rating closed — **{average}/5** from {members} members.", summary.count,
                                  average=decimal_words(summary.average), members=number(summary.count))
