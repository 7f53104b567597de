"""Watch-along: a discussion thread (or forum post) for every episode of a followed series at the
moment it airs, with "I've watched" and ratings that close; /watchalong and /ratings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from cogs.watchalong.buttons import RateButton, WatchedButton
from cogs.watchalong.commands import WatchAlongCog
from cogs.watchalong.planner import WatchAlongPlanner
from cogs.watchalong.planning import CLOSE, MAX_DAYS, POST
from cogs.watchalong.posting import WatchAlongPosting
from cogs.watchalong.ratings import RatingsCog

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    bot.add_dynamic_items(WatchedButton, RateButton)  # one template each for every starter ever posted
    planner = WatchAlongPlanner(bot.store, bot.scheduler, discord.utils.utcnow)
    posting = WatchAlongPosting(bot, planner)
    # A thread is still worth posting late (after downtime) while its rating is open: at most MAX_DAYS;
    # the handler holds each to its own watch-along's days. Reads first, then posts at the instant.
    bot.scheduler.register(POST, posting.post, catch_up=timedelta(days=MAX_DAYS), early=True)
    bot.scheduler.register(CLOSE, posting.close, catch_up=None)  # however late, once
    await planner.replan_changed()  # episodes moved while this process was away: once, by the first to start
    bot.services.watchalong_replanning.provide(planner)  # /release set|remove and /fandom follow|unfollow re-plan through it
    await bot.add_cog(WatchAlongCog(bot, planner))
    await bot.add_cog(RatingsCog(bot))


async def teardown(bot: FandexBot) -> None:
    await bot.services.watchalong_replanning.withdraw()
    bot.remove_dynamic_items(WatchedButton, RateButton)
