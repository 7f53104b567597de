"""/character, /series and /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

import bot as fandex
from bot.errors import UserFacingError
from bot.formatting import literal, quote_typed, truncate
from bot.matching import Match, NameIndex
from bot.options import Text
from cogs.lookup.cards import about_card, character_card, series_card

if TYPE_CHECKING:
    from bot.client import FandexBot

CARD_CACHE = 4096
CharacterName = app_commands.Transform[str, Text("character name", 1, 100)]
SeriesTitle = app_commands.Transform[str, Text("series title", 1, 100)]


def choices_from(matches: list[Match]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices: the canonical name as value, and why it matched when that isn't obvious."""
    choices = []
    for m in matches:
        entry = m.entry
        hint = "" if entry.kind == "name" or entry.text == entry.label else f" — {entry.text}"
        name = truncate(entry.label + hint, 100)
        choices.append(app_commands.Choice(name=name, value=truncate(entry.label, 100)))
    return choices


def not_found(what: str, typed: str, index: NameIndex, hint: str) -> UserFacingError:
    suggestions = [f"**{literal(m.entry.label)}**" for m in index.suggest(typed)]
    if suggestions:
        return UserFacingError(f"No {what} matches “{quote_typed(typed)}”. Did you mean {', '.join(suggestions)}?")
    return UserFacingError(f"No {what} matches “{quote_typed(typed)}”. {hint}")


class LookupCog(commands.Cog):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store
        self.directory = bot.directory
        self._cards: dict[tuple[int, int | None, int], discord.Embed] = {}

    async def cog_load(self) -> None:
        await self.directory.characters()  # build the indexes now, not on the first keystroke

    @app_commands.command(name="character", description="Look up a character: who plays them, where they appear, who they're tied to.")
    @app_commands.describe(name="A name, hero name, alias or actor — typos are fine")
    async def character(self, interaction: discord.Interaction, name: CharacterName) -> None:
        """Show a character's card: actor, names, appearances, relationships, with sources."""
        index = await self.directory.characters()
        match = index.best(name)
        if match is None:
            raise not_found("character", name, index, "Try a name, a hero name like Daredevil, or an actor.")
        card = await self._card(match.target, interaction.guild_id)
        if card is None:
            raise not_found("character", name, index, "Try a name, a hero name like Daredevil, or an actor.")
        await interaction.response.send_message(embed=card)

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
        return choices_from((await self.directory.characters()).complete(current[:100]))

    @app_commands.command(name="series", description="A series: its seasons and release dates, main cast and behind-the-scenes facts.")
    @app_commands.describe(title="The series title, e.g. The Defenders")
    async def series(self, interaction: discord.Interaction, title: SeriesTitle) -> None:
        """Show a series card: seasons with dates at their known precision, cast, production notes."""
        index = await self.directory.series()
        match = index.best(title)
        found = await self.store.series.get(match.target, interaction.guild_id) if match else None
        if found is None:
            raise not_found("series", title, index, "Try one of the titles autocomplete offers.")
        await interaction.response.send_message(embed=series_card(found, discord.utils.utcnow()))

    @series.autocomplete("title")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices_from((await self.directory.series()).complete(current[:100]))

    @app_commands.command(name="about", description="What fandex is, what it knows, and where its facts come from.")
    async def about(self, interaction: discord.Interaction) -> None:
        """Version, counts of what the store holds, and the data sources."""
        counts = await self.store.counts(interaction.guild_id)
        packs = await self.store.packs.list()
        sources = await self.store.sources.list(interaction.guild_id)
        await interaction.response.send_message(embed=about_card(fandex.__version__, counts, packs, sources))
