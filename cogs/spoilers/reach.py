"""/spoilers — how far public replies go: per server, per channel (Manage Server), and what is set where."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.errors import UserFacingError
from bot.formatting import literal
from bot.i18n import N_, _
from bot.input.options import TextOption
from bot.search.finding import choices
from bot.search.series import find_series
from bot.spoilers.positions import PositionError
from bot.spoilers.rules import DEFAULT_RULE, RuleKind, SpoilerRule, parse_rule
from bot.spoilers.stored import rule_from_store, rule_to_store
from cogs.spoilers.episodes import NOTHING_CHANGED, check_episode

if TYPE_CHECKING:
    from bot.client import FandexBot

SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]
UptoText = app_commands.Transform[str, TextOption(N_("upto"), 1, 40)]
DelayText = app_commands.Transform[str, TextOption(N_("delay"), 1, 40)]
# Where replies are read: text and voice channels and threads (a forum post is a thread; the OpenAPI spec knows no media channel type here).
SpoilerChannel = discord.TextChannel | discord.VoiceChannel | discord.Thread


@server_only
class SpoilersCog(
    commands.GroupCog, group_name="spoilers", group_description="How far public replies go in each series, per server and channel."
):
    """Not `default_permissions` on the group: `/spoilers show` is for everyone, and Discord takes
    default permissions on top-level commands only. `server` and `channel` check Manage Server here,
    as `/fandom follow` does."""

    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store

    async def _rule(self, series_title: str, upto: str, delay: str | None, guild_id: int) -> tuple[int, str, SpoilerRule]:
        found = await find_series(self.bot.directory, self.store, series_title, guild_id)
        try:
            rule = parse_rule(upto, delay)
        except PositionError as error:
            raise UserFacingError(_(NOTHING_CHANGED, error=error)) from None
        if rule.kind is RuleKind.EPISODE and rule.episode is not None:
            check_episode(found, rule.episode)
        return found.id, found.title, rule

    @app_commands.command(name="server", description="How far public replies go in a series, server-wide (Manage Server).")
    @app_commands.describe(
        series="The series",
        upto="aired (episodes count once aired, plus the delay), none, all, or an episode such as S02E05",
        delay="With aired: how long after an episode airs it counts as watched (default 7d)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def server(self, interaction: discord.Interaction, series: SeriesTitle, upto: UptoText, delay: DelayText | None = None) -> None:
        """Set this server's reach in a series; channels without an override follow it."""
        assert interaction.guild_id is not None
        series_id, title, rule = await self._rule(series, upto, delay, interaction.guild_id)
        stored = rule_to_store(series_id, None, rule)
        await self.store.spoiler_reach.set(interaction.guild_id, stored, interaction.user.id, discord.utils.utcnow())
        events = self.bot.services.events_replanning.current
        if events is not None:  # the server's Discord events name episodes as far as its reach
            await events.replan(interaction.guild_id)
        await interaction.response.send_message(
            _(
                "Public replies about **{series}** in this server now go: {reach}. A channel's override (`/spoilers channel`) comes first.",
                series=literal(title), reach=rule.describe(),
            ),
            ephemeral=True,
        )

    @app_commands.command(name="channel", description="How far public replies go in a series in one channel (Manage Server).")
    @app_commands.describe(
        channel="The channel (a spoiler channel, say)",
        series="The series",
        upto="aired (with the default 7d delay), none, all, or an episode such as S02E05",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def channel(
        self, interaction: discord.Interaction, channel: SpoilerChannel, series: SeriesTitle, upto: UptoText
    ) -> None:
        """Override the server's reach in a series for one channel."""
        assert interaction.guild_id is not None
        series_id, title, rule = await self._rule(series, upto, None, interaction.guild_id)
        stored = rule_to_store(series_id, channel.id, rule)
        await self.store.spoiler_reach.set(interaction.guild_id, stored, interaction.user.id, discord.utils.utcnow())
        await interaction.response.send_message(
            _(
                "Public replies about **{series}** in {channel} now go: {reach}.",
                series=literal(title), channel=channel.mention, reach=rule.describe(),
            ),
            ephemeral=True,
        )

    @app_commands.command(name="show", description="What public replies may reveal where, in this server.")
    async def show(self, interaction: discord.Interaction) -> None:
        """List this server's setting and each channel's override, per series; everything else follows the default."""
        assert interaction.guild_id is not None
        titles = {s.id: s.title for s in await self.store.series.summaries(interaction.guild_id)}
        lines = []
        for stored in await self.store.spoiler_reach.of_guild(interaction.guild_id):
            if stored.series_id not in titles:
                continue  # a fandom this server no longer follows
            title, reach = literal(titles[stored.series_id]), rule_from_store(stored).describe()
            if stored.channel_id is None:
                lines.append(_("**{series}** server-wide: {reach}", series=title, reach=reach))
            else:
                mention = f"<#{stored.channel_id}>"
                lines.append(_("**{series}** in {channel}: {reach}", series=title, channel=mention, reach=reach))
        default = _(
            "Everything else: {reach} — an episode counts as watched 7 days after it airs. "
            "Your own `/progress` applies to replies only you see.",
            reach=DEFAULT_RULE.describe(),
        )
        embed = discord.Embed(title=_("Spoilers in this server"), description="\n".join([*lines, default]))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @server.autocomplete("series")
    @channel.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(interaction.guild_id)
        return choices(index, index.complete(current[:100]))
