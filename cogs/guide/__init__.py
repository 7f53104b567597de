"""/help: the commands a member can use where they ask, grouped by feature, built from the registered tree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.guide.cog import GuideCog

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    await bot.add_cog(GuideCog(bot))
