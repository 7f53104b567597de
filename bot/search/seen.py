"""A name index as one reply's reader may see it: the core's one way from "this channel" (a public
reply) or "this member here" (autocomplete, an ephemeral reply) to an index that hides what they
have not watched. A guild whose fandoms mark nothing `since:` an episode asks the store nothing."""

from __future__ import annotations

from datetime import datetime

from bot.search.directory import Directory
from bot.search.scoped_index import ScopedIndex
from bot.spoilers.sights import Sights


async def seen_index(
    directory: Directory, sights: Sights, what: str, guild_id: int | None, channel_id: int | None,
    user_id: int | None, now: datetime,
) -> ScopedIndex:
    """The guild's index of `what` ("characters", "ships"), less what the reader may not see: the
    channel's position for a public reply (`user_id` None), else the member's own progress or the channel's."""
    series = await directory.marked_series(what, guild_id)
    if not series:
        return await directory.index(what, guild_id)
    if user_id is None:
        sight = await sights.public(guild_id, channel_id, series, now)
    else:
        sight = (await sights.reader(guild_id, channel_id, user_id, series, now)).sight
    return await directory.seen(what, guild_id, sight)
