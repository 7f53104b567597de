"""Embed conventions shared by every cog."""

from __future__ import annotations

import discord

COLOUR = discord.Colour(0xB11313)
FIELD_LIMIT = 1024  # Discord's limit for an embed field's value
