"""Posting what the timers and moderators set in motion: reminders, DMs, "the date moved" notices."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.formatting import discord_timestamp, literal
from bot.scheduling.scheduler import Outcome, RetryLater
from bot.wire.direct_messages import open_dm
from bot.wire.payloads import NO_PINGS, role_pings
from cogs.countdown.catalog import ReleaseCatalog
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.timeline import shown_label, starts_at
from cogs.countdown.wanted_timers import Cancelled, stored_title
from db import Store
from db.facts.models import Release
from db.repos.subscriptions import Subscription
from db.repos.timers import Timer

if TYPE_CHECKING:
    from bot.client import FandexBot

log = logging.getLogger(__name__)


def reminder_text(
    release: Release, moment: datetime, offset: int, role_id: int | None, *, premiere: bool = False, barred: bool = False
) -> str:
    """A premiere "premieres"; an episode, named by its label, "airs" — its season's first says so.
    `barred` (an episode past the channel's position): its code plain, its own title in spoiler bars."""
    ping = f"<@&{role_id}> " if role_id else ""
    name = shown_label(release, barred=barred)
    if release.is_episode:
        note = ", the season premiere," if premiere else ""
        if offset == 0:
            return f"{ping}🎬 {name}{note} airs now! {discord_timestamp(moment, 'F')}."
        return f"{ping}⏰ {name}{note} airs {discord_timestamp(moment, 'R')} — {discord_timestamp(moment, 'F')}."
    if offset == 0:
        return f"{ping}🎬 {name} is out now! Premiered {discord_timestamp(moment, 'F')}."
    return f"{ping}⏰ {name} premieres {discord_timestamp(moment, 'R')} — {discord_timestamp(moment, 'F')}."


def move_text(release: Release, before: datetime, after: datetime, *, barred: bool = False) -> str:
    return (f"📅 {shown_label(release, barred=barred)} moved: was {discord_timestamp(before, 'F')}, "
            f"now {discord_timestamp(after, 'F')} ({discord_timestamp(after, 'R')})")


def personal_text(release: Release, moment: datetime, *, barred: bool = False) -> str:
    """The /remindme DM; `barred` (an episode past the member's position): its title in spoiler bars."""
    verb = "airs" if release.is_episode else "starts"
    return (f"🎬 {shown_label(release, barred=barred)} {verb} now — {discord_timestamp(moment, 'F')}. "
            "(You asked me with /remindme.)")


def remindme_moved_text(release: Release, before: datetime, after: datetime, where: str, *, barred: bool = False) -> str:
    return (f"📅 {shown_label(release, barred=barred)}{where} moved: was {discord_timestamp(before, 'F')}, "
            f"now {discord_timestamp(after, 'F')} ({discord_timestamp(after, 'R')}). Your /remindme DM comes at the new time.")


def remindme_cancelled_text(payload: Mapping[str, Any], before: datetime, guild: str | None, name: str | None = None) -> str:
    """Why a /remindme DM will not come, from what the plan saw when it cancelled it. `name`: the release
    as shown to the member (from the release, at their position) when it is still there; else the
    title the timer kept, which never holds an episode's own title."""
    if name is None:
        kept = stored_title(payload)
        name = f"**{literal(kept)}**" if kept else "A release you asked me to remind you of"
    where = f" in **{literal(guild)}**" if guild else ""
    reason = Cancelled(payload["reason"])
    if reason is Cancelled.REMOVED:
        why = f"{name} was removed{where}"
    elif reason is Cancelled.UNFOLLOWED:
        why = f"{name} is no longer among the fandoms followed{where}"
    elif reason is Cancelled.PASSED:
        why = f"{name}{where} was moved to a time already past"
    else:
        known = f" (now {literal(payload['known_as'])})" if payload.get("known_as") else ""
        why = f"{name}{where} no longer has an exact date{known}"
    after = " If it gets an exact date again, I'll DM you then." if reason is Cancelled.UNDATED else ""
    return f"🚫 {why}, so the /remindme DM you'd have had {discord_timestamp(before, 'F')} is cancelled.{after}"


class Delivery:
    def __init__(self, bot: FandexBot, planner: ReminderPlanner, catalog: ReleaseCatalog) -> None:
        self._bot = bot
        self._store: Store = bot.store
        self._planner = planner
        self._catalog = catalog

    async def _barred(self, guild_id: int | None, channel_id: int | None, user_id: int | None, release: Release, timer: Timer) -> bool:
        """Whether `release` is an episode past the position of who reads the post: the channel's (user
        None), or a member's own progress, else the default (a DM has no channel). Judged at the instant
        the post is due, not the moment it is prepared (delivery starts a little early)."""
        now = max(datetime.now(UTC), timer.due_at)
        return release.id in await self._catalog.unwatched(guild_id, (channel_id, user_id), [release], now)

    async def channel_reminder(self, timer: Timer) -> Outcome:
        payload = timer.payload
        found = await self._as_planned(payload, "starts_at", "the release was removed or moved")
        if isinstance(found, Outcome):
            return found
        sub, release, moment = found
        barred = await self._barred(sub.guild_id, sub.channel_id, None, release, timer)
        text = reminder_text(release, moment, payload["offset"], sub.role_id, premiere=payload.get("premiere", False), barred=barred)
        return await self._post(timer, sub, text, role_pings(sub.role_id))

    async def move_notice(self, timer: Timer) -> Outcome:
        """One channel told that a release it is reminded of moved; no role is pinged for a move."""
        found = await self._as_planned(timer.payload, "after", "the release was removed or moved again")
        if isinstance(found, Outcome):
            return found
        sub, release, moment = found
        before = datetime.fromtimestamp(timer.payload["before"], UTC)
        barred = await self._barred(sub.guild_id, sub.channel_id, None, release, timer)
        return await self._post(timer, sub, move_text(release, before, moment, barred=barred), NO_PINGS)

    async def _as_planned(
        self, payload: Mapping[str, Any], instant_key: str, gone: str
    ) -> tuple[Subscription, Release, datetime] | Outcome:
        """A channel timer's active subscription and its release, still at the instant the plan saved under
        `instant_key`; otherwise the outcome that cancels the timer (`gone` when the release is the cause)."""
        sub = await self._store.subscriptions.get(payload["subscription_id"])
        if sub is None or not sub.active:
            return Outcome.cancelled("the subscription was removed or disabled")
        release = await self._store.releases.get(payload["release_id"], sub.guild_id)
        moment = starts_at(release) if release is not None else None
        if release is None or moment is None or int(moment.timestamp()) != payload[instant_key]:
            return Outcome.cancelled(gone)
        return sub, release, moment

    async def _post(self, timer: Timer, sub: Subscription, text: str, mentions: discord.AllowedMentions) -> Outcome:
        """Post a timer's message in the subscription's channel once (the timer id is the nonce)."""
        channel = self._bot.get_partial_messageable(sub.channel_id, guild_id=sub.guild_id)
        await self._bot.scheduler.attempting(timer)
        try:
            message = await channel.send(text, allowed_mentions=mentions, nonce=timer.id)
        except (discord.Forbidden, discord.NotFound) as exc:
            await self.lose_channel(sub, exc)
            return Outcome.failed(f"channel {sub.channel_id}: {exc.status} {exc.text}")
        except discord.HTTPException as exc:
            raise RetryLater(f"{exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc}", outcome_unknown=True) from exc
        return Outcome.done(f"message {message.id}")

    async def personal_reminder(self, timer: Timer) -> Outcome:
        payload = timer.payload
        reminder = await self._store.personal_reminders.get(payload["reminder_id"])
        if reminder is None:
            return Outcome.cancelled("the reminder was removed")
        release = await self._store.releases.get(reminder.release_id, reminder.guild_id)
        moment = starts_at(release) if release is not None else None
        if release is None or moment is None or int(moment.timestamp()) != payload["starts_at"]:
            return Outcome.cancelled("the release was removed or moved")
        barred = await self._barred(reminder.guild_id, None, reminder.user_id, release, timer)
        return await self._direct_message(timer, reminder.user_id, personal_text(release, moment, barred=barred))

    async def remindme_notice(self, timer: Timer) -> Outcome:
        """One member told that their /remindme DM moved with its release, or will not come and why."""
        payload = timer.payload
        before = datetime.fromtimestamp(payload["before"], UTC)
        guild = self._bot.get_guild(timer.guild_id) if timer.guild_id is not None else None
        if payload["after"] is None:
            name = await self._name_if_listed(timer)
            text = remindme_cancelled_text(payload, before, guild.name if guild is not None else None, name)
            return await self._direct_message(timer, payload["user_id"], text)
        reminder = await self._store.personal_reminders.get(payload["reminder_id"])
        release = await self._store.releases.get(payload["release_id"], timer.guild_id) if reminder is not None else None
        moment = starts_at(release) if release is not None else None
        if release is None or moment is None or int(moment.timestamp()) != payload["after"]:
            return Outcome.cancelled("the release moved again or went: the notice of that tells the member")
        where = f" in **{literal(guild.name)}**" if guild is not None else ""
        barred = await self._barred(timer.guild_id, None, payload["user_id"], release, timer)
        return await self._direct_message(timer, payload["user_id"], remindme_moved_text(release, before, moment, where, barred=barred))

    async def _name_if_listed(self, timer: Timer) -> str | None:
        """A cancelled /remindme's release as its member may see it, while the guild still lists it."""
        release = await self._store.releases.get(timer.payload["release_id"], timer.guild_id)
        if release is None:
            return None
        return shown_label(release, barred=await self._barred(timer.guild_id, None, timer.payload["user_id"], release, timer))

    async def _direct_message(self, timer: Timer, user_id: int, text: str) -> Outcome:
        """DM a member once (the timer id is the nonce). Closed DMs are the member's choice, not a fault:
        the timer ends failed with the reason, which the scheduler logs at INFO; it is never retried."""
        try:
            dm = await open_dm(self._bot, user_id)
            await self._bot.scheduler.attempting(timer)
            await dm.send(text, allowed_mentions=NO_PINGS, nonce=timer.id)
        except discord.Forbidden as exc:
            return Outcome.failed(f"user {user_id} does not accept direct messages ({exc.code})")
        except discord.NotFound as exc:
            return Outcome.failed(f"user {user_id} not found ({exc.code})")
        except discord.HTTPException as exc:
            raise RetryLater(f"{exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc}", outcome_unknown=True) from exc
        return Outcome.done()

    async def announce(self, guild_id: int, text: str) -> int:
        """Post a notice (e.g. a moved date) in every active reminder channel of the guild; returns posts made."""
        posted = 0
        for sub in await self._store.subscriptions.of_guild(guild_id):
            if not sub.active:
                continue
            channel = self._bot.get_partial_messageable(sub.channel_id, guild_id=guild_id)
            try:
                await channel.send(text, allowed_mentions=NO_PINGS)
                posted += 1
            except (discord.Forbidden, discord.NotFound) as exc:
                await self.lose_channel(sub, exc)
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
                log.warning("could not post a notice in channel %s (guild %s): %s", sub.channel_id, guild_id, exc)
        return posted

    async def lose_channel(self, sub: Subscription, exc: discord.HTTPException) -> None:
        """The bot can't post there any more: disable the subscription (it shows in /reminders list)."""
        reason = f"lost access to the channel: {exc.status} {exc.text or type(exc).__name__}"[:200]
        disabled, _ = await self._planner.apply(
            sub.guild_id, partial(self._store.subscriptions.disable, sub.id, reason, datetime.now(UTC))
        )
        if disabled:
            log.warning("disabled reminder subscription %s (guild %s, channel %s): %s", sub.id, sub.guild_id, sub.channel_id, reason)
