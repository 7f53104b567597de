"""/progress — how far a member has watched each series: theirs alone, in every server and in DMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import home_guild, user_installable
from bot.errors import UserFacingError
from bot.formatting import literal
from bot.i18n import N_, _, ngettext
from bot.input.autocomplete import choice, offered
from bot.input.options import TextOption
from bot.search.finding import choices
from bot.search.series import find_series
from bot.spoilers.positions import Position, PositionError, parse_position
from bot.spoilers.stored import progress_from_store, progress_to_store
from bot.spoilers.viewer import reader_position, releases_of
from cogs.spoilers.episodes import NOT_STARTED_CHOICE, NOTHING_CHANGED, check_episode, episode_choices

if TYPE_CHECKING:
    from bot.client import FandexBot

SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]
EpisodeText = app_commands.Transform[str, TextOption(N_("episode"), 1, 40)]


def _described(position: Position) -> str:
    return _("not started") if position.episode is None else _("watched up to {episode}", episode=position.episode)


@user_installable
class ProgressCog(
    commands.GroupCog, group_name="progress", group_description="How far you have watched: fandex shows you no more (only you see it)."
):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store

    @app_commands.command(name="set", description="Set how far you have watched a series; private replies show you up to there.")
    @app_commands.describe(series="The series", episode="The last episode you watched: S02E05, 2x05, or none")
    async def set_progress(self, interaction: discord.Interaction, series: SeriesTitle, episode: EpisodeText) -> None:
        """Keep your own position in a series; it holds in every server and in DMs."""
        found = await find_series(self.bot.directory, self.store, series, home_guild(interaction))
        try:
            position = parse_position(episode)
        except PositionError as error:
            raise UserFacingError(_(NOTHING_CHANGED, error=error)) from None
        if position.episode is not None:
            check_episode(found, position.episode)
        await self.store.viewer_progress.set(interaction.user.id, progress_to_store(found.id, position), discord.utils.utcnow())
        await interaction.response.send_message(
            _(
                "Your progress in **{series}**: {progress}. Private replies (and the “Show what I've watched” button) "
                "show you no more than that; `/progress clear` forgets it.",
                series=literal(found.title), progress=_described(position),
            ),
            ephemeral=True,
        )

    @app_commands.command(name="show", description="How far you have told fandex you have watched each series.")
    async def show(self, interaction: discord.Interaction) -> None:
        """List your own progress, series by series."""
        mine = await self.store.viewer_progress.of_user(interaction.user.id)
        titles = {s.id: s.title for s in await self.store.series.summaries(home_guild(interaction))}
        lines = [
            f"**{literal(titles[p.series_id])}** — {_described(progress_from_store(p))}" for p in mine if p.series_id in titles
        ]
        elsewhere = sum(1 for p in mine if p.series_id not in titles)
        if elsewhere:
            lines.append(ngettext(
                "…and {count} series of fandoms not followed here.", "…and {count} series of fandoms not followed here.", elsewhere,
            ))
        text = "\n".join(lines) if lines else _(
            "You have set no progress. `/progress set` keeps how far you have watched a series; until then, "
            "private replies follow the channel's spoiler setting (`/spoilers show`)."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="clear", description="Forget your progress in one series, or in every series.")
    @app_commands.describe(series="The series; leave it out to clear every series")
    async def clear(self, interaction: discord.Interaction, series: SeriesTitle | None = None) -> None:
        """Forget your progress; private replies then follow the channel's spoiler setting again."""
        if series is None:
            gone = await self.store.viewer_progress.clear(interaction.user.id)
            text = ngettext(
                "Cleared your progress in {count} series. Private replies follow the channel's spoiler setting.",
                "Cleared your progress in {count} series. Private replies follow the channel's spoiler setting.",
                gone,
            ) if gone else _("You had no progress set. Private replies follow the channel's spoiler setting.")
        else:
            found = await find_series(self.bot.directory, self.store, series, home_guild(interaction))
            gone = await self.store.viewer_progress.clear(interaction.user.id, found.id)
            name = literal(found.title)
            text = _(
                "Cleared your progress in **{series}**. Private replies follow the channel's spoiler setting.", series=name
            ) if gone else _("You had no progress set in **{series}**. Private replies follow the channel's spoiler setting.", series=name)
        await interaction.response.send_message(text, ephemeral=True)

    @set_progress.autocomplete("series")
    @clear.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(home_guild(interaction))
        return choices(index, index.complete(current[:100]))

    @set_progress.autocomplete("episode")
    async def episode_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The series' episodes; titles only up to where the member is (their progress, else the channel's)."""
        typed = getattr(interaction.namespace, "series", None)
        if not isinstance(typed, str) or not typed.strip():
            return episode_choices_for_nothing()
        try:
            found = await find_series(self.bot.directory, self.store, typed, home_guild(interaction))
        except UserFacingError:
            return episode_choices_for_nothing()
        position = await reader_position(
            self.store, home_guild(interaction), interaction.channel_id, interaction.user.id,
            found.id, releases_of(found), discord.utils.utcnow(),
        )
        return episode_choices(found, current[:40], position, offer_none=True)


def episode_choices_for_nothing() -> list[app_commands.Choice[str]]:
    """Before a series is chosen only `none` can be offered."""
    return offered([choice(_(NOT_STARTED_CHOICE), "none")])

