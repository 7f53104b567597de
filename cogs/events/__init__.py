"""Events: a series' premieres or episodes kept as Discord Scheduled Events (/events), and the
upcoming releases as a calendar file (/calendar)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from cogs.events.calendar import CalendarCog
from cogs.events.commands import EventsCog
from cogs.events.keeping import EventKeeper

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    keeper = EventKeeper(bot.store, bot.http, discord.utils.utcnow)
    cog = EventsCog(bot, keeper)
    await bot.add_cog(cog)
    bot.services.events_replanning.provide(cog)  # /release set|remove and /fandom follow|unfollow re-sync through it
    await bot.add_cog(CalendarCog(bot))


async def teardown(bot: FandexBot) -> None:
    await bot.services.events_replanning.withdraw()
