"""/fandom list, /fandom follow and /fandom unfollow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.embeds import Card
from bot.errors import UserFacingError
from bot.formatting import literal, quote_typed, truncate
from bot.options import Text
from cogs.fandoms.choosing import find_fandom, matching_fandoms
from db.models import PackInfo

if TYPE_CHECKING:
    from bot.client import FandexBot

FandomRef = app_commands.Transform[str, Text("fandom", 1, 100)]


def size(pack: PackInfo) -> str:
    return (
        f"{pack.characters} character{'s' if pack.characters != 1 else ''}, "
        f"{pack.series} series, {pack.releases} release{'s' if pack.releases != 1 else ''}"
    )


class FandomCog(commands.GroupCog, group_name="fandom", group_description="The fandoms on this bot, and which this server follows."):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store

    @app_commands.command(name="list", description="The fandoms this bot knows, marking those this server follows.")
    @app_commands.guild_only()
    async def list_fandoms(self, interaction: discord.Interaction) -> None:
        packs = await self.store.packs.all()
        followed = await self.store.fandoms.followed_keys(interaction.guild_id)
        card = Card("Fandoms on this bot")
        if not packs:
            card.describe("This bot has no fandoms yet.")
        else:
            lines = [
                f"{'✅' if p.key in followed else '▫️'} **{literal(p.title)}** (`{p.key}`) — {size(p)}"
                for p in sorted(packs, key=lambda p: (p.key not in followed, p.title.casefold()))
            ]
            following = len([p for p in packs if p.key in followed])
            summary = (
                f"This server follows {following} of {len(packs)}."
                if following
                else "This server follows none of them yet, so lookups find nothing."
            )
            card.describe(summary, "-# A moderator (Manage Server) adds or drops one with `/fandom follow` and `/fandom unfollow`.")
            card.add("Fandoms", lines)
        await interaction.response.send_message(embed=card.build())

    @app_commands.command(name="follow", description="Follow a fandom: its characters, releases and ships show up here (Manage Server).")
    @app_commands.describe(fandom="A fandom on this bot (see /fandom list)")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def follow(self, interaction: discord.Interaction, fandom: FandomRef) -> None:
        assert interaction.guild_id is not None
        pack = await self._pack(fandom)
        followed = await self.store.fandoms.followed_keys(interaction.guild_id)
        if pack.key in followed:
            await interaction.response.send_message(
                f"This server already follows **{literal(pack.title)}** — nothing changed.", ephemeral=True
            )
            return
        await self._choose(interaction, followed | {pack.key})
        await interaction.response.send_message(
            f"This server now follows **{literal(pack.title)}** ({size(pack)}). Its characters, series and "
            "releases show up in lookups, countdowns and polls here, and reminder subscriptions cover its releases.",
            ephemeral=True,
        )

    @app_commands.command(name="unfollow", description="Stop following a fandom; polls and votes already made stay (Manage Server).")
    @app_commands.describe(fandom="A fandom this server follows")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def unfollow(self, interaction: discord.Interaction, fandom: FandomRef) -> None:
        assert interaction.guild_id is not None
        pack = await self._pack(fandom)
        followed = await self.store.fandoms.followed_keys(interaction.guild_id)
        if pack.key not in followed:
            await interaction.response.send_message(
                f"This server doesn't follow **{literal(pack.title)}** — nothing changed.", ephemeral=True
            )
            return
        remaining = followed - {pack.key}
        await self._choose(interaction, remaining)
        after = (
            "It now follows no fandom, so lookups find nothing until a moderator adds one with `/fandom follow`."
            if not remaining
            else f"It still follows {len(remaining)} other fandom{'s' if len(remaining) != 1 else ''}."
        )
        await interaction.response.send_message(
            f"This server no longer follows **{literal(pack.title)}**; reminders for its releases are cancelled. "
            f"Polls already made keep their results. {after}",
            ephemeral=True,
        )

    @follow.autocomplete("fandom")
    async def follow_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._choices(interaction, current, followed=False)

    @unfollow.autocomplete("fandom")
    async def unfollow_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._choices(interaction, current, followed=True)

    async def _choices(self, interaction: discord.Interaction, current: str, *, followed: bool) -> list[app_commands.Choice[str]]:
        """Titles of the fandoms this server does (or doesn't) follow; the value is the pack id."""
        keys = await self.store.fandoms.followed_keys(interaction.guild_id)
        packs = [p for p in matching_fandoms(await self.store.packs.all(), current[:100]) if (p.key in keys) == followed]
        return [app_commands.Choice(name=truncate(p.title, 100), value=p.key) for p in packs[:25]]

    async def _pack(self, typed: str) -> PackInfo:
        packs = await self.store.packs.all()
        pack = find_fandom(packs, typed)
        if pack is None:
            known = ", ".join(f"`{p.key}`" for p in packs[:20]) or "none yet"
            raise UserFacingError(
                f"No fandom on this bot is called “{quote_typed(typed)}”. Pick one from the list, or type a fandom id: {known}."
            )
        return pack

    async def _choose(self, interaction: discord.Interaction, keys: frozenset[str]) -> None:
        """Record the server's fandoms and re-plan its reminders in the same transaction."""
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id

        async def change() -> None:
            await self.store.fandoms.set_following(guild_id, keys, interaction.user.id, discord.utils.utcnow())

        try:
            if self.bot.reminder_planner is not None:
                await self.bot.reminder_planner.apply(guild_id, change)
            else:
                await change()
        finally:
            self.store.fandoms.forget(guild_id)
