"""A series as a member names it, the same way in every feature that takes one (/series, /progress,
/spoilers, /watchalong, /ratings): found among the fandoms their server follows, or refused."""

from __future__ import annotations

from bot.errors import UserFacingError
from bot.i18n import _
from bot.search.directory import Directory
from bot.search.finding import SERIES_HINT, find
from db import Store
from db.facts.models import Series


async def find_series(directory: Directory, store: Store, typed: str, guild_id: int | None) -> Series:
    """The series a member means, among those their server (or DMs) sees, or a UserFacingError."""
    index = await directory.series(guild_id)
    found = find(index, typed, "series", SERIES_HINT, guild_id=guild_id)
    series = await store.series.get(found.target, guild_id)
    if series is None:
        raise UserFacingError(_("That series is no longer here. {hint}", hint=_(SERIES_HINT)))
    return series
