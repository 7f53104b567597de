"""/progress (how far each member has watched) and /spoilers (how far a server and its channels go)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.spoilers.progress import ProgressCog
from cogs.spoilers.reach import SpoilersCog

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    await bot.add_cog(ProgressCog(bot))
    await bot.add_cog(SpoilersCog(bot))
