"""/watchalong — a discussion thread for every episode of a series at the moment it airs: set, stop, list."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.errors import UserFacingError, permission_label
from bot.formatting import discord_timestamp, literal
from bot.i18n import N_, _, ngettext
from bot.i18n.formats import listing
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

SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]
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
            raise UserFacingError(_("Pick a text channel or a forum channel for the threads. Nothing was changed."))
        return resolved

# What the bot needs where its threads go, by the name Discord shows for each permission.
# Read Message History: closing the rating reads the starter back before editing it.
TEXT_NEEDS = ("view_channel", "send_messages", "create_public_threads", "send_messages_in_threads", "read_message_history")
FORUM_NEEDS = ("view_channel", "send_messages", "send_messages_in_threads", "read_message_history")
# A forum names two of them after its posts.
FORUM_LABELS = {"send_messages": N_("Send Messages (create posts)"), "send_messages_in_threads": N_("Send Messages in Posts")}


def missing_permissions(channel: ThreadParent, me: discord.Member) -> list[str]:
    """What the bot lacks in `channel` to post a watch-along there, by Discord's names (in the reader's language)."""
    have = channel.permissions_for(me)
    forum = isinstance(channel, discord.ForumChannel)
    return [
        _(FORUM_LABELS[flag]) if forum and flag in FORUM_LABELS else permission_label(flag)
        for flag in (FORUM_NEEDS if forum else TEXT_NEEDS) if not getattr(have, flag)
    ]


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
            raise UserFacingError(_("`days` is a whole number from 1 to {most}. Nothing was changed.", most=MAX_DAYS))
        if role is not None and role.is_default():
            raise UserFacingError(_("Pick a role to ping, not @everyone — or leave `role` out for no ping. Nothing was changed."))
        series_id, title = await self._series(series, interaction.guild_id)
        if missing := missing_permissions(channel, guild.me):
            names = listing([f"**{name}**" for name in missing])
            if isinstance(channel, discord.ForumChannel):
                raise UserFacingError(_("I can't post in {channel}: I'm missing {permissions} there. Grant them (or pick "
                                        "another channel) and try again. Nothing was changed.",
                                        channel=channel.mention, permissions=names))
            raise UserFacingError(_("I can't open threads in {channel}: I'm missing {permissions} there. Grant them (or "
                                    "pick another channel) and try again. Nothing was changed.",
                                    channel=channel.mention, permissions=names))
        if isinstance(channel, discord.ForumChannel) and channel.flags.require_tag:
            raise UserFacingError(_(
                "{channel} requires a tag on every post, and I post without one. Turn off “Require people "
                "to select tags when posting” there, or pick another channel. Nothing was changed.", channel=channel.mention
            ))
        silent = role is not None and not role.mentionable and not channel.permissions_for(guild.me).mention_everyone
        await interaction.response.defer(ephemeral=True, thinking=True)  # re-planning a busy server may take a moment
        now = discord.utils.utcnow()
        watch = WatchAlong(interaction.guild_id, series_id, channel.id, role.id if role else None, rating, days, interaction.user.id, now)
        before, __ = await self.planner.apply(interaction.guild_id, partial(self.store.watchalongs.set, watch))
        planned = [t for t in await self.store.watchalong_threads.of_guild(interaction.guild_id)
                   if t.posted_at is None and t.channel_id == channel.id and t.air_at >= now]
        if before is not None:
            lines = [_("Watch-along of **{series}** replaced: {setting}.", series=literal(title), setting=describe(watch)),
                     _("It replaces the previous one ({setting}).", setting=describe(before))]
        else:
            lines = [_("Watch-along of **{series}** set: {setting}.", series=literal(title), setting=describe(watch))]
        episodes = {r.id for r in await self.store.releases.for_series(series_id, interaction.guild_id)}
        ahead = [t for t in planned if t.release_id in episodes]
        if ahead:
            lines.append(ngettext("{count} episode thread(s) planned; the next opens {time}.",
                                  "{count} episode thread(s) planned; the next opens {time}.", len(ahead),
                                  time=discord_timestamp(ahead[0].air_at, "F")))
        else:
            lines.append(_("No episode with an exact air time is coming yet: threads open as soon as one is announced."))
        if silent and role is not None:
            lines.append(_("⚠️ {role} is not mentionable and I lack **{permission}** in {channel}: the starter will name it "
                           "without notifying its members. Make the role mentionable, or grant me that permission there.",
                           role=role.mention, permission=permission_label("mention_everyone"), channel=channel.mention))
        await interaction.followup.send("\n".join(lines), ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(name="stop", description="Stop opening threads for a series (Manage Server).")
    @app_commands.describe(series="The series")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stop(self, interaction: discord.Interaction, series: SeriesTitle) -> None:
        """End this server's watch-along of a series; threads already open stay and still close."""
        assert interaction.guild_id is not None
        series_id, title = await self._series(series, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        stopped, __ = await self.planner.apply(interaction.guild_id, partial(self.store.watchalongs.stop, interaction.guild_id, series_id))
        if not stopped:
            raise UserFacingError(_("This server has no watch-along of **{series}**; `/watchalong list` shows them.",
                                    series=literal(title)))
        await interaction.followup.send(
            _("Watch-along of **{series}** stopped: no new threads. Threads already open stay, and their ratings still close.",
              series=literal(title)),
            ephemeral=True,
        )

    @app_commands.command(name="list", description="This server's watch-alongs.")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Which series open a thread per episode here, where, and how."""
        assert interaction.guild_id is not None
        titles = {s.id: s.title for s in await self.store.series.summaries(interaction.guild_id)}
        lines = [
            _("**{series}**: {setting}", series=literal(titles[w.series_id]), setting=describe(w))
            for w in await self.store.watchalongs.of_guild(interaction.guild_id) if w.series_id in titles
        ]
        if not lines:
            lines = [_("No watch-along in this server yet. A moderator ({permission}) starts one with `/watchalong set`.",
                       permission=permission_label("manage_guild"))]
        embed = discord.Embed(title=_("Watch-alongs in this server"), description="\n".join(lines))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @set_.autocomplete("series")
    @stop.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(interaction.guild_id)
        return choices(index, index.complete(current[:100]))


def describe(watch: WatchAlong) -> str:
    """`threads in #ch, pinging @role, rating open 7 days` — one line of /watchalong list."""
    role, channel = f"<@&{watch.role_id}>", f"<#{watch.channel_id}>"
    ping = _("pinging {role}", role=role) if watch.role_id else _("no ping")
    rating = ngettext("rating open {count} day(s)", "rating open {count} day(s)", watch.days) if watch.rating else _("no rating")
    return _("threads in {channel}, {ping}, {rating}", channel=channel, ping=ping, rating=rating)
