"""One season's episodes as pages that fit a Discord embed — plain functions, no Discord, no store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.formatting import describe_date, discord_timestamp, literal, truncate
from bot.i18n import _, ngettext
from bot.spoilers.airing import watched_releases
from bot.spoilers.positions import Position
from cogs.countdown.guild_releases import SEASON_FINALE, SEASON_PREMIERE, GuildReleases, instant
from db.facts.models import Release, ReleaseKind

PER_PAGE = 15  # at most ~190 characters a line: a page stays far under the description's 4,096
TITLE = 80  # an episode's own title, cut so a line never runs long


@dataclass(frozen=True, slots=True)
class EpisodePage:
    lines: list[str]
    page: int  # from 0
    pages: int
    total: int
    count: str  # what the season holds, as the footer says it: "6 episodes · 2 specials"


def default_season(view: GuildReleases, series_id: int, now: datetime) -> int | None:
    """Among the seasons whose episodes are listed (a bare episode count is no list): the one airing now
    or next (that of the series' next exact date in such a season), else the latest. None when no
    season lists its episodes."""
    listed = [n for n in view.season_numbers(series_id) if view.season(series_id, n)]
    if not listed:
        return None
    for release in view.in_order(now, series_id):
        moment = instant(release)
        if moment is None or moment <= now:
            break  # the upcoming exact dates come first; past this point nothing airs next
        if release.season_number in listed:
            return release.season_number
    return listed[-1]


def episode_count(episodes: list[Release]) -> str:
    """'6 episodes · 2 specials': numbered episodes as /series counts them, specials apart."""
    numbered = sum(1 for e in episodes if e.kind is ReleaseKind.EPISODE)
    specials = len(episodes) - numbered
    parts = [ngettext("{count} episode", "{count} episodes", numbered)] if numbered or not specials else []
    if specials:
        parts.append(ngettext("{count} special", "{count} specials", specials))
    return " · ".join(parts)


def opening_page(episodes: list[Release], now: datetime, per_page: int = PER_PAGE) -> int:
    """The page holding the season's next episode to air (what a member of an airing show wants), else the first."""
    ahead = next((i for i, e in enumerate(episodes) if (moment := instant(e)) is not None and moment > now), None)
    return ahead // per_page if ahead is not None else 0


def episode_line(release: Release, now: datetime, role: str | None = None, *, hidden: bool = False) -> str:
    """`**E05** — “Title” — <t:…:F> (<t:…:R>)`; a special is named so; a date not yet exact at its precision.
    `hidden` (an episode after the viewer's position): the title only inside spoiler bars."""
    name = f"E{release.episode:02d}" if release.kind is ReleaseKind.EPISODE and release.episode is not None else _("Special")
    quoted = f"“{literal(truncate(release.episode_title, TITLE))}”" if release.episode_title else ""
    title = f" — ||{quoted}||" if quoted and hidden else f" — {quoted}" if quoted else ""
    moment = instant(release)
    if moment is not None:
        when = f"{discord_timestamp(moment, 'F')} ({discord_timestamp(moment, 'R')})"
    else:
        when = describe_date(release.current.date) if release.current is not None else _("date unknown")
    marker = f" · *{_(role)}*" if role else ""
    return f"**{name}**{title} — {when}{marker}"


def season_page(episodes: list[Release], page: int, now: datetime, *, position: Position, per_page: int = PER_PAGE) -> EpisodePage:
    """Page `page` (clamped to those there are) of a season's episodes, in the season's order; its first
    and last numbered episodes marked as premiere and finale. An episode after `position` (the reader's)
    keeps its number and air time; its title goes in spoiler bars."""
    pages = max(1, -(-len(episodes) // per_page))
    page = min(max(page, 0), pages - 1)
    numbered = [e for e in episodes if e.kind is ReleaseKind.EPISODE]
    roles = {numbered[0].id: SEASON_PREMIERE} if numbered else {}  # translated in episode_line
    if len(numbered) > 1:
        roles[numbered[-1].id] = SEASON_FINALE
    watched = watched_releases(episodes, position)
    shown = episodes[page * per_page : (page + 1) * per_page]
    lines = [episode_line(e, now, roles.get(e.id), hidden=e.id not in watched) for e in shown]
    return EpisodePage(lines, page, pages, len(episodes), episode_count(episodes))
