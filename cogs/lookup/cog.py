"""/character, /series and /about."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

import bot as fandex
from bot.command_contexts import home_guild, public_reader, user_installable
from bot.i18n import N_, current_locale
from bot.input.options import TextOption
from bot.search.finding import CHARACTER_HINT, SERIES_HINT, NotFound, also_line, choices, find, not_found
from bot.search.seen import reply_sight, seen_by_both, seen_index
from bot.spoilers.sight import Sight, marked_series
from bot.spoilers.viewer import releases_of, reply_position
from cogs.lookup.buttons import seen_card_view
from cogs.lookup.cards import about_card, about_licences, character_card, series_card
from cogs.lookup.held_back import cast_marks, character_marks, seen_cast, seen_character

if TYPE_CHECKING:
    from bot.client import FandexBot

CARD_CACHE = 4096
CharacterName = app_commands.Transform[str, TextOption(N_("character name"), 1, 100)]
SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]


class LookupCog(commands.Cog):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store
        self.directory = bot.directory
        self._cards: dict[tuple[int, int | None, int, Sight, str], tuple[discord.Embed, int]] = {}

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

    @user_installable
    @app_commands.command(name="character", description="Look up a character: who plays them, where they appear, who they're tied to.")
    @app_commands.describe(name="A name, another name they go by, or the actor — typos are fine")
    async def character(self, interaction: discord.Interaction, name: CharacterName) -> None:
        """Show a character's card: actor, names, appearances, relationships, with sources."""
        # Public: found, shown, suggested and said missing only as far as this channel has watched — one
        # sight (every series the guild's fandoms mark facts in, read once) for the search and the card.
        sight = await reply_sight(
            self.directory, self.bot.sights, home_guild(interaction), interaction.channel_id, public_reader(interaction),
            discord.utils.utcnow(),
        )
        index = await self.directory.seen("characters", home_guild(interaction), sight)
        try:
            found = find(index, name, "character", CHARACTER_HINT, guild_id=home_guild(interaction))
        except NotFound as missing:  # private: nothing the member has not watched either
            raise missing.again(await seen_by_both(
                self.directory, self.bot.sights, "characters", home_guild(interaction), interaction.channel_id,
                interaction.user.id, discord.utils.utcnow(),
            )) from None
        shown = await self._card(found.target, home_guild(interaction), sight)
        if shown is None:
            raise not_found("character", name, index, CHARACTER_HINT)
        card, held = shown
        if held:  # the rest is a press away, shown privately at the presser's own progress
            await interaction.response.send_message(also_line(found) or None, embed=card, view=seen_card_view(found.target))
        else:
            await interaction.response.send_message(also_line(found) or None, embed=card)

    async def _card(self, character_id: int, guild_id: int | None, sight: Sight) -> tuple[discord.Embed, int] | None:
        """The character's card at `sight`, with how many facts it held back: built once per character,
        facts revision, sight in the series the character's facts are marked in, and language (cards are
        never mutated), so a character with no marks has one card per language everywhere."""
        character = await self.directory.character(character_id, guild_id)
        if character is None:
            return None
        series = marked_series(character_marks(character))
        key = (character_id, guild_id, self.directory.revision, sight.within(series), current_locale())
        cached = self._cards.get(key)
        if cached is None:
            seen = seen_character(character, sight)
            if seen is None:  # not yet known here (the index hid them already; safe all the same)
                return None
            if len(self._cards) >= CARD_CACHE:
                self._cards.clear()
            cached = self._cards[key] = (character_card(seen.character, held=seen.held), seen.held)
        return cached

    @character.autocomplete("name")
    async def character_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        # Choices are seen by the member typing alone: their own progress, else the channel's.
        index = await seen_index(
            self.directory, self.bot.sights, "characters", home_guild(interaction), interaction.channel_id,
            interaction.user.id, discord.utils.utcnow(),
        )
        return choices(index, index.complete(current[:100]))

    @user_installable
    @app_commands.command(name="series", description="A series: its seasons and release dates, main cast and behind-the-scenes facts.")
    @app_commands.describe(title="The series title, or another name it goes by")
    async def series(self, interaction: discord.Interaction, title: SeriesTitle) -> None:
        """Show a series card: seasons with dates at their known precision, cast, production notes."""
        index = await self.directory.series(home_guild(interaction))
        match = find(index, title, "series", SERIES_HINT, guild_id=home_guild(interaction))
        found = await self.store.series.get(match.target, home_guild(interaction))
        if found is None:
            raise not_found("series", title, index, SERIES_HINT)
        now = discord.utils.utcnow()
        reader = public_reader(interaction)
        position = await reply_position(
            self.store, home_guild(interaction), interaction.channel_id, reader, found.id, releases_of(found), now
        )
        cast_series = marked_series(cast_marks(found.cast))
        sight = (
            await self.bot.sights.public(home_guild(interaction), interaction.channel_id, cast_series, now) if reader is None
            else (await self.bot.sights.reader(None, interaction.channel_id, reader, cast_series, now)).sight
        )
        found = replace(found, cast=seen_cast(found.cast, sight))
        await interaction.response.send_message(also_line(match) or None, embed=series_card(found, now, position=position))

    @series.autocomplete("title")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.directory.series(home_guild(interaction))
        return choices(index, index.complete(current[:100]))

    @user_installable
    @app_commands.command(name="about", description="What fandex is, what it knows, and where its facts come from.")
    async def about(self, interaction: discord.Interaction) -> None:
        """Version, counts of what the store holds, and the data sources."""
        counts = await self.store.counts(home_guild(interaction))
        every = await self.store.packs.all()
        followed = await self.store.fandoms.followed_keys(home_guild(interaction))
        sources = await self.store.sources.list(home_guild(interaction))
        mine = [p for p in every if p.key in followed]
        card = about_card(
            fandex.__version__, counts, mine, every, sources, in_server=home_guild(interaction) is not None,
            licences=about_licences(wikidata=self.bot.settings.wikidata_aliases == "on"), support_url=self.bot.settings.support_url,
        )
        await interaction.response.send_message(embed=card)
