"""Character and series lookup: /character, /series, /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.lookup.cog import LookupCog

if TYPE_CHECKING:
    from bot.client import FandexBot


async def setup(bot: FandexBot) -> None:
    await bot.add_cog(LookupCog(bot))
