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
from bot.errors import UserFacingError, permission_label
from bot.formatting import discord_timestamp, literal
from bot.i18n import N_, _, ngettext
from bot.i18n.formats import listing, number
from bot.input.durations import DurationError, format_duration, parse_offsets
from bot.input.options import TextOption
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.wanted_timers import CHANNEL_REMINDER, HORIZON

if TYPE_CHECKING:
    from bot.client import FandexBot

DEFAULT_OFFSETS = "7d,1d,1h,0"
OffsetsText = app_commands.Transform[str, TextOption(N_("offsets"), 1, 100)]
# What the bot needs in a reminder channel, named as this command always named them.
NEEDED = ("view_channel", "send_messages", "embed_links")
EVERY_EPISODE = N_("every episode")
PREMIERES_ONLY = N_("premieres only")
LOST_ACCESS = "lost access to the channel: "  # how Delivery.lose_channel's stored reason begins


def offsets_text(offsets: tuple[int, ...]) -> str:
    """(604800, 86400, 0) → '7d, 1d before and at the start'."""
    before = listing([format_duration(o) for o in offsets if o])
    if before and 0 in offsets:
        return _("{durations} before and at the start", durations=before)
    if before:
        return _("{durations} before", durations=before)
    return _("at the start") if 0 in offsets else ""


def what_reminded(episodes: bool) -> str:
    return _(EVERY_EPISODE) if episodes else _(PREMIERES_ONLY)


def disabled_reason(reason: str | None) -> str:
    """Why a subscription was disabled, as stored (English): its fixed part in the reader's language."""
    if not reason:
        return _("unknown")
    if reason.startswith(LOST_ACCESS):
        return _("lost access to the channel: {error}", error=literal(reason.removeprefix(LOST_ACCESS)))
    return literal(reason)


def missing_permissions(channel: discord.abc.GuildChannel | app_commands.AppCommandChannel) -> list[str]:
    """What the bot lacks to post in `channel`, judged from the cached overwrites and roles."""
    guild = getattr(channel, "guild", None)
    me = guild.me if guild is not None else None
    if me is None or not isinstance(channel, discord.abc.GuildChannel):
        return []  # not cached: the first post will tell, and a failure disables the subscription
    allowed = channel.permissions_for(me)
    return [permission_label(p) for p in NEEDED if not getattr(allowed, p)]


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
            raise UserFacingError(_("Reminders never ping @everyone. Pick a role members can opt into, or no role."))
        if missing := missing_permissions(channel):
            raise UserFacingError(
                _("I can't post in {channel}: I need {permissions} there.", channel=channel.mention, permissions=listing(missing))
            )
        now = discord.utils.utcnow()
        (sub, created), __ = await self.planner.apply(
            interaction.guild_id,
            partial(self.store.subscriptions.upsert,
                    interaction.guild_id, channel.id, role.id if role else None, parsed, interaction.user.id, now, episodes),
        )
        pending = await self.store.timers.of_guild(interaction.guild_id, CHANNEL_REMINDER)
        mine = [t for t in pending if t.payload["subscription_id"] == sub.id]
        next_one = " " + _("The next is {relative}.", relative=discord_timestamp(mine[0].due_at, "R")) if mine else ""
        who = _("pinging {role}", role=role.mention) if role else _("pinging nobody")
        when = offsets_text(parsed)
        if created and sub.episodes:
            done = _("Subscribed {channel}: reminders {when} of every episode, {who}.", channel=channel.mention, when=when, who=who)
        elif created:
            done = _("Subscribed {channel}: reminders {when} of premieres only, {who}.", channel=channel.mention, when=when, who=who)
        elif sub.episodes:
            done = _("Updated {channel}: reminders {when} of every episode, {who}.", channel=channel.mention, when=when, who=who)
        else:
            done = _("Updated {channel}: reminders {when} of premieres only, {who}.", channel=channel.mention, when=when, who=who)
        # English keeps its "reminder(s)" in both forms; the other languages say it by number.
        scheduled = ngettext(
            "{count} reminder(s) scheduled for the next {days} days (later ones are added as they come near).",
            "{count} reminder(s) scheduled for the next {days} days (later ones are added as they come near).",
            len(mine), days=HORIZON.days,
        )
        await interaction.response.send_message(f"{done} {scheduled}{next_one}", ephemeral=True)

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
            raise UserFacingError(_("{channel} has no reminders to stop. `/reminders list` shows which do.", channel=channel.mention))
        await interaction.response.send_message(
            ngettext(
                "Unsubscribed {channel}; {count} pending reminder(s) cancelled.",
                "Unsubscribed {channel}; {count} pending reminder(s) cancelled.",
                plan.cancelled, channel=channel.mention,
            ),
            ephemeral=True,
        )

    @app_commands.command(name="list", description="This server's reminder channels, their state and what's next.")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def list_subscriptions(self, interaction: discord.Interaction) -> None:
        """Each subscription: channel, role, offsets, and whether it works — or why it was disabled."""
        assert interaction.guild_id is not None
        subs = await self.store.subscriptions.of_guild(interaction.guild_id)
        card = Card(_("Reminder subscriptions"))
        if not subs:
            card.describe(_("None yet. Start one with `/reminders subscribe`."))
        pending = await self.store.timers.of_guild(interaction.guild_id, CHANNEL_REMINDER)
        counts = Counter(t.payload["subscription_id"] for t in pending)
        first: dict[int, datetime] = {}
        for timer in pending:
            first.setdefault(timer.payload["subscription_id"], timer.due_at)
        lines = []
        for sub in subs:
            channel, what, when = f"<#{sub.channel_id}>", what_reminded(sub.episodes), offsets_text(sub.offsets)
            if sub.role_id:
                role = f"<@&{sub.role_id}>"
                head = _("{channel} — {what} — pings {role} — {when}", channel=channel, what=what, role=role, when=when)
            else:
                head = _("{channel} — {what} — pings nobody — {when}", channel=channel, what=what, when=when)
            if sub.active:
                waiting = number(counts[sub.id])
                if sub.id in first:
                    state = _("active: {pending} pending, next {relative}", pending=waiting, relative=discord_timestamp(first[sub.id], "R"))
                else:
                    state = _("active: {pending} pending", pending=waiting)
                lines.append(f"✅ {head}\n   {state}")
            else:
                why = disabled_reason(sub.disabled_reason)
                if sub.disabled_at:
                    state = _("**disabled** {since}: {reason}. Fix the channel's permissions, then `/reminders subscribe` it again.",
                              since=discord_timestamp(sub.disabled_at, "R"), reason=why)
                else:
                    state = _("**disabled** earlier: {reason}. Fix the channel's permissions, then `/reminders subscribe` it again.",
                              reason=why)
                lines.append(f"⚠️ {head}\n   {state}")
        if lines:
            card.describe(*lines)
        await interaction.response.send_message(embed=card.build(), ephemeral=True)
