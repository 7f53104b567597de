"""/watchalong — a discussion thread for every episode of a series at the moment it airs: set, stop, list."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, literal
from bot.input.options import TextOption
from bot.search.finding import choices
from bot.search.series import find_series
from bot.wire.payloads import NO_PINGS
from cogs.watchalong.planner import WatchAlongPlanner
from cogs.watchalong.planning import MAX_DAYS
from db.repos.packs.changes import FactsChange
from db.repos.watchalong.settings import WatchAlong

if TYPE_CHECKING:
    from bot.client import FandexBot

SeriesTitle = app_commands.Transform[str, TextOption("series title", 1, 100)]
ThreadParent = discord.TextChannel | discord.ForumChannel


class ThreadParentOption(app_commands.Transformer):
    """A text or forum channel. Not the union annotation: discord.py would offer media channels too,
    a channel type Discord's spec for this option does not list (and a media post is not a watch-along)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.forum]

    async def transform(self, interaction: discord.Interaction, value: object, /) -> ThreadParent:
        resolved = value.resolve() if isinstance(value, app_commands.AppCommandChannel) else value
        if not isinstance(resolved, ThreadParent):
            raise UserFacingError("Pick a text channel or a forum channel for the threads. Nothing was changed.")
        return resolved

# What the bot needs where its threads go, by the name Discord shows for each permission.
# Read Message History: closing the rating reads the starter back before editing it.
TEXT_NEEDS = {"view_channel": "View Channel", "send_messages": "Send Messages",
              "create_public_threads": "Create Public Threads", "send_messages_in_threads": "Send Messages in Threads",
              "read_message_history": "Read Message History"}
FORUM_NEEDS = {"view_channel": "View Channel", "send_messages": "Send Messages (create posts)",
               "send_messages_in_threads": "Send Messages in Posts", "read_message_history": "Read Message History"}


def missing_permissions(channel: ThreadParent, me: discord.Member) -> list[str]:
    """What the bot lacks in `channel` to post a watch-along there, by Discord's names."""
    have = channel.permissions_for(me)
    needs = FORUM_NEEDS if isinstance(channel, discord.ForumChannel) else TEXT_NEEDS
    return [name for flag, name in needs.items() if not getattr(have, flag)]


@server_only
class WatchAlongCog(
    commands.GroupCog, group_name="watchalong",
    group_description="A discussion thread for every episode of a series, opened as it airs.",
):
    """Not `default_permissions` on the group: `/watchalong list` is for everyone; `set` and `stop`
    check Manage Server here, as `/spoilers server` does."""

    def __init__(self, bot: FandexBot, planner: WatchAlongPlanner) -> None:
        self.bot = bot
        self.store = bot.store
        self.planner = planner

    async def cog_load(self) -> None:
        self.store.facts.subscribe(self._facts_changed)

    async def cog_unload(self) -> None:
        self.store.facts.unsubscribe(self._facts_changed)

    async def _facts_changed(self, change: FactsChange) -> None:
        """Episodes moved, appeared or went (here or in another process): their threads follow."""
        await self.planner.replan_changed()

    async def _series(self, typed: str, guild_id: int) -> tuple[int, str]:
        series = await find_series(self.bot.directory, self.store, typed, guild_id)
        return series.id, series.title

    @app_commands.command(name="set", description="Open a thread for every episode of a series as it airs (Manage Server).")
    @app_commands.describe(
        series="The series",
        channel="A text channel (a thread under a message) or a forum (a post per episode)",
        role="A role to ping when the thread opens (default: no ping)",
        rating="Members rate each episode 1–5 in its thread (default: on)",
        days=f"How many days the rating stays open, 1–{MAX_DAYS} (default 7)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def set_(
        self, interaction: discord.Interaction, series: SeriesTitle,
        channel: app_commands.Transform[ThreadParent, ThreadParentOption],
        role: discord.Role | None = None, rating: bool = True, days: app_commands.Range[int, 1, MAX_DAYS] = 7,
    ) -> None:
        """Start (or replace) this server's watch-along of a series."""
        guild = interaction.guild
        assert guild is not None and interaction.guild_id is not None
        if not 1 <= days <= MAX_DAYS:
            raise UserFacingError(f"`days` is a whole number from 1 to {MAX_DAYS}. Nothing was changed.")
        if role is not None and role.is_default():
            raise UserFacingError("Pick a role to ping, not @everyone — or leave `role` out for no ping. Nothing was changed.")
        series_id, title = await self._series(series, interaction.guild_id)
        if missing := missing_permissions(channel, guild.me):
            where = "post in" if isinstance(channel, discord.ForumChannel) else "open threads in"
            raise UserFacingError(
                f"I can't {where} {channel.mention}: I'm missing **{'**, **'.join(missing)}** there. "
                "Grant them (or pick another channel) and try again. Nothing was changed."
            )
        if isinstance(channel, discord.ForumChannel) and channel.flags.require_tag:
            raise UserFacingError(
                f"{channel.mention} requires a tag on every post, and I post without one. Turn off “Require people "
                "to select tags when posting” there, or pick another channel. Nothing was changed."
            )
        silent = role is not None and not role.mentionable and not channel.permissions_for(guild.me).mention_everyone
        await interaction.response.defer(ephemeral=True, thinking=True)  # re-planning a busy server may take a moment
        now = discord.utils.utcnow()
        watch = WatchAlong(interaction.guild_id, series_id, channel.id, role.id if role else None, rating, days, interaction.user.id, now)
        before, _ = await self.planner.apply(interaction.guild_id, partial(self.store.watchalongs.set, watch))
        planned = [t for t in await self.store.watchalong_threads.of_guild(interaction.guild_id)
                   if t.posted_at is None and t.channel_id == channel.id and t.air_at >= now]
        lines = [f"Watch-along of **{literal(title)}** {'replaced' if before else 'set'}: {describe(watch)}."]
        if before is not None:
            lines.append(f"It replaces the previous one ({describe(before)}).")
        episodes = {r.id for r in await self.store.releases.for_series(series_id, interaction.guild_id)}
        ahead = [t for t in planned if t.release_id in episodes]
        if ahead:
            lines.append(f"{len(ahead)} episode thread(s) planned; the next opens {discord_timestamp(ahead[0].air_at, 'F')}.")
        else:
            lines.append("No episode with an exact air time is coming yet: threads open as soon as one is announced.")
        if silent and role is not None:
            lines.append(f"⚠️ {role.mention} is not mentionable and I lack **Mention @everyone, @here, and All Roles** in "
                         f"{channel.mention}: the starter will name it without notifying its members. Make the role "
                         "mentionable, or grant me that permission there.")
        await interaction.followup.send("\n".join(lines), ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(name="stop", description="Stop opening threads for a series (Manage Server).")
    @app_commands.describe(series="The series")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stop(self, interaction: discord.Interaction, series: SeriesTitle) -> None:
        """End this server's watch-along of a series; threads already open stay and still close."""
        assert interaction.guild_id is not None
        series_id, title = await self._series(series, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        stopped, _ = await self.planner.apply(interaction.guild_id, partial(self.store.watchalongs.stop, interaction.guild_id, series_id))
        if not stopped:
            raise UserFacingError(f"This server has no watch-along of **{literal(title)}**; `/watchalong list` shows them.")
        await interaction.followup.send(
            f"Watch-along of **{literal(title)}** stopped: no new threads. Threads already open stay, and their ratings still close.",
            ephemeral=True,
        )

    @app_commands.command(name="list", description="This server's watch-alongs.")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Which series open a thread per episode here, where, and how."""
        assert interaction.guild_id is not None
        titles = {s.id: s.title for s in await self.store.series.summaries(interaction.guild_id)}
        lines = [
            f"**{literal(titles[w.series_id])}**: {describe(w)}"
            for w in await self.store.watchalongs.of_guild(interaction.guild_id) if w.series_id in titles
        ]
        if not lines:
            lines = ["No watch-along in this server yet. A moderator (Manage Server) starts one with `/watchalong set`."]
        embed = discord.Embed(title="Watch-alongs in this server", description="\n".join(lines))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @set_.autocomplete("series")
    @stop.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(interaction.guild_id)
        return choices(index, index.complete(current[:100]))


def describe(watch: WatchAlong) -> str:
    """`threads in #ch, pinging @role, rating open 7 days` — one line of /watchalong list."""
    ping = f"pinging <@&{watch.role_id}>" if watch.role_id else "no ping"
    rating = f"rating open {watch.days} day(s)" if watch.rating else "no rating"
    return f"threads in <#{watch.channel_id}>, {ping}, {rating}"
