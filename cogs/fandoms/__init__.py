"""/fandom — the fandoms on this bot, and which of them this server follows."""

from __future__ import annotations

from bot.client import FandexBot
from cogs.fandoms.cog import FandomCog


async def setup(bot: FandexBot) -> None:
    await bot.add_cog(FandomCog(bot))
