"""/episodes: one season's episodes with their air times, a page at a time.

A season of a daily show has hundreds of episodes, more than any message holds; the reply shows one
page and Previous/Next buttons that only the member who asked may press. The buttons are
DynamicItems whose custom_id names the series, season, page and member, so they keep working after
a restart and hold no state of their own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import home_guild, user_installable
from bot.embeds import Card
from bot.errors import UserFacingError, handle_error
from bot.formatting import describe_date, literal
from bot.i18n import N_, _
from bot.i18n.formats import listing
from bot.i18n.items import SpeaksToPresser
from bot.input.options import TextOption
from bot.search.finding import SERIES_HINT, choices, find
from bot.spoilers.viewer import reply_position
from cogs.countdown.catalog import ReleaseCatalog
from cogs.countdown.episode_pages import EpisodePage, default_season, opening_page, season_page

if TYPE_CHECKING:
    from bot.client import FandexBot

SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]


class EpisodesCog(commands.Cog):
    def __init__(self, bot: FandexBot, catalog: ReleaseCatalog) -> None:
        self.bot = bot
        self.catalog = catalog

    @user_installable
    @app_commands.command(name="episodes", description="One season's episodes with their air times, in your own time zone.")
    @app_commands.describe(
        series="The series title, or another name it goes by",
        season="The season number (default: the one airing now or next, else the latest with episodes listed)",
    )
    async def episodes(
        self, interaction: discord.Interaction, series: SeriesTitle, season: app_commands.Range[int, 1, 9999] | None = None
    ) -> None:
        """A season's episodes, titles and air times; Previous/Next turn the pages of a long one."""
        index = await self.bot.directory.series(home_guild(interaction))
        series_id = find(index, series, "series", SERIES_HINT, guild_id=home_guild(interaction)).target
        title = index.label(series_id) or series
        embed, view = await self.page(interaction, series_id, title, season, None, interaction.user.id)
        await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING)

    @episodes.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(home_guild(interaction))
        return choices(index, index.complete(current[:100]))

    async def page(
        self, interaction: discord.Interaction, series_id: int, title: str, season: int | None, page: int | None, user_id: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """The embed for one page of a season (None: the page of its next episode), and its buttons when
        there is more than one page. The page is public, so titles go as far as the channel's position."""
        guild_id = home_guild(interaction)
        view = await self.catalog.view(guild_id)
        now = discord.utils.utcnow()
        seasons = view.season_numbers(series_id)
        number = season if season is not None else default_season(view, series_id, now)
        shown = f"**{literal(title)}**"
        if number is None and seasons:
            raise UserFacingError(_(
                "{title} has no episodes listed here yet, in any of its seasons ({seasons}). `/series` shows what is known of them.",
                title=shown, seasons=listing([str(n) for n in seasons]),
            ))
        if number is None:
            raise UserFacingError(_("{title} has no seasons or episodes listed here yet.", title=shown))
        if number not in seasons:
            raise UserFacingError(_(
                "{title} has no season {number}. Seasons here: {seasons}. Leave `season` empty for the current one.",
                title=shown, number=number, seasons=listing([str(n) for n in seasons]),
            ))
        episodes = view.season(series_id, number)
        if not episodes:
            release = next((r for r in view.in_order(now, series_id) if r.season_number == number and not r.is_episode), None)
            when = " " + _("The season: {date}.", date=describe_date(release.current.date)) if release and release.current else ""
            raise UserFacingError(_("No episodes of {title} season {number} are listed yet.", title=shown, number=number) + when)
        every = [e for n in seasons for e in view.season(series_id, n)]
        reader = None if guild_id is not None else user_id  # outside a server: the progress of the member who asked
        position = await reply_position(self.bot.store, guild_id, interaction.channel_id, reader, series_id, every, now)
        shaped = season_page(episodes, opening_page(episodes, now) if page is None else page, now, position=position)
        return _card(title, number, shaped), _buttons(series_id, number, shaped, user_id)

    async def turn(self, interaction: discord.Interaction, series_id: int, season: int, page: int, user_id: int) -> None:
        """A Previous/Next press: the member who asked gets the page; anyone else is told to ask themselves."""
        if interaction.user.id != user_id:
            raise UserFacingError(_("Only the member who ran this `/episodes` can turn its pages — run `/episodes` yourself to browse."))
        index = await self.bot.directory.series(home_guild(interaction))
        title = index.label(series_id)
        if title is None:
            raise UserFacingError(_("That series is no longer among the fandoms followed here."))
        embed, view = await self.page(interaction, series_id, title, season, page, user_id)
        await interaction.response.edit_message(embed=embed, view=view)


def _card(title: str, season: int, shaped: EpisodePage) -> discord.Embed:
    card = Card(_("{title} — season {number}", title=title, number=season)).describe(*shaped.lines)
    count = shaped.count
    if shaped.pages > 1:
        page = _("page {page} of {pages}", page=shaped.page + 1, pages=shaped.pages)
        return card.footer([count, page, _("Previous/Next show the rest")]).build()
    return card.footer([count]).build()


def _buttons(series_id: int, season: int, shaped: EpisodePage, user_id: int) -> discord.ui.View | None:
    if shaped.pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    last = shaped.pages - 1
    view.add_item(EpisodePageButton(series_id, season, max(shaped.page - 1, 0), user_id, _("Previous"), disabled=shaped.page == 0))
    view.add_item(EpisodePageButton(series_id, season, min(shaped.page + 1, last), user_id, _("Next"), disabled=shaped.page == last))
    return view


class EpisodePageButton(
    SpeaksToPresser,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"episodes:(?P<series>[0-9]{1,19}):(?P<season>[0-9]{1,4}):(?P<page>[0-9]{1,5}):(?P<user>[0-9]{1,19})",
):
    def __init__(
        self, series_id: int, season: int, page: int, user_id: int, label: str | None = None, *,
        disabled: bool = False, pressed: discord.ui.Button[Any] | None = None,
    ) -> None:
        super().__init__(pressed or discord.ui.Button(
            label=_("Next") if label is None else label, style=discord.ButtonStyle.secondary, disabled=disabled,
            custom_id=f"episodes:{series_id}:{season}:{page}:{user_id}",
        ))
        self.series_id, self.season, self.page, self.user_id = series_id, season, page, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EpisodePageButton:
        pressed = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["series"]), int(match["season"]), int(match["page"]), int(match["user"]), pressed=pressed)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            client = interaction.client
            cog = client.get_cog(EpisodesCog.__cog_name__) if isinstance(client, commands.bot.BotBase) else None
            if not isinstance(cog, EpisodesCog):
                raise RuntimeError("the countdown extension is not loaded")
            await cog.turn(interaction, self.series_id, self.season, self.page, self.user_id)
        except Exception as exc:
            await handle_error(interaction, exc)

