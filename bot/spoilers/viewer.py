"""Which position a reply uses, read from the store: the one place features ask, so a channel's
override, a server's setting, the default and a member's own progress are combined the same way
everywhere (the pure rules stay in rules.py; this only fetches what they need)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.spoilers.airing import AiredTimeline, listed
from bot.spoilers.positions import Position
from bot.spoilers.rules import RuleKind, SpoilerRule, position_for, public_rule
from bot.spoilers.rules import reader_position as own_or_channel
from bot.spoilers.stored import progress_from_store, rule_from_store
from db import Store
from db.facts.models import Release, Series


def releases_of(series: Series) -> list[Release]:
    """A series' listed episodes and specials, as the position rules read their dates."""
    return [e for season in series.seasons for e in season.episode_list]


async def channel_rule(store: Store, guild_id: int | None, channel_id: int | None, series_id: int) -> SpoilerRule:
    """The rule public replies follow in a channel (in DMs: the default)."""
    if guild_id is None or channel_id is None:
        return public_rule(None, None)
    override, server = await store.spoiler_reach.for_channel(guild_id, channel_id, series_id)
    return public_rule(rule_from_store(override) if override else None, rule_from_store(server) if server else None)


async def public_position(
    store: Store, guild_id: int | None, channel_id: int | None, series_id: int,
    releases: Iterable[Release] | AiredTimeline, now: datetime,
) -> Position:
    """The position a public reply in a channel uses; `releases` are the series' episodes (for `aired`),
    or their AiredTimeline when the caller keeps one (autocomplete: no scan of the series per keystroke)."""
    rule = await channel_rule(store, guild_id, channel_id, series_id)
    if isinstance(releases, AiredTimeline):
        return releases.position(rule.delay, now) if rule.kind is RuleKind.AIRED else position_for((), rule, now)
    return position_for(listed(releases), rule, now)


async def reader_position(
    store: Store, guild_id: int | None, channel_id: int | None, user_id: int, series_id: int,
    releases: Iterable[Release] | AiredTimeline, now: datetime,
) -> Position:
    """The position a reply only `user_id` sees uses: their own progress when set, else the channel's."""
    own = await store.viewer_progress.get(user_id, series_id)
    channel = await public_position(store, guild_id, channel_id, series_id, releases, now)
    return own_or_channel(progress_from_store(own) if own else None, channel)


async def reply_position(
    store: Store, guild_id: int | None, channel_id: int | None, reader: int | None, series_id: int,
    releases: Iterable[Release] | AiredTimeline, now: datetime,
) -> Position:
    """A reply's position: the channel's (`reader` None), or `reader`'s own progress, else the channel's."""
    if reader is None:
        return await public_position(store, guild_id, channel_id, series_id, releases, now)
    return await reader_position(store, guild_id, channel_id, reader, series_id, releases, now)
