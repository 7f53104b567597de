"""Buttons and selects answer the member who pressed them in that member's language."""

from __future__ import annotations

from typing import Any

import discord

from bot.i18n.speech import speaking_to


class SpeaksToPresser:
    """Mix into a DynamicItem (before it): discord.py runs `interaction_check` in the task that then runs
    the callback, so the whole answer speaks the presser's `locale`."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        speaking_to(interaction.locale)
        return True
