"""The "Show what I've watched" button under a card that held facts back: pressed, it answers privately
with the card as far as the presser has watched (their own /progress, else the channel's position).

A DynamicItem whose custom_id names only the character, so it works on every card ever posted, after
any restart, with nothing registered per card; who pressed and where decide the rest."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.client import FandexBot
from bot.command_contexts import home_guild
from bot.errors import UserFacingError, handle_error
from bot.formatting import CHANNEL_WATCHED, YOU_WATCHED
from bot.i18n import N_, _
from bot.i18n.items import SpeaksToPresser
from bot.spoilers.sight import marked_series
from cogs.lookup.cards import character_card
from cogs.lookup.held_back import character_marks, seen_character

# The label is the language of the member whose command posted the card (the public card is their reply).
SEEN_LABEL = N_("Show what I've watched")
PROGRESS_HINT = N_("-# This is as far as this channel goes. Set how far you have watched with `/progress set` to see more.")
GONE = N_("This character is no longer in the fandoms this server follows, so there is no card to show.")
NOT_YET = N_("You have not reached this character yet: by your `/progress`, there is nothing to show you.")


class SeenCardButton(
    SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"fandex:seen-card:(?P<character>[0-9]{1,19})"
):
    def __init__(self, character_id: int, *, pressed: discord.ui.Button[Any] | None = None) -> None:
        # On a press, reuse the button discord.py just parsed from the message instead of building another.
        super().__init__(
            pressed or discord.ui.Button(
                label=_(SEEN_LABEL), emoji="👁️", style=discord.ButtonStyle.secondary, custom_id=f"fandex:seen-card:{character_id}"
            )
        )
        self.character_id = character_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SeenCardButton:
        pressed = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["character"]), pressed=pressed)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await show_seen_card(interaction, self.character_id)
        except Exception as exc:
            await handle_error(interaction, exc)


def seen_card_view(character_id: int) -> discord.ui.View:
    """The button under a public card that held facts back."""
    return discord.ui.View(timeout=None).add_item(SeenCardButton(character_id))


async def show_seen_card(interaction: discord.Interaction, character_id: int) -> None:
    """The card at the presser's own position, privately and without a button; the public card stays."""
    bot = interaction.client
    if not isinstance(bot, FandexBot):
        raise TypeError(f"{type(bot).__name__} is not a FandexBot")
    character = await bot.directory.character(character_id, home_guild(interaction))
    if character is None:
        raise UserFacingError(_(GONE))
    series = marked_series(character_marks(character))
    reader = await bot.sights.reader(
        home_guild(interaction), interaction.channel_id, interaction.user.id, series, discord.utils.utcnow()
    )
    seen = seen_character(character, reader.sight)
    if seen is None:
        raise UserFacingError(_(NOT_YET))
    card = character_card(seen.character, held=seen.held, watched=YOU_WATCHED if reader.own else CHANNEL_WATCHED)
    hint = _(PROGRESS_HINT) if series and not reader.own else None
    await interaction.response.send_message(hint, embed=card, ephemeral=True)
