"""A name index as one reply's reader may see it: the core's one way from "this channel" (a public
reply) or "this member here" (autocomplete, an ephemeral reply) to what they have watched, and to an
index that hides the rest. A guild whose fandoms mark nothing `since:` an episode asks the store nothing."""

from __future__ import annotations

from datetime import datetime

from bot.search.directory import Directory
from bot.search.scoped_index import ScopedIndex
from bot.spoilers.sight import Sight
from bot.spoilers.sights import Sights


async def reply_sight(
    directory: Directory, sights: Sights, guild_id: int | None, channel_id: int | None, user_id: int | None, now: datetime
) -> Sight:
    """How far a reply may go in every series the guild's fandoms mark facts in — one sight for the
    search and the card it leads to: the channel's position for a public reply (`user_id` None), else
    the member's own progress, or the channel's where they set none."""
    series = await directory.marked_series(guild_id)
    if not series:
        return Sight()
    if user_id is None:
        return await sights.public(guild_id, channel_id, series, now)
    return (await sights.reader(guild_id, channel_id, user_id, series, now)).sight


async def seen_index(
    directory: Directory, sights: Sights, what: str, guild_id: int | None, channel_id: int | None,
    user_id: int | None, now: datetime,
) -> ScopedIndex:
    """The guild's index of `what` ("characters", "ships"), less what the reader may not see."""
    if not await directory.marked_series(guild_id):
        return await directory.index(what, guild_id)
    sight = await reply_sight(directory, sights, guild_id, channel_id, user_id, now)
    return await directory.seen(what, guild_id, sight)


async def seen_by_both(
    directory: Directory, sights: Sights, what: str, guild_id: int | None, channel_id: int | None, user_id: int,
    now: datetime,
) -> ScopedIndex:
    """The index less what either the channel or the member has not watched: for the private "did you
    mean" of a public command — nothing the member has not reached, nothing the command could not show."""
    if not await directory.marked_series(guild_id):
        return await directory.index(what, guild_id)
    channel = await reply_sight(directory, sights, guild_id, channel_id, None, now)
    member = await reply_sight(directory, sights, guild_id, channel_id, user_id, now)
    return await directory.seen(what, guild_id, channel.meet(member))
