"""/fandom — the fandoms on this bot, which of them this server follows, and fandoms added from TVmaze."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot.client import FandexBot
from bot.tvmaze.fandoms import TvmazeFandoms
from bot.tvmaze.sync_timer import SyncTimer
from bot.wikidata.aliases import WikidataAliases
from cogs.fandoms.cog import FandomCog
from cogs.fandoms.shows import ShowChoices


async def setup(bot: FandexBot) -> None:
    if bot.tvmaze is None:
        await bot.add_cog(FandomCog(bot))
        return
    every = timedelta(hours=bot.settings.tvmaze_sync_hours)
    names = WikidataAliases(bot.store, bot.wikidata, discord.utils.utcnow) if bot.wikidata is not None else None
    fandoms = TvmazeFandoms(bot.store, bot.tvmaze, discord.utils.utcnow, stale_after=every, names=names)
    cog = FandomCog(bot, fandoms, ShowChoices(bot.tvmaze))
    fandoms.changed = cog.after_import  # what a background import (new names from Wikidata) moved is announced too
    await bot.add_cog(cog)
    await SyncTimer(bot.store, bot.scheduler, fandoms, every, discord.utils.utcnow, cog.after_import).start()
