"""Events: a series' premieres or episodes kept as Discord Scheduled Events (/events), and the
upcoming releases as a calendar file (/calendar)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.i18n import server_code
from cogs.events.calendar import CalendarCog
from cogs.events.commands import EventsCog
from cogs.events.keeping import EventKeeper

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    # The events are the bot's own: the server's preferred language, when this process has the server.
    keeper = EventKeeper(bot.store, bot.http, discord.utils.utcnow, lambda guild_id: _language(bot, guild_id))
    cog = EventsCog(bot, keeper)
    await bot.add_cog(cog)
    bot.services.events_replanning.provide(cog)  # /release set|remove and /fandom follow|unfollow re-sync through it
    await bot.add_cog(CalendarCog(bot))


def _language(bot: FandexBot, guild_id: int) -> str | None:
    guild = bot.get_guild(guild_id)
    return server_code(guild) if guild is not None else None


async def teardown(bot: FandexBot) -> None:
    await bot.services.events_replanning.withdraw()
