"""/fandom — the fandoms on this bot, which of them this server follows, and fandoms added from TVmaze."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot.client import FandexBot
from bot.tvmaze.fandoms import TvmazeFandoms
from bot.tvmaze.sync_timer import SyncTimer
from cogs.fandoms.cog import FandomCog
from cogs.fandoms.shows import ShowChoices


async def setup(bot: FandexBot) -> None:
    if bot.tvmaze is None:
        await bot.add_cog(FandomCog(bot))
        return
    every = timedelta(hours=bot.settings.tvmaze_sync_hours)
    fandoms = TvmazeFandoms(bot.store, bot.tvmaze, discord.utils.utcnow, stale_after=every)
    cog = FandomCog(bot, fandoms, ShowChoices(bot.tvmaze))
    await bot.add_cog(cog)
    await SyncTimer(bot.store, bot.scheduler, fandoms, every, discord.utils.utcnow, cog.after_import).start()
