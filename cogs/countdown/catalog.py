"""Releases as one guild sees them, and finding one from what a member typed.

A guild's releases (tens of thousands when it follows a long-running show's episodes) are loaded and
indexed once per (facts revision, followed packs, the guild's own releases and dates) and reused by
every keystroke and command until one of those changes; guilds that see the same releases share one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from discord import app_commands

from bot.formatting import date_words, humanize_duration
from bot.i18n import _
from bot.input.autocomplete import choice, offered, reference, referenced, shorten
from bot.input.zones import shown_zone, zoned_time
from bot.search.matching import Match
from bot.spoilers.airing import AiredTimeline, key_visible, listed, watched_releases
from bot.spoilers.viewer import public_position, reader_position
from cogs.countdown.guild_releases import EPISODE_TITLE, GuildReleases, instant, parse_episode_code
from db import Store
from db.facts.dates import Precision
from db.facts.models import Release, ReleaseKind

log = logging.getLogger(__name__)

KEPT = 32  # distinct views kept ready (a view per set of followed packs, plus guilds with their own dates)
KEPT_RELEASES = 60_000  # …and at most this many releases across them: a 10,000-episode view holds ~30 MB
RELEASE = "release"  # what a reference (`release:12`) names: autocomplete's value for a title too long to be one
SUGGESTED = 3  # close titles a "did you mean" names
EPISODE_PART = 48  # of an episode's choice name: its code and its own title, before the series' name is cut
ViewKey = tuple[int, tuple[int, ...], int | None, tuple[tuple[object, ...], ...]]
Reader = tuple[int | None, int | None]  # (channel, user) shown to: a user's own progress, else (None) the channel's


class ReleaseCatalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._views: OrderedDict[ViewKey, GuildReleases] = OrderedDict()
        self._lock = asyncio.Lock()
        self._series_names: dict[int, list[str]] = {}
        self._names_revision = -1
        # Per view (shared by every guild that sees the same releases) and series: when each episode
        # airs, built once, so a keystroke's position is a binary search, not a scan of the series.
        self._aired: weakref.WeakKeyDictionary[GuildReleases, dict[int, AiredTimeline]] = weakref.WeakKeyDictionary()

    async def view(self, guild_id: int | None) -> GuildReleases:
        """The guild's releases, indexed: from memory unless the facts, its fandoms or its own dates changed."""
        key = await self._key(guild_id)
        found = self._views.get(key)
        if found is not None:
            self._views.move_to_end(key)
            return found
        async with self._lock:
            key = await self._key(guild_id)
            found = self._views.get(key)
            if found is None:
                found = await self._build(guild_id)
                self._views[key] = found
                while len(self._views) > 1 and (
                    len(self._views) > KEPT or sum(len(v) for v in self._views.values()) > KEPT_RELEASES
                ):
                    self._views.popitem(last=False)
        return found

    async def _key(self, guild_id: int | None) -> ViewKey:
        marks = await self._store.releases.guild_marks(guild_id)
        # A guild with nothing of its own sees exactly what any guild following the same packs sees.
        return (self._store.facts.revision, await self._store.fandoms.visible(guild_id), guild_id if marks else None, marks)

    async def _build(self, guild_id: int | None) -> GuildReleases:
        started = time.perf_counter()
        if self._names_revision != self._store.facts.revision:
            revision = self._store.facts.revision
            self._series_names = await self._store.releases.series_aliases()
            self._names_revision = revision
        releases = await self._store.releases.visible(guild_id)
        view = await asyncio.to_thread(GuildReleases, releases, self._series_names)
        log.info("release index built: %d releases in %.1f ms", len(view), (time.perf_counter() - started) * 1000)
        return view

    async def visible(self, guild_id: int | None) -> list[Release]:
        return (await self.view(guild_id)).releases

    async def exact(self, guild_id: int | None, typed: str) -> Release | None:
        """The release whose title (or "<series> season N", or "<series> s2e5") is exactly what was typed,
        ignoring case — never an episode found by its own title alone."""
        view = await self.view(guild_id)
        if (referred := referenced(RELEASE, typed)) is not None:
            return view.by_id.get(referred)
        code = parse_episode_code(typed)
        if code is not None and (episode := view.episode(code, exact=True)) is not None:
            return episode
        match = view.names.exact(typed)
        if match is None or match.entry.kind == "episode title":
            return None
        return view.by_id[match.target]

    async def resolve(
        self, guild_id: int | None, typed: str, *, reader: Reader, now: datetime | None = None
    ) -> tuple[Release | None, list[str]]:
        """The release meant, or None and up to three close titles. An episode past the reader's position
        is found by its code or series, never by its own title, and no suggestion comes from that title
        (either would tie the title to the episode): as autocomplete does."""
        view = await self.view(guild_id)
        if (referred := referenced(RELEASE, typed)) is not None and referred in view.by_id:
            return view.by_id[referred], []
        code = parse_episode_code(typed)
        if code is not None and (episode := view.episode(code)) is not None:
            return episode, []
        moment = now or datetime.now(UTC)
        meant = view.names.resolve(typed)
        hidden = await self._hidden_titles(view, guild_id, reader, meant, moment)
        if (match := next((m for m in meant if m not in hidden), None)) is not None:
            return view.by_id[match.target], []
        close = view.names.suggest(typed, SUGGESTED * 2)
        hidden = await self._hidden_titles(view, guild_id, reader, close, moment)
        return None, list(dict.fromkeys(m.entry.label for m in close if m not in hidden))[:SUGGESTED]

    async def _hidden_titles(
        self, view: GuildReleases, guild_id: int | None, reader: Reader, matches: Sequence[Match], now: datetime
    ) -> list[Match]:
        """The matches made by the own title of an episode (or special) past the reader's position."""
        by_title = [m for m in matches if by_own_title(m, view.by_id[m.target])]
        if not by_title:
            return []
        unwatched = await self.unwatched(guild_id, reader, [view.by_id[m.target] for m in by_title], now, view=view)
        return [m for m in by_title if m.target in unwatched]

    async def choices(
        self, guild_id: int | None, typed: str, *, reader: Reader, own_only: bool = False, now: datetime | None = None
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete choices, upcoming episodes and releases soonest first; `own_only` keeps the
        releases this guild added or moved. An episode past the reader's position is offered by its code
        and time only: Discord shows a choice as it is, so its title cannot go in spoiler bars."""
        view = await self.view(guild_id)
        moment = now or datetime.now(UTC)
        if own_only:
            found = [r for r in view.complete(typed[:100], moment, limit=len(view)) if is_own(r)][:25]
        else:
            found = view.complete(typed[:100], moment)
        zone = await shown_zone(self._store, guild_id)
        unwatched = await self.unwatched(guild_id, reader, found, moment, view=view)
        if unwatched:  # a later episode is not found by its title either: that would name it
            unwatched_by_title = unwatched & view.found_by_title_alone(typed[:100])
            found = [r for r in found if r.id not in unwatched_by_title]
        return offered(release_choice(r, moment, zone, untitled=r.id in unwatched) for r in found)

    async def unwatched(
        self, guild_id: int | None, reader: Reader, found: Sequence[Release], now: datetime, *, view: GuildReleases | None = None
    ) -> set[int]:
        """The ids among `found` (a few releases, not the index) of the titled episodes past the position
        of `reader` — a member's own progress, else the channel's; with no member (user None) the
        channel's, as a public post uses: one position per series among them, each a lookup and a
        binary search. In no channel (a DM), the channel's position is the default."""
        view = view or await self.view(guild_id)
        channel_id, user_id = reader
        timelines = self._aired.setdefault(view, {})
        positions = {}
        out: set[int] = set()
        for release in found:
            series_id, season = release.series_id, release.season_number
            if not release.is_episode or not release.episode_title or series_id is None or season is None:
                continue
            if series_id not in positions:
                if series_id not in timelines:
                    every = [e for n in view.season_numbers(series_id) for e in view.season(series_id, n)]
                    timelines[series_id] = AiredTimeline(listed(every))
                positions[series_id] = (
                    await public_position(self._store, guild_id, channel_id, series_id, timelines[series_id], now)
                    if user_id is None
                    else await reader_position(self._store, guild_id, channel_id, user_id, series_id, timelines[series_id], now)
                )
            position = positions[series_id]
            if release.kind is ReleaseKind.EPISODE and release.episode is not None:
                watched = key_visible((season, release.episode, 0), position)
            else:  # a special's place depends on its season's episodes
                watched = release.id in watched_releases(view.season(series_id, season), position)
            if not watched:
                out.add(release.id)
        return out


def by_own_title(match: Match, release: Release) -> bool:
    """Whether `match` fits an episode's own title: an episode's title entry, or a special's name (its
    label, which holds its title)."""
    return match.entry.kind == EPISODE_TITLE or (release.kind is ReleaseKind.SPECIAL and bool(release.episode_title))


def is_own(release: Release) -> bool:
    """Added by this guild, or moved by it."""
    return release.guild_id is not None or bool(release.current and release.current.guild_id)


def release_choice(
    release: Release, now: datetime, zone: ZoneInfo, *, untitled: bool = False
) -> app_commands.Choice[str] | None:
    """`Show S2E05 — “Title” · Fri 14 Mar 21:00 CET · in 3 days`: what, when (in `zone`, the server's, and
    saying so) and how soon; the name gives way before when (Discord allows 100 characters). `untitled`
    (an episode past the reader's position): `Show S2E05 · …`, its own title left out."""
    when = release_when(release, now, zone)
    value = release.label if release.kind is ReleaseKind.SPECIAL else release.title
    if untitled and release.kind is ReleaseKind.SPECIAL:  # its label holds its title: the value becomes what the box shows
        value = reference(RELEASE, release.id)
    series, code = release.title.rpartition(" S")[::2] if release.is_episode else ("", "")
    if not series:  # not an episode: the title gives way before when it is
        return choice(release.title if untitled else release.label, value, detail=f" · {when}", ref=reference(RELEASE, release.id))
    # An episode: the series' name gives way first, so a long one still shows which episode and when.
    titled = release.episode_title and not untitled
    episode = shorten(f" S{code}" + (f" — “{release.episode_title}”" if titled else ""), EPISODE_PART)
    return choice(series, value, detail=f"{episode} · {when}", ref=reference(RELEASE, release.id))


def release_when(release: Release, now: datetime, zone: ZoneInfo) -> str:
    """An exact time in `zone`, labelled, and how soon when ahead; a date known only to the day or less
    as it was announced (it has no time of day to convert)."""
    current, moment = release.current, instant(release)
    if current is None:
        return _("date unknown")
    exact = moment is not None and current.date.precision is Precision.EXACT
    shown = zoned_time(moment, zone, now) if exact and moment is not None else date_words(current.date)
    if moment is not None and moment > now:
        soon = _("in {duration}", duration=humanize_duration(moment - now, 1))
        return f"{shown} · {soon}" if exact else soon
    return shown
