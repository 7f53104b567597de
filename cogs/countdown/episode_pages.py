"""One season's episodes as pages that fit a Discord embed — plain functions, no Discord, no store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.formatting import describe_date, discord_timestamp, literal, truncate
from cogs.countdown.guild_releases import GuildReleases, instant
from db.models import Release, ReleaseKind

PER_PAGE = 15  # at most ~190 characters a line: a page stays far under the description's 4,096
TITLE = 80  # an episode's own title, cut so a line never runs long


@dataclass(frozen=True, slots=True)
class EpisodePage:
    lines: list[str]
    page: int  # from 0
    pages: int
    total: int


def default_season(view: GuildReleases, series_id: int, now: datetime) -> int | None:
    """The season airing now or next (that of the series' next exact date), else the latest season with
    episodes listed, else the latest season known."""
    upcoming = view.next_up(now, series_id)
    if upcoming is not None and upcoming.season_number is not None:
        return upcoming.season_number
    numbers = view.season_numbers(series_id)
    listed = [n for n in numbers if view.season(series_id, n)]
    chosen = listed or numbers
    return chosen[-1] if chosen else None


def opening_page(episodes: list[Release], now: datetime, per_page: int = PER_PAGE) -> int:
    """The page holding the season's next episode to air (what a member of an airing show wants), else the first."""
    ahead = next((i for i, e in enumerate(episodes) if (moment := instant(e)) is not None and moment > now), None)
    return ahead // per_page if ahead is not None else 0


def episode_line(release: Release, now: datetime, role: str | None = None) -> str:
    """`**E05** — “Title” — <t:…:F> (<t:…:R>)`; a special is named so; a date not yet exact at its precision."""
    name = f"E{release.episode:02d}" if release.kind is ReleaseKind.EPISODE and release.episode is not None else "Special"
    title = f" — “{literal(truncate(release.episode_title, TITLE))}”" if release.episode_title else ""
    moment = instant(release)
    if moment is not None:
        when = f"{discord_timestamp(moment, 'F')} ({discord_timestamp(moment, 'R')})"
    else:
        when = describe_date(release.current.date) if release.current is not None else "date unknown"
    marker = f" · *{role}*" if role else ""
    return f"**{name}**{title} — {when}{marker}"


def season_page(episodes: list[Release], page: int, now: datetime, per_page: int = PER_PAGE) -> EpisodePage:
    """Page `page` (clamped to those there are) of a season's episodes, in the season's order; its first
    and last numbered episodes marked as premiere and finale."""
    pages = max(1, -(-len(episodes) // per_page))
    page = min(max(page, 0), pages - 1)
    numbered = [e for e in episodes if e.kind is ReleaseKind.EPISODE]
    roles = {numbered[0].id: "season premiere"} if numbered else {}
    if len(numbered) > 1:
        roles[numbered[-1].id] = "season finale"
    shown = episodes[page * per_page : (page + 1) * per_page]
    return EpisodePage([episode_line(e, now, roles.get(e.id)) for e in shown], page, pages, len(episodes))
