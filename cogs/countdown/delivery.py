"""Posting what the timers and moderators set in motion: reminders, DMs, "the date moved" notices.

All of it is the bot speaking on its own, so it speaks the server's language (`guild_locale`): a DM
about a server's release too; English without a server, or with one this process does not see."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.formatting import date_words, discord_timestamp, literal
from bot.i18n import _, server_code, speaking
from bot.scheduling.scheduler import Outcome, RetryLater
from bot.wire.direct_messages import open_dm
from bot.wire.payloads import NO_PINGS, role_pings
from cogs.countdown.catalog import ReleaseCatalog
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.timeline import shown_label, starts_at
from cogs.countdown.wanted_timers import Cancelled, stored_title
from db import Store
from db.facts.dates import DEFAULT_ZONE, PartialDate, Precision
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
    when, relative = discord_timestamp(moment, "F"), discord_timestamp(moment, "R")
    if release.is_episode and premiere:
        if offset == 0:
            return ping + _("🎬 {name}, the season premiere, airs now! {when}.", name=name, when=when)
        return ping + _("⏰ {name}, the season premiere, airs {relative} — {when}.", name=name, relative=relative, when=when)
    if release.is_episode:
        if offset == 0:
            return ping + _("🎬 {name} airs now! {when}.", name=name, when=when)
        return ping + _("⏰ {name} airs {relative} — {when}.", name=name, relative=relative, when=when)
    if offset == 0:
        return ping + _("🎬 {name} is out now! Premiered {when}.", name=name, when=when)
    return ping + _("⏰ {name} premieres {relative} — {when}.", name=name, relative=relative, when=when)


def move_text(release: Release, before: datetime, after: datetime, *, barred: bool = False) -> str:
    return _("📅 {name} moved: was {before}, now {after} ({relative})", name=shown_label(release, barred=barred),
             before=discord_timestamp(before, "F"), after=discord_timestamp(after, "F"), relative=discord_timestamp(after, "R"))


def personal_text(release: Release, moment: datetime, *, barred: bool = False) -> str:
    """The /remindme DM; `barred` (an episode past the member's position): its title in spoiler bars."""
    name, when = shown_label(release, barred=barred), discord_timestamp(moment, "F")
    if release.is_episode:
        return _("🎬 {name} airs now — {when}. (You asked me with /remindme.)", name=name, when=when)
    return _("🎬 {name} starts now — {when}. (You asked me with /remindme.)", name=name, when=when)


def in_server(guild: str) -> str:
    """' in **Server**': where a /remindme's release is listed, put after its name."""
    return " " + _("in **{server}**", server=literal(guild))


def remindme_moved_text(release: Release, before: datetime, after: datetime, where: str, *, barred: bool = False) -> str:
    """`where`: `in_server(name)`, or empty."""
    return _(
        "📅 {name}{where} moved: was {before}, now {after} ({relative}). Your /remindme DM comes at the new time.",
        name=shown_label(release, barred=barred), where=where,
        before=discord_timestamp(before, "F"), after=discord_timestamp(after, "F"), relative=discord_timestamp(after, "R"),
    )


def known_date(payload: Mapping[str, Any]) -> str | None:
    """The date a release is known by instead of an exact one, in the language being spoken: from the
    precision and value the plan kept, else (a timer planned before they were kept) its English words."""
    kept = payload.get("known_date")
    if kept:
        return date_words(PartialDate(Precision(kept["precision"]), kept.get("value"), DEFAULT_ZONE))
    return literal(payload["known_as"]) if payload.get("known_as") else None


def remindme_cancelled_text(payload: Mapping[str, Any], before: datetime, guild: str | None, name: str | None = None) -> str:
    """Why a /remindme DM will not come, from what the plan saw when it cancelled it. `name`: the release
    as shown to the member (from the release, at their position) when it is still there; else the
    title the timer kept, which never holds an episode's own title."""
    if name is None:
        kept = stored_title(payload)
        name = f"**{literal(kept)}**" if kept else _("A release you asked me to remind you of")
    where = in_server(guild) if guild else ""
    when = discord_timestamp(before, "F")
    reason = Cancelled(payload["reason"])
    if reason is Cancelled.REMOVED:
        return _("🚫 {name} was removed{where}, so the /remindme DM you'd have had {when} is cancelled.",
                 name=name, where=where, when=when)
    if reason is Cancelled.UNFOLLOWED:
        return _("🚫 {name} is no longer among the fandoms followed{where}, so the /remindme DM you'd have had {when} is cancelled.",
                 name=name, where=where, when=when)
    if reason is Cancelled.PASSED:
        return _("🚫 {name}{where} was moved to a time already past, so the /remindme DM you'd have had {when} is cancelled.",
                 name=name, where=where, when=when)
    known = known_date(payload)
    if known is not None:
        return _(
            "🚫 {name}{where} no longer has an exact date (now {date}), so the /remindme DM you'd have had {when} is cancelled. "
            "If it gets an exact date again, I'll DM you then.",
            name=name, where=where, date=known, when=when,
        )
    return _(
        "🚫 {name}{where} no longer has an exact date, so the /remindme DM you'd have had {when} is cancelled. "
        "If it gets an exact date again, I'll DM you then.",
        name=name, where=where, when=when,
    )


class Delivery:
    def __init__(self, bot: FandexBot, planner: ReminderPlanner, catalog: ReleaseCatalog) -> None:
        self._bot = bot
        self._store: Store = bot.store
        self._planner = planner
        self._catalog = catalog

    def _language(self, guild_id: int | None) -> str:
        """The language of what the bot posts or DMs on its own for `guild_id`: its server's (English without one)."""
        return server_code(self._bot.get_guild(guild_id) if guild_id is not None else None)

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
        with speaking(self._language(sub.guild_id)):
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
        with speaking(self._language(sub.guild_id)):
            text = move_text(release, before, moment, barred=barred)
        return await self._post(timer, sub, text, NO_PINGS)

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
        with speaking(self._language(reminder.guild_id)):  # the DM speaks its release's server's language
            text = personal_text(release, moment, barred=barred)
        return await self._direct_message(timer, reminder.user_id, text)

    async def remindme_notice(self, timer: Timer) -> Outcome:
        """One member told that their /remindme DM moved with its release, or will not come and why."""
        payload = timer.payload
        before = datetime.fromtimestamp(payload["before"], UTC)
        guild = self._bot.get_guild(timer.guild_id) if timer.guild_id is not None else None
        if payload["after"] is None:
            name = await self._name_if_listed(timer)
            with speaking(self._language(timer.guild_id)):
                text = remindme_cancelled_text(payload, before, guild.name if guild is not None else None, name)
            return await self._direct_message(timer, payload["user_id"], text)
        reminder = await self._store.personal_reminders.get(payload["reminder_id"])
        release = await self._store.releases.get(payload["release_id"], timer.guild_id) if reminder is not None else None
        moment = starts_at(release) if release is not None else None
        if release is None or moment is None or int(moment.timestamp()) != payload["after"]:
            return Outcome.cancelled("the release moved again or went: the notice of that tells the member")
        barred = await self._barred(timer.guild_id, None, payload["user_id"], release, timer)
        with speaking(self._language(timer.guild_id)):
            where = in_server(guild.name) if guild is not None else ""
            text = remindme_moved_text(release, before, moment, where, barred=barred)
        return await self._direct_message(timer, payload["user_id"], text)

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

    async def announce(self, guild_id: int, compose: Callable[[], str]) -> int:
        """Post a notice (e.g. a moved date) in every active reminder channel of the guild; returns posts made.
        `compose` writes it, called here in the server's language: a moderator's command sets it in motion,
        but the notice is the bot's own post to the server."""
        with speaking(self._language(guild_id)):
            text = compose()
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
        disabled, __ = await self._planner.apply(
            sub.guild_id, partial(self._store.subscriptions.disable, sub.id, reason, datetime.now(UTC))
        )
        if disabled:
            log.warning("disabled reminder subscription %s (guild %s, channel %s): %s", sub.id, sub.guild_id, sub.channel_id, reason)
