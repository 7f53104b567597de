"""Keeping a server's Discord Scheduled Events in step with the series it set and their dates.

One sync per server at a time across every process (a deployment lock named after the server): it
reads what should exist, what was made, and makes, moves or deletes the difference. Each event's row is
written before the event is made, so a process killed between the two leaves a row without an event
id; the next sync finds the event by the marker in its description (or makes it then), never twice.

The events are the bot's own: their fixed words are in the server's preferred language, which only the
process that has the server in its cache knows. Another process (a sync after the facts changed runs
in every one) leaves an event in any language as it is, unless the event itself must change.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from bot.i18n import ENGLISH, _, speaking
from bot.i18n.locales import CATALOGS
from bot.spoilers.airing import listed
from bot.spoilers.positions import Position
from bot.spoilers.rules import position_for, public_rule
from bot.spoilers.stored import rule_from_store
from cogs.events.occasions import Occasion, occasions, upcoming
from db import Store
from db.facts.models import Release
from db.repos.events.made import MadeEvent

log = logging.getLogger(__name__)

PER_SERIES = 20  # events kept per series at a time, nearest first (Discord allows 100 per server)
NAME_LIMIT, DESCRIPTION_LIMIT, LOCATION_LIMIT = 100, 1000, 100
EXTERNAL, GUILD_ONLY = 3, 2  # Discord's entity_type and privacy_level
NO_CHANNEL = -1  # no channel has this id: the server's own spoiler setting, without a channel's override
REPLANNED = "events_synced_generation"  # meta key: the facts generation the events were last synced for


@dataclass(frozen=True, slots=True)
class WantedEvent:
    """One event as the server should have it; `payload` is what Discord is sent."""

    series_id: int
    key: str
    starts_at: datetime
    payload: dict[str, Any]

    @property
    def shape(self) -> str:
        return hashlib.sha256(json.dumps(self.payload, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(slots=True)
class SyncResult:
    created: int = 0
    moved: int = 0
    deleted: int = 0
    refused: str | None = None  # why Discord refused (a missing permission), if it did


def marker(series_id: int, key: str) -> str:
    """Ends every event's description: how a sync finds an event it made but did not get to record."""
    return f"[fandex {series_id}/{key}]"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def wanted_event(occasion: Occasion, series_id: int, series_title: str, position: Position) -> WantedEvent:
    """The event for one occasion: external, at the platform (else the series' title), an hour long
    when the runtime is unknown, its episode title only once the server's position has reached it."""
    release = occasion.release
    where = release.platform or series_title
    if occasion.premiere:
        about = (_("Premiere of {series} on {platform}.", series=series_title, platform=release.platform) if release.platform
                 else _("Premiere of {series}.", series=series_title))
    else:
        about = (_("New episode of {series} on {platform}.", series=series_title, platform=release.platform)
                 if release.platform else _("New episode of {series}.", series=series_title))
    payload = {
        "name": _clip(occasion.title(position), NAME_LIMIT),
        "description": f"{_clip(about, DESCRIPTION_LIMIT - 60)}\n\n{marker(series_id, occasion.key)}",
        "scheduled_start_time": _iso(occasion.starts_at),
        "scheduled_end_time": _iso(occasion.ends_at),
        "entity_type": EXTERNAL,
        "entity_metadata": {"location": _clip(where, LOCATION_LIMIT)},
        "privacy_level": GUILD_ONLY,
    }
    return WantedEvent(series_id, occasion.key, occasion.starts_at, payload)


def server_position(releases: list[Release], server_rule: Any, now: datetime) -> Position:
    return position_for(listed(releases), public_rule(None, rule_from_store(server_rule) if server_rule else None), now)


Planned = tuple[Occasion, int, str, Position]  # wanted_event's arguments: rendered in one language or another


def _renderings(plan: Planned) -> Iterator[str]:
    """The event's shape in each language the bot speaks."""
    for code in (ENGLISH, *CATALOGS):
        with speaking(code):
            yield wanted_event(*plan).shape


def _english(guild_id: int) -> str | None:
    return ENGLISH


class EventKeeper:
    def __init__(
        self, store: Store, http: discord.http.HTTPClient, clock: Callable[[], datetime],
        language: Callable[[int], str | None] = _english,
    ) -> None:
        """`language`: the catalog code of a server's preferred locale, None when this process does not
        know it (the server is not in its cache)."""
        self._store = store
        self._http = http
        self._clock = clock
        self._language = language

    async def _planned(self, guild_id: int) -> list[Planned]:
        now = self._clock()
        titles = {s.id: s.title for s in await self._store.series.summaries(guild_id)}
        out: list[Planned] = []
        for setting in await self._store.event_series.of_guild(guild_id):
            releases = await self._store.releases.for_series(setting.series_id, guild_id)
            __, server = await self._store.spoiler_reach.for_channel(guild_id, NO_CHANNEL, setting.series_id)
            position = server_position(releases, server, now)
            title = titles.get(setting.series_id, "")
            ahead = upcoming(occasions(releases), now, premieres_only=setting.scope == "premieres", limit=PER_SERIES)
            out += [(o, setting.series_id, title or o.release.title, position) for o in ahead]
        return out

    async def wanted(self, guild_id: int) -> list[WantedEvent]:
        """Every event the server's settings want now, at most PER_SERIES per series, in the language
        being spoken."""
        return [wanted_event(*plan) for plan in await self._planned(guild_id)]

    async def sync(self, guild_id: int) -> SyncResult:
        """Make, move and delete the server's events until they are what its settings want; their words
        in the server's language (the bot's own posts, even when a moderator's command asks for the sync)."""
        result = SyncResult()
        code = self._language(guild_id)
        async with self._store.deployment_lock(f"scheduled events {guild_id}"):
            try:
                with speaking(code or ENGLISH):
                    await self._sync(guild_id, result, known=code is not None)
            except discord.HTTPException as refused:  # 50013 without the permission, 30038 at Discord's 100
                result.refused = refused.text or f"HTTP {refused.status}"
                log.warning("guild %d refused its scheduled events: %s", guild_id, result.refused)
        return result

    async def _sync(self, guild_id: int, result: SyncResult, *, known: bool = True) -> None:
        """`known`: the server's language is the one being spoken; else an event already made in any
        language, and otherwise as wanted, is left as it is (the process that has the server renders it)."""
        now = self._clock()
        made = {(m.series_id, m.event_key): m for m in await self._store.made_events.of_guild(guild_id)}
        planned = await self._planned(guild_id)
        wanted = [wanted_event(*plan) for plan in planned]
        keep = {(w.series_id, w.key) for w in wanted}
        listed: dict[str, int] = {}  # the server's events by marker, read once a sync needs them
        for gone in [m for key, m in made.items() if key not in keep]:  # first: deleting frees Discord's places
            await self._delete(guild_id, gone, now, result, listed)
        for plan, event in zip(planned, wanted, strict=True):
            row = made.get((event.series_id, event.key))
            if row is None:
                row = MadeEvent(guild_id, event.series_id, event.key, None, event.starts_at, event.shape)
                await self._store.made_events.record(row)  # first: a crash after the POST is recovered
            event_id = row.event_id if row.event_id is not None else await self._find(guild_id, row, listed)
            if (not known and row.event_id is not None and row.shape != event.shape
                    and row.shape in set(_renderings(plan))):
                continue  # in step, in the server's language this process does not know
            if event_id is not None and (row.event_id is None or row.shape != event.shape):
                if not await self._edit(guild_id, event_id, event):
                    event_id = None  # deleted on Discord by someone: made again below
                elif row.event_id is not None:
                    result.moved += 1
            if event_id is None:
                created = await self._http.create_guild_scheduled_event(guild_id, **event.payload)
                event_id = int(created["id"])
                result.created += 1
            await self._store.made_events.record(MadeEvent(guild_id, event.series_id, event.key, event_id, event.starts_at, event.shape))

    async def _delete(self, guild_id: int, gone: MadeEvent, now: datetime, result: SyncResult, listed: dict[str, int]) -> None:
        """An event no longer wanted: deleted unless it has started (that one is left to run), then forgotten."""
        event_id = gone.event_id if gone.event_id is not None else await self._find(guild_id, gone, listed)
        if event_id is not None and gone.starts_at > now:
            try:
                await self._http.delete_scheduled_event(guild_id, event_id)
                result.deleted += 1
            except discord.NotFound:
                pass
        await self._store.made_events.forget(guild_id, gone.series_id, gone.event_key)

    async def _find(self, guild_id: int, row: MadeEvent, listed: dict[str, int]) -> int | None:
        """A row without its event id (a process stopped between the two): the event carrying its
        marker, if Discord has one; the server's events are listed once per sync (into `listed`)."""
        if not listed:
            listed.update(await self._listed(guild_id) or {"": 0})  # "": listed, and none is ours
        return listed.get(marker(row.series_id, row.event_key))

    async def _listed(self, guild_id: int) -> dict[str, int]:
        """The server's events by the marker that ends their description (those the bot made)."""
        found: dict[str, int] = {}
        for event in await self._http.get_scheduled_events(guild_id, False):
            description = event.get("description") or ""
            if description.endswith("]") and "[fandex " in description:
                found[description[description.rindex("[fandex "):]] = int(event["id"])
        return found

    async def _edit(self, guild_id: int, event_id: int, event: WantedEvent) -> bool:
        """Move or rename the event; False when it is gone from Discord."""
        try:
            await self._http.edit_scheduled_event(guild_id, event_id, **event.payload)
        except discord.NotFound:
            return False
        return True

    async def sync_all(self) -> None:
        """Every server with events (at start and after the facts changed), one after another."""
        for guild_id in await self._store.event_series.guilds():
            await self.sync(guild_id)

    async def sync_changed(self) -> None:
        """After the facts changed: sync once per change, by the first process to ask."""
        async with self._store.deployment_lock("scheduled events re-plan"):
            done = await self._store.meta.get(REPLANNED)
            generation, __ = await self._store.packs.changed_since(int(done or 0))
            if done == str(generation):
                return
        await self.sync_all()  # outside: each server's sync takes its own lock
        await self._store.meta.set(REPLANNED, str(generation))
