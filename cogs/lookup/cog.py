"""/character, /series and /about."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

import bot as fandex
from bot.input.options import TextOption
from bot.search.finding import CHARACTER_HINT, SERIES_HINT, NotFound, also_line, choices, find, not_found
from bot.search.seen import seen_by_both, seen_index
from bot.spoilers.viewer import public_position, releases_of
from cogs.lookup.cards import about_card, character_card, series_card

if TYPE_CHECKING:
    from bot.client import FandexBot

CARD_CACHE = 4096
CharacterName = app_commands.Transform[str, TextOption("character name", 1, 100)]
SeriesTitle = app_commands.Transform[str, TextOption("series title", 1, 100)]


class LookupCog(commands.Cog):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store
        self.directory = bot.directory
        self._cards: dict[tuple[int, int | None, int], discord.Embed] = {}

    async def cog_load(self) -> None:
        self._warming = asyncio.create_task(self._warm())

    async def _warm(self) -> None:
        """Build the name indexes once connected: not on the first keystroke, and not while the gateway
        streams in guilds (a CPU-second at 20,000 characters would slow logging in and the first
        answers; a lookup that comes first builds them itself)."""
        await self.bot.wait_until_ready()
        await self.directory.warm()

    async def cog_unload(self) -> None:
        self._warming.cancel()

    @app_commands.command(name="character", description="Look up a character: who plays them, where they appear, who they're tied to.")
    @app_commands.describe(name="A name, another name they go by, or the actor — typos are fine")
    async def character(self, interaction: discord.Interaction, name: CharacterName) -> None:
        """Show a character's card: actor, names, appearances, relationships, with sources."""
        # Public: found, suggested and said missing only as far as this channel has watched.
        index = await seen_index(
            self.directory, self.bot.sights, "characters", interaction.guild_id, interaction.channel_id, None,
            discord.utils.utcnow(),
        )
        try:
            found = find(index, name, "character", CHARACTER_HINT, guild_id=interaction.guild_id)
        except NotFound as missing:  # private: nothing the member has not watched either
            raise missing.again(await seen_by_both(
                self.directory, self.bot.sights, "characters", interaction.guild_id, interaction.channel_id,
                interaction.user.id, discord.utils.utcnow(),
            )) from None
        card = await self._card(found.target, interaction.guild_id)
        if card is None:
            raise not_found("character", name, index, CHARACTER_HINT)
        await interaction.response.send_message(also_line(found) or None, embed=card)

    async def _card(self, character_id: int, guild_id: int | None) -> discord.Embed | None:
        """The character's card, built once per character and facts revision (cards are never mutated)."""
        character = await self.directory.character(character_id, guild_id)
        if character is None:
            return None
        key = (character_id, guild_id, self.directory.revision)
        card = self._cards.get(key)
        if card is None:
            if len(self._cards) >= CARD_CACHE:
                self._cards.clear()
            card = self._cards[key] = character_card(character)
        return card

    @character.autocomplete("name")
    async def character_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        # Choices are seen by the member typing alone: their own progress, else the channel's.
        index = await seen_index(
            self.directory, self.bot.sights, "characters", interaction.guild_id, interaction.channel_id,
            interaction.user.id, discord.utils.utcnow(),
        )
        return choices(index, index.complete(current[:100]))

    @app_commands.command(name="series", description="A series: its seasons and release dates, main cast and behind-the-scenes facts.")
    @app_commands.describe(title="The series title, or another name it goes by")
    async def series(self, interaction: discord.Interaction, title: SeriesTitle) -> None:
        """Show a series card: seasons with dates at their known precision, cast, production notes."""
        index = await self.directory.series(interaction.guild_id)
        match = find(index, title, "series", SERIES_HINT, guild_id=interaction.guild_id)
        found = await self.store.series.get(match.target, interaction.guild_id)
        if found is None:
            raise not_found("series", title, index, SERIES_HINT)
        now = discord.utils.utcnow()
        position = await public_position(self.store, interaction.guild_id, interaction.channel_id, found.id, releases_of(found), now)
        await interaction.response.send_message(also_line(match) or None, embed=series_card(found, now, position=position))

    @series.autocomplete("title")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.directory.series(interaction.guild_id)
        return choices(index, index.complete(current[:100]))

    @app_commands.command(name="about", description="What fandex is, what it knows, and where its facts come from.")
    async def about(self, interaction: discord.Interaction) -> None:
        """Version, counts of what the store holds, and the data sources."""
        counts = await self.store.counts(interaction.guild_id)
        every = await self.store.packs.all()
        followed = await self.store.fandoms.followed_keys(interaction.guild_id)
        sources = await self.store.sources.list(interaction.guild_id)
        mine = [p for p in every if p.key in followed]
        card = about_card(fandex.__version__, counts, mine, every, sources, in_server=interaction.guild_id is not None)
        await interaction.response.send_message(embed=card)
