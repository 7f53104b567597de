"""Sights read from the store: a reply's positions in the series its facts are marked in, combined by
the rules (a channel's override, the server's setting, the default, a member's own progress) in one
trip to the database, with each series' aired timeline kept between replies."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.spoilers.airing import AiredTimeline, counted, listed
from bot.spoilers.positions import Position
from bot.spoilers.rules import RuleKind, SpoilerRule, position_for, public_rule
from bot.spoilers.sight import Sight
from bot.spoilers.stored import progress_from_store, rule_from_store
from db import Store
from db.repos.viewers.sight import StoredSight

TIMELINES_KEPT = 512  # (series, how a guild sees its dates) pairs whose aired timelines are kept
SIGHTS_KEPT = 4096  # recent readers' sights: a member typing sends a keystroke every few hundred milliseconds
FRESH = 2.0  # seconds a sight is reused: a write or facts change here is seen at once; another process's within this
TimelineKey = tuple[int, int, object]
SightKey = tuple[int | None, int | None, int | None, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class ReaderSight:
    """A sight for a reply only its reader sees, and whether their own progress decided any of it."""

    sight: Sight
    own: bool


class Sights:
    """The one place features turn "this channel" or "this member here" into a Sight."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._timelines: OrderedDict[TimelineKey, AiredTimeline] = OrderedDict()
        # (guild, channel, user or None, series) → (for when, the counts of writes before it, what was read)
        self._recent: OrderedDict[SightKey, tuple[datetime, tuple[int, int], ReaderSight]] = OrderedDict()

    async def public(self, guild_id: int | None, channel_id: int | None, series_ids: Sequence[int], now: datetime) -> Sight:
        """How far a public reply in a channel may go in each series (in DMs: the default)."""
        if not series_ids:
            return Sight()
        return (await self._remembered((guild_id, channel_id, None, tuple(series_ids)), now)).sight

    async def reader(
        self, guild_id: int | None, channel_id: int | None, user_id: int, series_ids: Sequence[int], now: datetime
    ) -> ReaderSight:
        """How far a reply only `user_id` sees may go: their own progress where set, else the channel's."""
        if not series_ids:
            return ReaderSight(Sight(), False)
        return await self._remembered((guild_id, channel_id, user_id, tuple(series_ids)), now)

    async def _remembered(self, key: SightKey, now: datetime) -> ReaderSight:
        """The sight for `key`, read again only after FRESH seconds or a write of progress or settings in
        this process: the keystrokes of one member's typing cost one trip to the store, not one each."""
        revision = (self._store.viewer_sight.changes.revision, self._store.facts.revision)
        found = self._recent.get(key)
        if found is not None and found[1] == revision and abs((now - found[0]).total_seconds()) < FRESH:
            self._recent.move_to_end(key)
            return found[2]
        read = await self._read(key, now)  # `revision` was taken before: a write meanwhile makes this stale at once
        self._recent[key] = (now, revision, read)
        self._recent.move_to_end(key)
        if len(self._recent) > SIGHTS_KEPT:
            self._recent.popitem(last=False)
        return read

    async def _read(self, key: SightKey, now: datetime) -> ReaderSight:
        guild_id, channel_id, user_id, series_ids = key
        stored = await self._store.viewer_sight.read(guild_id, channel_id, user_id, series_ids)
        positions = await self._positions(guild_id, stored, [s for s in series_ids if s not in stored.progress], now)
        for series_id, progress in stored.progress.items():
            positions[series_id] = progress_from_store(progress)
        return ReaderSight(Sight.of(positions), bool(stored.progress))

    async def _positions(
        self, guild_id: int | None, stored: StoredSight, series_ids: Sequence[int], now: datetime
    ) -> dict[int, Position]:
        positions: dict[int, Position] = {}
        guild_dates: object = None
        for series_id in series_ids:
            rule = self._rule(stored, series_id)
            if rule.kind is not RuleKind.AIRED:
                positions[series_id] = position_for((), rule, now)
                continue
            if guild_dates is None:  # a guild's own dates change when an episode airs for it: asked once per reply
                guild_dates = await self._store.releases.guild_marks(guild_id)
            timeline = await self._timeline(guild_id, series_id, guild_dates)
            positions[series_id] = timeline.position(rule.delay, now)
        return positions

    @staticmethod
    def _rule(stored: StoredSight, series_id: int) -> SpoilerRule:
        override, server = stored.channel.get(series_id), stored.server.get(series_id)
        return public_rule(rule_from_store(override) if override else None, rule_from_store(server) if server else None)

    async def _timeline(self, guild_id: int | None, series_id: int, guild_dates: object) -> AiredTimeline:
        """When each episode of the series counts as aired, as this guild sees the dates: built once per
        facts revision and set of the guild's own dates, shared by every guild that has none."""
        key: TimelineKey = (self._store.facts.revision, series_id, (guild_id, guild_dates) if guild_dates else None)
        found = self._timelines.get(key)
        if found is not None:
            self._timelines.move_to_end(key)
            return found
        revision = self._store.facts.revision
        releases = await self._store.releases.for_series(series_id, guild_id)
        counts = await self._store.series.episode_counts(series_id)
        timeline = AiredTimeline(listed(releases) + counted(releases, counts))
        if revision == self._store.facts.revision:  # not changed meanwhile: safe to keep under this revision
            self._timelines[key] = timeline
            if len(self._timelines) > TIMELINES_KEPT:
                self._timelines.popitem(last=False)
        return timeline
