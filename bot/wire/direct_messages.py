"""Opening a DM channel as Discord's spec has it (discord.py sends `recipient_id` as an integer)."""

from __future__ import annotations

import discord
from discord.http import Route


async def open_dm(client: discord.Client, user_id: int) -> discord.PartialMessageable:
    """The DM channel with `user_id`, ready to send to; Discord returns the same channel every time."""
    data = await client.http.request(Route("POST", "/users/@me/channels"), json={"recipient_id": str(user_id)})
    return client.get_partial_messageable(int(data["id"]), type=discord.ChannelType.private)
