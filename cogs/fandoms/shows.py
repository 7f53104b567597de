"""TVmaze fandoms on Discord's side: show choices within autocomplete's 3 s, and the summary of an added fandom."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import UTC, datetime

from discord import app_commands

from bot.embeds import Card
from bot.formatting import discord_timestamp, literal, truncate
from bot.i18n import _, ngettext
from bot.input.autocomplete import choice, offered
from bot.input.whole_numbers import read_whole_number
from bot.outside_links import source_page
from bot.search.matching import IndexEntry, NameIndex
from bot.search.name_forms import fold
from bot.spoilers.airing import watched_releases
from bot.spoilers.shown import barred_title
from bot.spoilers.viewer import reader_position, releases_of
from bot.tvmaze.addresses import TVMAZE_SITE
from bot.tvmaze.client import Asker, TvmazeClient
from bot.tvmaze.fandoms import FandomChange
from bot.tvmaze.pack import LICENCE, LICENCE_URL, SOURCE
from bot.tvmaze.records import Show, TvmazeError
from db import Store
from db.facts.models import Release, Series

log = logging.getLogger(__name__)

ANSWER_WITHIN = 2.5  # seconds from the keystroke to choices in hand: Discord drops an answer after 3
ROUND_TRIP = 0.5  # a search sent later than this before then would not be back in time: it is not sent
SEARCH_CACHE = 512  # queries remembered with their choices
Choice = app_commands.Choice[str]


def show_choice(show: Show) -> Choice | None:
    """`Severance (2022, Apple TV+)`: the name, premiere year and network, as far as known; the value is the id."""
    details = [str(show.premiered.year)] if show.premiered else []
    if show.channel is not None:
        details.append(" ".join(show.channel.name.split()))
    return choice(" ".join(show.name.split()), str(show.id), detail=f" ({', '.join(details)})" if details else "")


class KnownShows:
    """The TVmaze shows already on the bot, by their series' titles and aliases ("GoT", from a pack's
    `aliases:` or Wikidata): TVmaze's search knows no fan initialism, the bot's packs may. Built from the
    store once per facts revision."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._revision = -1
        self._index = NameIndex(())

    async def named(self, typed: str) -> list[Choice]:
        """The shows on the bot one of whose titles or aliases is `typed` (case, accents and punctuation aside)."""
        if self._revision != self._store.facts.revision:
            revision = self._store.facts.revision
            summaries = await self._store.series.summaries_by_pack()
            entries = [
                IndexEntry(show.show_id, series.title, name, "name" if name == series.title else "alias")
                for show in await self._store.tvmaze_shows.all()
                for series in summaries.get(show.pack_id, [])
                for name in (series.title, *series.aliases)
            ]
            self._index, self._revision = NameIndex(entries, strict=True), revision
        on_bot = " ({})".format(_("on this bot"))
        hits = self._index.exact_all(typed, 5)
        return offered(choice(" ".join((m.entry.label or "").split()), str(m.target), detail=on_bot) for m in hits)


class ShowChoices:
    """TVmaze search for autocomplete: answers within ANSWER_WITHIN of the keystroke, from TVmaze or from
    what was asked before (the longest cached query the typed text starts with); never raises. A member's
    search that cannot be sent in time, or that their next keystroke makes moot, is never sent. Shows on
    the bot that go by what was typed (`known`: "got" for Game of Thrones, aliased GoT) come right after
    TVmaze's hits of that very name, before its other hits."""

    def __init__(self, client: TvmazeClient) -> None:
        self._client = client
        self._cache: OrderedDict[str, list[Choice]] = OrderedDict()

    async def choices(self, typed: str, member: int, asked_at: datetime, known: KnownShows | None = None) -> list[Choice]:
        """Choices for what `member` typed in the interaction created at `asked_at`."""
        found = await self._searched(typed, member, asked_at)
        if known is None or not typed.strip():
            return found
        try:
            on_bot = await known.named(typed)
        except Exception:  # the store's trouble must not cost the member TVmaze's answer
            log.exception("the shows on this bot could not be asked for %r", typed)
            return found
        if not on_bot:
            return found
        key = fold(typed, keep_article=True)
        exact = [c for c in found if fold(c.name.rsplit(" (", 1)[0], keep_article=True) == key]
        ids = {c.value for c in on_bot}
        rest = [c for c in found if c not in exact and c.value not in ids]
        return [*[c for c in exact if c.value not in ids], *on_bot, *rest][:25]

    async def _searched(self, typed: str, member: int, asked_at: datetime) -> list[Choice]:
        query = " ".join(typed.split()).casefold()[:100]
        if not query or query in self._cache:
            self._client.typed_on(member)
            if query:
                self._cache.move_to_end(query)
            return self._cache.get(query, [])
        left = ANSWER_WITHIN - max((datetime.now(UTC) - asked_at).total_seconds(), 0.0)  # a clock behind Discord's gets no more
        asker = Asker(member, asyncio.get_running_loop().time() + left - ROUND_TRIP)
        try:
            hits = await asyncio.wait_for(self._client.search_shows(query, asker), max(left, 0.0))
        except (TvmazeError, TimeoutError) as exc:
            log.info("TVmaze search for %r gave nothing in time (%s); answering from the cache", query, exc)
            return self._nearest(query)
        found = offered(show_choice(hit.show) for hit in hits)
        self._cache[query] = found
        while len(self._cache) > SEARCH_CACHE:
            self._cache.popitem(last=False)
        return found

    def _nearest(self, query: str) -> list[Choice]:
        for end in range(len(query) - 1, 0, -1):
            if query[:end] in self._cache:
                return self._cache[query[:end]]
        return []


def show_id_of(typed: str) -> int | None:
    """The value autocomplete sends is the show id; a typed id works too."""
    return read_whole_number(typed, low=1, high=2**31 - 1)


def next_episode(series: Series, now: datetime) -> Release | None:
    upcoming = [
        (e.current.date.starts_at, e) for s in series.seasons for e in s.episode_list
        if e.current is not None and e.current.date.starts_at is not None and e.current.date.starts_at > now
    ]
    return min(upcoming, key=lambda pair: pair[0])[1] if upcoming else None


async def summary_card(
    store: Store, change: FandomChange, guild_id: int, reader: tuple[int | None, int], now: datetime
) -> Card:
    """What the server now follows: seasons, episodes, cast, the next episode, and the TVmaze citation.
    Only the moderator sees it: the next episode's title follows their position (`reader`: the channel,
    and their user id) — their own progress, else the channel's."""
    pack = next((p for p in await store.packs.all() if p.key == change.pack_key), None)
    card = Card(truncate(change.title, 200))
    if pack is None:
        return card.describe(_("The fandom is no longer on the bot."))
    summaries = (await store.series.summaries_by_pack()).get(pack.id, [])
    lines, source_url = [], None
    for summary in summaries:
        series = await store.series.get(summary.id, guild_id)
        if series is None:
            continue
        episodes = sum(len(s.episode_list) for s in series.seasons)
        line = _(
            "**{title}** — {seasons}, {episodes}, cast of {cast}", title=literal(series.title),
            seasons=ngettext("{count} season", "{count} seasons", len(series.seasons)),
            episodes=ngettext("{count} episode", "{count} episodes", episodes), cast=len(series.cast),
        )
        upcoming = next_episode(series, now)
        if upcoming is not None and upcoming.current is not None and upcoming.current.date.starts_at is not None:
            at = upcoming.current.date.starts_at
            every = releases_of(series)
            position = await reader_position(store, guild_id, reader[0], reader[1], series.id, every, now)
            named = literal(upcoming.label)
            if upcoming.episode_title and upcoming.id not in watched_releases(every, position):
                named = f"{literal(upcoming.title)} — {barred_title(upcoming.episode_title)}"
            line += "\n" + _(
                "Next: {episode} — {at} ({relative})", episode=named, at=discord_timestamp(at, "F"), relative=discord_timestamp(at, "R")
            )
        else:
            line += "\n" + _("No upcoming episode is dated yet.")
        lines.append(line)
        source_url = source_url or next((url for s in series.sources.values() if s.key == SOURCE and (url := source_page(s))), None)
    said = (
        _("**{title}** (`{key}`) is added to this bot and followed here.", title=literal(pack.title), key=pack.key) if change.new
        else _("**{title}** (`{key}`) is followed here.", title=literal(pack.title), key=pack.key)
    )
    card.describe(said, *lines)
    if source_url:
        card.url = source_url
    card.add(_("Source"), _(
        "Show data from [TVmaze](<{url}>), licensed [{licence}](<{licence_url}>). Dates and cast are kept in step with TVmaze.",
        url=source_url or TVMAZE_SITE, licence=LICENCE, licence_url=LICENCE_URL,
    ))
    return card
