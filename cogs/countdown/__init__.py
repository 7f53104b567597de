"""Release countdowns and premiere reminders: /countdown, /releases, /episodes, /remindme, /release, /reminders."""

from __future__ import annotations

import discord

from bot.client import FandexBot
from cogs.countdown.admin import ReleaseAdmin
from cogs.countdown.catalog import ReleaseCatalog
from cogs.countdown.cog import CountdownCog
from cogs.countdown.delivery import Delivery
from cogs.countdown.episodes import EpisodePageButton, EpisodesCog
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.reminders import RemindersCog
from cogs.countdown.wanted_timers import CHANNEL_REMINDER, HORIZON_TICK, MOVE_NOTICE, PERSONAL_REMINDER, REMINDME_NOTICE


async def setup(bot: FandexBot) -> None:
    catalog = ReleaseCatalog(bot.store)
    planner = ReminderPlanner(bot.store, bot.scheduler, discord.utils.utcnow)
    delivery = Delivery(bot, planner, catalog)
    # Each reads, then posts after `attempting`: ready before the instant, so a burst is on time.
    bot.scheduler.register(CHANNEL_REMINDER, delivery.channel_reminder, early=True)
    bot.scheduler.register(PERSONAL_REMINDER, delivery.personal_reminder, early=True)
    bot.scheduler.register(MOVE_NOTICE, delivery.move_notice, early=True)
    bot.scheduler.register(REMINDME_NOTICE, delivery.remindme_notice, early=True)
    bot.scheduler.register(HORIZON_TICK, planner.horizon_tick, catch_up=None)  # late is fine; never skipped
    bot.services.reminder_replanning.provide(planner)  # /fandom follow, unfollow, add and refresh re-plan through it
    if bot.pack_changed:
        await planner.replan_all()  # the pack moved or added releases: reminders follow
    await planner.keep_horizon()
    await bot.add_cog(CountdownCog(bot, catalog, planner))
    await bot.add_cog(EpisodesCog(bot, catalog))
    bot.add_dynamic_items(EpisodePageButton)  # one template, however many /episodes replies are out there
    await bot.add_cog(ReleaseAdmin(bot, catalog, planner, delivery))
    await bot.add_cog(RemindersCog(bot, planner))


async def teardown(bot: FandexBot) -> None:
    await bot.services.reminder_replanning.withdraw()
