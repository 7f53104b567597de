"""Watch-along: a discussion thread (or forum post) for every episode of a followed series at the
moment it airs, with "I've watched" and ratings that close; /watchalong and /ratings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.watchalong.buttons import RateButton, WatchedButton
from cogs.watchalong.ratings import RatingsCog

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    bot.add_dynamic_items(WatchedButton, RateButton)  # one template each for every starter ever posted
    await bot.add_cog(RatingsCog(bot))


async def teardown(bot: FandexBot) -> None:
    bot.remove_dynamic_items(WatchedButton, RateButton)
