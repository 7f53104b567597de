"""Relationship-speculation polls: /poll, /ship, and vote buttons that survive restarts."""

from __future__ import annotations

from bot.client import FandexBot
from cogs.polls.ballots.buttons import PollVoteButton, PollWithdrawButton, ShipPollButton
from cogs.polls.ballots.items import BALLOT_ITEMS
from cogs.polls.cog import PollCommands
from cogs.polls.service import DEADLINE, OPENING, PollService
from db.repos.polls import POLLS_CHANNEL


async def setup(bot: FandexBot) -> None:
    service = PollService(bot)
    bot.services.poll_votes.provide(service.desk, on_withdraw=service.close_tasks)
    # One template each, however many polls are open.
    bot.add_dynamic_items(PollVoteButton, PollWithdrawButton, ShipPollButton, *BALLOT_ITEMS)
    bot.scheduler.register(DEADLINE, service.on_deadline, catch_up=None)  # a deadline is honoured however late
    bot.scheduler.register(OPENING, service.on_opening, catch_up=None)  # so is an opening, unless the poll closed first
    await bot.add_cog(PollCommands(bot, service))
    await bot.store.listen(POLLS_CHANNEL, service.forget_all)  # a poll closed by another process
    service.start_recovery()


async def teardown(bot: FandexBot) -> None:
    bot.remove_dynamic_items(PollVoteButton, PollWithdrawButton, ShipPollButton, *BALLOT_ITEMS)
    await bot.services.poll_votes.withdraw()
