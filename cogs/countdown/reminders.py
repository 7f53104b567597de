"""/reminders subscribe, unsubscribe and list — premiere reminders posted in a channel."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.embeds import Card
from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, literal
from bot.input.durations import DurationError, format_duration, parse_offsets
from bot.input.options import TextOption
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.wanted_timers import CHANNEL_REMINDER, HORIZON

if TYPE_CHECKING:
    from bot.client import FandexBot

DEFAULT_OFFSETS = "7d,1d,1h,0"
OffsetsText = app_commands.Transform[str, TextOption("offsets", 1, 100)]
NEEDED = ("view_channel", "send_messages", "embed_links")


def offsets_text(offsets: tuple[int, ...]) -> str:
    """(604800, 86400, 0) → '7d, 1d before and at the start'."""
    before = ", ".join(format_duration(o) for o in offsets if o)
    parts = [f"{before} before"] if before else []
    if 0 in offsets:
        parts.append("at the start")
    return " and ".join(parts)


def what_reminded(episodes: bool) -> str:
    return "every episode" if episodes else "premieres only"


def missing_permissions(channel: discord.abc.GuildChannel | app_commands.AppCommandChannel) -> list[str]:
    """What the bot lacks to post in `channel`, judged from the cached overwrites and roles."""
    guild = getattr(channel, "guild", None)
    me = guild.me if guild is not None else None
    if me is None or not isinstance(channel, discord.abc.GuildChannel):
        return []  # not cached: the first post will tell, and a failure disables the subscription
    allowed = channel.permissions_for(me)
    return [p.replace("_", " ").title() for p in NEEDED if not getattr(allowed, p)]


@server_only
@app_commands.default_permissions(manage_guild=True)
class RemindersCog(
    commands.GroupCog, group_name="reminders", group_description="Premiere or episode reminders in a channel (Manage Server)."
):
    def __init__(self, bot: FandexBot, planner: ReminderPlanner) -> None:
        self.bot = bot
        self.store = bot.store
        self.planner = planner

    @app_commands.command(name="subscribe", description="Post a reminder in a channel before every dated release.")
    @app_commands.describe(
        channel="Where reminders are posted",
        role="A role to ping with each reminder (nobody is pinged without one)",
        offsets="When, before each release: e.g. 7d,1d,1h,0 (the default); units s m h d w",
        episodes="Every episode too (on), or only series and season premieres (off, the default)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def subscribe(
        self, interaction: discord.Interaction, channel: discord.TextChannel,
        role: discord.Role | None = None, offsets: OffsetsText | None = None, episodes: bool | None = None,
    ) -> None:
        """Remind the channel at each offset before every exact-dated premiere (or every episode), now and added later."""
        assert interaction.guild_id is not None
        try:
            parsed = parse_offsets(offsets or DEFAULT_OFFSETS)
        except DurationError as exc:
            raise UserFacingError(str(exc)) from None
        if role is not None and (role.is_default() or role.id == interaction.guild_id):
            raise UserFacingError("Reminders never ping @everyone. Pick a role members can opt into, or no role.")
        if missing := missing_permissions(channel):
            raise UserFacingError(f"I can't post in {channel.mention}: I need {', '.join(missing)} there.")
        now = discord.utils.utcnow()
        (sub, created), _ = await self.planner.apply(
            interaction.guild_id,
            partial(self.store.subscriptions.upsert,
                    interaction.guild_id, channel.id, role.id if role else None, parsed, interaction.user.id, now, episodes),
        )
        pending = await self.store.timers.of_guild(interaction.guild_id, CHANNEL_REMINDER)
        mine = [t for t in pending if t.payload["subscription_id"] == sub.id]
        next_one = f" The next is {discord_timestamp(mine[0].due_at, 'R')}." if mine else ""
        who = f"pinging {role.mention}" if role else "pinging nobody"
        verb = "Subscribed" if created else "Updated"
        await interaction.response.send_message(
            f"{verb} {channel.mention}: reminders {offsets_text(parsed)} of {what_reminded(sub.episodes)}, {who}. "
            f"{len(mine)} reminder(s) scheduled for the next {HORIZON.days} days (later ones are added as they come near)."
            f"{next_one}",
            ephemeral=True,
        )

    @app_commands.command(name="unsubscribe", description="Stop posting reminders in a channel.")
    @app_commands.describe(channel="The channel to stop reminding")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def unsubscribe(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Remove the channel's subscription and its pending reminders."""
        assert interaction.guild_id is not None
        removed, plan = await self.planner.apply(
            interaction.guild_id, partial(self.store.subscriptions.remove, interaction.guild_id, channel.id)
        )
        if removed is None:
            raise UserFacingError(f"{channel.mention} has no reminders to stop. `/reminders list` shows which do.")
        await interaction.response.send_message(
            f"Unsubscribed {channel.mention}; {plan.cancelled} pending reminder(s) cancelled.", ephemeral=True
        )

    @app_commands.command(name="list", description="This server's reminder channels, their state and what's next.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def list_subscriptions(self, interaction: discord.Interaction) -> None:
        """Each subscription: channel, role, offsets, and whether it works — or why it was disabled."""
        assert interaction.guild_id is not None
        subs = await self.store.subscriptions.of_guild(interaction.guild_id)
        card = Card("Reminder subscriptions")
        if not subs:
            card.describe("None yet. Start one with `/reminders subscribe`.")
        pending = await self.store.timers.of_guild(interaction.guild_id, CHANNEL_REMINDER)
        counts = Counter(t.payload["subscription_id"] for t in pending)
        first: dict[int, datetime] = {}
        for timer in pending:
            first.setdefault(timer.payload["subscription_id"], timer.due_at)
        lines = []
        for sub in subs:
            who = f"<@&{sub.role_id}>" if sub.role_id else "nobody"
            head = f"<#{sub.channel_id}> — {what_reminded(sub.episodes)} — pings {who} — {offsets_text(sub.offsets)}"
            if sub.active:
                nxt = f", next {discord_timestamp(first[sub.id], 'R')}" if sub.id in first else ""
                lines.append(f"✅ {head}\n   active: {counts[sub.id]} pending{nxt}")
            else:
                since = discord_timestamp(sub.disabled_at, "R") if sub.disabled_at else "earlier"
                lines.append(
                    f"⚠️ {head}\n   **disabled** {since}: {literal(sub.disabled_reason or 'unknown')}. "
                    "Fix the channel's permissions, then `/reminders subscribe` it again."
                )
        if lines:
            card.describe(*lines)
        await interaction.response.send_message(embed=card.build(), ephemeral=True)
