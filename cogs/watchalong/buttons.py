"""The buttons under a watch-along's starter message: "I've watched" and the five stars.

DynamicItems whose custom ids name only the episode (and the stars), so they work on every starter
ever posted, after any restart, with nothing registered per thread; the guild and member come from
the press. Each answers privately, within Discord's three seconds (one store write, no defer); star
presses share group commits and read nothing per press (see `rate`)."""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from collections import OrderedDict
from typing import Any

import discord

from bot.client import FandexBot
from bot.errors import UserFacingError, handle_error
from bot.formatting import literal
from bot.i18n import N_, _
from bot.i18n.items import SpeaksToPresser
from cogs.watchalong.starter import WATCHED_LABEL, episode_code
from db.facts.models import Release, ReleaseKind
from db.repos.watchalong.ratings import RatingClosed

STARS = range(1, 6)
GONE = N_("This episode is no longer in the fandoms this server follows.")
CLOSED = N_("The rating of this episode has closed; `/ratings` shows how the server rated it.")
EPISODE_CACHE = 1_000  # episodes kept for star presses (per bot)
EPISODE_TTL = 300.0  # seconds one is kept before it is read again


def watched_id(release_id: int) -> str:
    return f"fandex:wa:watched:{release_id}"


def rate_id(release_id: int, stars: int) -> str:
    return f"fandex:wa:rate:{release_id}:{stars}"


def starter_view(release_id: int, *, rating: bool, closed: bool = False) -> discord.ui.View:
    """"I've watched", and with `rating` the five stars — disabled once the rating `closed`. Its label in
    the language being spoken: the server's, as the starter it goes under."""
    view = discord.ui.View(timeout=None)
    view.add_item(WatchedButton(release_id))
    if rating:
        for stars in STARS:
            view.add_item(RateButton(release_id, stars, disabled=closed))
    return view


def _bot(interaction: discord.Interaction) -> FandexBot:
    bot = interaction.client
    if not isinstance(bot, FandexBot):
        raise TypeError(f"{type(bot).__name__} is not a FandexBot")
    return bot


async def _episode(bot: FandexBot, interaction: discord.Interaction, release_id: int) -> Release:
    release = await bot.store.releases.get(release_id, interaction.guild_id)
    if (release is None or release.kind is not ReleaseKind.EPISODE or release.series_id is None
            or release.season_number is None or release.episode is None):  # renumbered away by a re-import
        raise UserFacingError(_(GONE))
    return release


class WatchedButton(
    SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fandex:wa:watched:(?P<release>[0-9]{1,19})"
):
    def __init__(self, release_id: int, *, pressed: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(pressed or discord.ui.Button(
            label=_(WATCHED_LABEL), emoji="✅", style=discord.ButtonStyle.success, custom_id=watched_id(release_id)
        ))
        self.release_id = release_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> WatchedButton:
        return cls(int(match["release"]), pressed=item if isinstance(item, discord.ui.Button) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await mark_watched(interaction, self.release_id)
        except Exception as exc:
            await handle_error(interaction, exc)


class RateButton(
    SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fandex:wa:rate:(?P<release>[0-9]{1,19}):(?P<stars>[1-5])"
):
    def __init__(self, release_id: int, stars: int, *, disabled: bool = False, pressed: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(pressed or discord.ui.Button(
            label=str(stars), emoji="⭐", style=discord.ButtonStyle.secondary, custom_id=rate_id(release_id, stars),
            disabled=disabled,
        ))
        self.release_id, self.stars = release_id, stars

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RateButton:
        return cls(int(match["release"]), int(match["stars"]), pressed=item if isinstance(item, discord.ui.Button) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await rate(interaction, self.release_id, self.stars)
        except Exception as exc:
            await handle_error(interaction, exc)


async def mark_watched(interaction: discord.Interaction, release_id: int) -> None:
    """Move the presser's /progress to this episode when it is later than where they are; never back."""
    bot = _bot(interaction)
    release = await _episode(bot, interaction, release_id)
    assert release.series_id is not None and release.season_number is not None and release.episode is not None  # _episode checked
    now = discord.utils.utcnow()
    moved = await bot.store.viewer_progress.advance(
        interaction.user.id, release.series_id, release.season_number, release.episode, now
    )
    code = episode_code(release)
    shown = (await bot.directory.index("series", interaction.guild_id)).label(release.series_id)
    series = literal(shown) if shown else _("this series")
    if moved:
        text = _("Marked **{code}** as watched: your `/progress` in **{series}** is now {code}.", code=code, series=series)
    else:
        text = _("Your `/progress` in **{series}** is already at {code} or later, so it stays where it is.",
                 code=code, series=series)
    await interaction.response.send_message(text, ephemeral=True)


async def rate(interaction: discord.Interaction, release_id: int, stars: int) -> None:
    """One changeable rating per member while the episode's rating is open.

    No read before the write but a cached episode: whether the rating is open is checked by the
    store in the same transaction as the write (a press racing the close cannot slip in after it)."""
    bot = _bot(interaction)
    if interaction.guild_id is None:
        raise UserFacingError(_("Ratings are kept per server: rate in the server's thread."))
    release = await _rated_episode(bot, interaction, release_id)
    try:
        previous = await bot.store.episode_ratings.rate(
            interaction.guild_id, release.id, interaction.user.id, stars, discord.utils.utcnow()
        )
    except RatingClosed:
        raise UserFacingError(_(CLOSED)) from None
    code = episode_code(release)
    if previous is None:
        text = _("You rated **{code}** {stars}/5. Press another star to change it until the rating closes.",
                 code=code, stars=stars)
    elif previous == stars:
        text = _("You had already rated **{code}** {stars}/5.", code=code, stars=stars)
    else:
        text = _("You rated **{code}** {stars}/5 (changed from {previous}/5).", code=code, stars=stars, previous=previous)
    await interaction.response.send_message(text, ephemeral=True)


class _EpisodeCache:
    """Episodes found for star presses, per server, for a few minutes: a thousand members rating the
    episode that just aired then cost one release read, not a thousand (the first presses, arriving
    together, share that read). Only episodes found are kept (GONE is read afresh), and briefly, so a
    fandom unfollowed or an episode renumbered shows soon."""

    def __init__(self, size: int = EPISODE_CACHE, ttl: float = EPISODE_TTL) -> None:
        self._size, self._ttl = size, ttl
        self._found: OrderedDict[tuple[int | None, int], tuple[float, Release]] = OrderedDict()
        self._loading: dict[tuple[int | None, int], asyncio.Task[Release]] = {}

    async def get(self, bot: FandexBot, interaction: discord.Interaction, release_id: int) -> Release:
        key = (interaction.guild_id, release_id)
        hit = self._found.get(key)
        if hit is not None and hit[0] > time.monotonic():
            self._found.move_to_end(key)
            return hit[1]
        loading = self._loading.get(key)
        if loading is None:
            loading = self._loading[key] = asyncio.create_task(self._load(bot, interaction, key))
        return await asyncio.shield(loading)  # one press given up on must not cancel the others' read

    async def _load(self, bot: FandexBot, interaction: discord.Interaction, key: tuple[int | None, int]) -> Release:
        try:
            release = await _episode(bot, interaction, key[1])
        finally:
            self._loading.pop(key, None)
        self._found[key] = (time.monotonic() + self._ttl, release)
        self._found.move_to_end(key)
        while len(self._found) > self._size:
            self._found.popitem(last=False)
        return release


_caches: weakref.WeakKeyDictionary[FandexBot, _EpisodeCache] = weakref.WeakKeyDictionary()  # one per bot (and store)


async def _rated_episode(bot: FandexBot, interaction: discord.Interaction, release_id: int) -> Release:
    cache = _caches.get(bot)
    if cache is None:
        cache = _caches[bot] = _EpisodeCache()
    return await cache.get(bot, interaction, release_id)
