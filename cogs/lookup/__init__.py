"""Character and series lookup: /character, /series, /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.lookup.buttons import SeenCardButton
from cogs.lookup.cog import LookupCog

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    bot.add_dynamic_items(SeenCardButton)  # one template for every card's button, posted before any restart too
    await bot.add_cog(LookupCog(bot))


async def teardown(bot: FandexBot) -> None:
    bot.remove_dynamic_items(SeenCardButton)
