"""What a watch-along posts, as plain functions: the thread's name, the starter message's text while
the rating is open and once it closed. No Discord calls here; unit-tested as they are."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.formatting import discord_timestamp, literal
from db.facts.models import Release
from db.repos.watchalong.ratings import RatingSummary

THREAD_NAME = 100  # Discord's limit on a thread's (and a forum post's) name


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
    configured. No summary: the thread itself is where people talk about it."""
    ping = f"<@&{role_id}> " if role_id else ""
    ask = " Rate it with the stars below; the rating closes in a few days." if rating else ""
    return (
        f"{ping}📺 **{literal(series_title)}** {episode_code(release)} airs {discord_timestamp(air_at, 'F')} "
        f"({discord_timestamp(air_at, 'R')}). Discuss it here — press **I've watched** to mark it on your `/progress`.{ask}"
    )


def one_decimal(average: float) -> str:
    """An average as people round it: 4.25 → `4.3` (not float formatting's half-to-even `4.2`)."""
    return str(Decimal(repr(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def closed_line(summary: RatingSummary | None) -> str:
    """What the starter says once the rating closed: the average to one decimal and the count."""
    if summary is None or summary.count == 0:
        return "⭐ Rating closed — nobody rated this episode."
    members = "member" if summary.count == 1 else "members"
    return f"⭐ Rating closed — **{one_decimal(summary.average)}/5** from {summary.count} {members}."
