"""Opening a watch-along's thread at its episode's air instant, and closing its rating `days` later.

Posting is once across restarts and processes twice over: the scheduler claims the timer, and the
thread's row is claimed (`WatchThreadRepository.claim`) just before the first call to Discord. What
happens on a refusal depends on how far it got: nothing reached Discord → the claim is given back
(`unclaim`) and the timer ends failed (a missing permission, a channel gone) or is retried (a 5xx, a
429 discord.py gave up on); a starter message already out → never unclaimed, whatever came after: its
buttons work without a thread, so its ids are kept and its rating still closes. A forum post whose
answer was lost (a timeout) is not repeated: Discord keeps no nonce for forum posts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import aiohttp
import discord

from bot.i18n import server_code, speaking
from bot.scheduling.scheduler import Outcome, RetryLater
from bot.wire.pace import Pace
from bot.wire.payloads import NO_PINGS, role_pings
from cogs.watchalong.buttons import starter_view
from cogs.watchalong.planner import WatchAlongPlanner
from cogs.watchalong.planning import air_instant, close_timer
from cogs.watchalong.starter import CLOSED_MARK, closed_line, starter_text, thread_name
from db.repos.timers import Timer
from db.repos.watchalong.threads import WatchThread

if TYPE_CHECKING:
    from bot.client import FandexBot

log = logging.getLogger(__name__)

ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 1440  # Discord's default: a day without messages archives the thread
ThreadParent = discord.TextChannel | discord.ForumChannel


class WatchAlongPosting:
    def __init__(self, bot: FandexBot, planner: WatchAlongPlanner) -> None:
        self._bot = bot
        self._store = bot.store
        self._planner = planner
        # An episode airing in hundreds of servers at once: their posts spread under Discord's global limit.
        self._pace = Pace(bot.settings.discord_burst_rate)

    async def post(self, timer: Timer) -> Outcome:
        """The scheduler's handler at the air instant (or late, after downtime, while the rating is open)."""
        guild_id, release_id = timer.guild_id, int(timer.payload["release_id"])
        assert guild_id is not None
        row = await self._store.watchalong_threads.get(guild_id, release_id)
        if row is None:
            return Outcome.cancelled("the watch-along was stopped or the episode is no longer planned")
        if row.posted_at is not None:
            if row.message_id is None:  # claimed by an attempt that ended before it recorded its post
                return await self._resume(timer, row)
            return await self._already_posted(row)
        if int(row.air_at.timestamp()) != timer.payload["air_at"]:
            return Outcome.cancelled("the episode moved: the timer at its new instant posts it")
        release = await self._store.releases.get(release_id, guild_id)
        watch = await self._store.watchalongs.get(guild_id, release.series_id) if release and release.series_id else None
        if release is None or watch is None:
            return Outcome.cancelled("the episode or the watch-along is gone")
        if air_instant(release) != row.air_at:  # moved by a change no event told of (a moderator's own date)
            await self._planner.replan(guild_id)
            return Outcome.cancelled("the episode moved: re-planned at its new instant")
        if discord.utils.utcnow() >= row.closes_at:
            return Outcome.cancelled(f"too late: its {watch.days}-day window closed while the bot was away")
        channel = await self._channel(row.channel_id)
        shown = (await self._bot.directory.index("series", guild_id)).label(watch.series_id)
        with speaking(self._language(guild_id)):  # the bot posts it on its own: the server's language
            text = starter_text(release, shown or release.title, row.air_at, watch.role_id, rating=watch.rating)
            view = starter_view(release.id, rating=watch.rating)
        name, mentions = thread_name(release), role_pings(watch.role_id)

        await self._bot.scheduler.attempting(timer)
        if await self._store.watchalong_threads.claim(guild_id, release_id, discord.utils.utcnow()) is None:
            return Outcome.done("posted already (by another delivery or process)")
        if not isinstance(channel, ThreadParent):
            await self._store.watchalong_threads.unclaim(guild_id, release_id)
            log.warning("watch-along of guild %s: channel %s is gone or not a text or forum channel", guild_id, row.channel_id)
            return Outcome.failed(f"channel {row.channel_id} is gone or not a text or forum channel")
        try:
            await self._pace.turn()
            if isinstance(channel, discord.ForumChannel):
                made = await channel.create_thread(
                    name=name, content=text, view=view, allowed_mentions=mentions, auto_archive_duration=ARCHIVE_MINUTES
                )
                message_id: int = made.message.id
            else:
                message = await channel.send(text, view=view, allowed_mentions=mentions, nonce=timer.id)
                message_id = message.id
        except (discord.Forbidden, discord.NotFound) as exc:
            await self._store.watchalong_threads.unclaim(guild_id, release_id)
            log.warning("watch-along of guild %s: channel %s refused the post: %s %s", guild_id, channel.id, exc.status, exc.text)
            return Outcome.failed(f"channel {channel.id}: {exc.status} {exc.code} {exc.text}")
        except discord.HTTPException as exc:
            await self._store.watchalong_threads.unclaim(guild_id, release_id)
            if 400 <= exc.status < 500 and exc.status != 429:  # refused for good (a forum that requires a tag: 40067)
                log.warning("watch-along of guild %s: channel %s refused the post: %s %s %s",
                            guild_id, channel.id, exc.status, exc.code, exc.text)
                return Outcome.failed(f"channel {channel.id}: {exc.status} {exc.code} {exc.text}")
            raise RetryLater(f"{exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            if isinstance(channel, discord.ForumChannel):
                log.warning("watch-along of guild %s: a forum post may or may not have been made (%s); not repeated", guild_id, exc)
                return Outcome.failed(f"forum post outcome unknown ({type(exc).__name__}); not repeated")
            await self._store.watchalong_threads.unclaim(guild_id, release_id)  # the nonce guards the repeat
            raise RetryLater(f"{type(exc).__name__}: {exc}", outcome_unknown=True) from exc
        # The starter is out: from here on the row is never unclaimed.
        if isinstance(channel, discord.ForumChannel):
            await self._store.watchalong_threads.record_posted(guild_id, release_id, made.thread.id, message_id)
        else:
            await self._store.watchalong_threads.record_posted(guild_id, release_id, None, message_id)
        if watch.rating:
            await self._plan_close(guild_id, release_id, row)
        if isinstance(channel, discord.ForumChannel):
            return Outcome.done(f"forum post {made.thread.id}")
        return await self._thread_from(message, name, guild_id, release_id)

    def _language(self, guild_id: int) -> str:
        """The server's preferred language: what the bot posts on its own there speaks it (English when
        this process does not have the server)."""
        return server_code(self._bot.get_guild(guild_id))

    async def _channel(self, channel_id: int) -> object:
        """The channel, from the cache or else from Discord: the process delivering a timer need not be
        the one whose shard serves the server (nor connected yet, right after a start). None if gone."""
        await self._bot.wait_until_ready()
        found = self._bot.get_channel(channel_id)
        if found is not None:
            return found
        try:
            return await self._bot.fetch_channel(channel_id)
        except (discord.Forbidden, discord.NotFound):
            return None
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"channel {channel_id}: {exc}") from exc

    async def _thread_from(self, message: discord.PartialMessage, name: str, guild_id: int, release_id: int) -> Outcome:
        """The public thread from a starter message already out. A passing failure (a 429 that outlasted
        discord.py's retries, a 5xx, a lost answer) is retried by the scheduler — a repeat is harmless,
        Discord answers 160004 to a second thread on one message; a refusal ends it, logged: the starter
        stays with its buttons."""
        try:
            await self._pace.turn()
            thread_id = (await message.create_thread(name=name, auto_archive_duration=ARCHIVE_MINUTES)).id
        except discord.HTTPException as exc:
            if exc.code != 160004:  # 160004: started by an earlier attempt whose answer was lost; its id is the message's
                log.warning("watch-along: Discord refused the thread on message %s in channel %s: %s %s %s",
                            message.id, message.channel.id, exc.status, exc.code, exc.text)
                if isinstance(exc, discord.Forbidden | discord.NotFound):
                    return Outcome.failed(f"starter message {message.id} posted, but Discord refused its thread: "
                                          f"{exc.status} {exc.code} {exc.text}")
                raise RetryLater(f"thread on message {message.id}: {exc.status} {exc.text}") from exc
            thread_id = message.id
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"thread on message {message.id}: {type(exc).__name__}: {exc}") from exc
        await self._store.watchalong_threads.record_posted(guild_id, release_id, thread_id, message.id)
        return Outcome.done(f"thread {thread_id}")

    async def _resume(self, timer: Timer, row: WatchThread) -> Outcome:
        """The row was claimed by an earlier delivery of this timer (only one holds it at a time) that
        ended — a crash, the delivery timeout — before it recorded a post. In a text channel the starter
        is sent again with the same nonce: Discord answers with the first one if it went out (the
        scheduler repeats only within the nonce's window). A forum post takes no nonce: not repeated."""
        channel = await self._channel(row.channel_id)
        release = await self._store.releases.get(row.release_id, row.guild_id)
        watch = await self._store.watchalongs.get(row.guild_id, release.series_id) if release and release.series_id else None
        if release is None or watch is None:
            return Outcome.cancelled("the episode or the watch-along is gone")
        if not isinstance(channel, discord.TextChannel):
            log.warning("watch-along of guild %s: an attempt at episode %s in %s ended before it recorded its post; "
                        "a forum post is not repeated", row.guild_id, row.release_id, row.channel_id)
            return Outcome.failed("an earlier attempt ended before recording its post; a forum post is not repeated")
        shown = (await self._bot.directory.index("series", row.guild_id)).label(watch.series_id)
        with speaking(self._language(row.guild_id)):  # the same starter as the first attempt's: the server's language
            text = starter_text(release, shown or release.title, row.air_at, watch.role_id, rating=watch.rating)
            view = starter_view(release.id, rating=watch.rating)
        await self._bot.scheduler.attempting(timer)
        try:
            await self._pace.turn()
            message = await channel.send(text, view=view,
                                         allowed_mentions=role_pings(watch.role_id), nonce=timer.id)
        except (discord.Forbidden, discord.NotFound) as exc:
            return Outcome.failed(f"channel {channel.id}: {exc.status} {exc.code} {exc.text}")
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"resuming the post: {exc}", outcome_unknown=True) from exc
        await self._store.watchalong_threads.record_posted(row.guild_id, row.release_id, None, message.id)
        if watch.rating:
            await self._plan_close(row.guild_id, row.release_id, row)
        return await self._thread_from(message, thread_name(release), row.guild_id, row.release_id)

    async def _already_posted(self, row: WatchThread) -> Outcome:
        """A repeat: after a thread that failed in passing (start it now), or a crash between the post and
        its bookkeeping (the close timer, at least, is there)."""
        watch = None
        release = await self._store.releases.get(row.release_id, row.guild_id)
        if release is not None and release.series_id is not None:
            watch = await self._store.watchalongs.get(row.guild_id, release.series_id)
        if row.message_id is not None and row.closed_at is None and watch is not None and watch.rating:
            await self._plan_close(row.guild_id, row.release_id, row)
        if row.thread_id is None and row.message_id is not None and release is not None:
            channel = await self._channel(row.channel_id)
            if isinstance(channel, discord.TextChannel):  # its guild attached, as create_thread needs
                starter = channel.get_partial_message(row.message_id)
                return await self._thread_from(starter, thread_name(release), row.guild_id, row.release_id)
        return Outcome.done("posted already")

    async def _plan_close(self, guild_id: int, release_id: int, row: WatchThread) -> None:
        if await self._store.timers.add(close_timer(guild_id, release_id, row.closes_at), discord.utils.utcnow()):
            self._bot.scheduler.wake()

    async def close(self, timer: Timer) -> Outcome:
        """Close the rating: the starter's stars disabled, the average and count shown; on an archived
        forum post, unarchived for the edit and archived again."""
        guild_id, release_id = timer.guild_id, int(timer.payload["release_id"])
        assert guild_id is not None
        row = await self._store.watchalong_threads.get(guild_id, release_id)
        if row is None or row.closed_at is not None:
            return Outcome.done("closed already")
        if row.message_id is None:
            await self._store.watchalong_threads.mark_closed(guild_id, release_id, discord.utils.utcnow())
            return Outcome.done("no starter message to edit")
        summary = await self._store.episode_ratings.summary(guild_id, release_id)
        try:
            with speaking(self._language(guild_id)):  # the bot edits its own starter: the server's language
                await self._edit_starter(row, closed_line(summary))
        except (discord.Forbidden, discord.NotFound) as exc:
            await self._store.watchalong_threads.mark_closed(guild_id, release_id, discord.utils.utcnow())
            log.warning("watch-along of guild %s: could not edit the starter of episode %s to close it: %s %s",
                        guild_id, release_id, exc.status, exc.text)
            return Outcome.failed(f"starter {row.message_id}: {exc.status} {exc.code} {exc.text}; closed without the edit")
        except discord.HTTPException as exc:
            raise RetryLater(f"{exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:  # the edit is the same however often it is made
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        await self._store.watchalong_threads.mark_closed(guild_id, release_id, discord.utils.utcnow())
        return Outcome.done(f"{summary.count} rating(s), average {summary.average:.2f}")

    async def _edit_starter(self, row: WatchThread, line: str) -> None:
        assert row.message_id is not None
        forum = isinstance(await self._channel(row.channel_id), discord.ForumChannel)
        # A thread started from a message leaves the message in its parent, editable whatever the
        # thread's state; a forum post's starter is inside the post, refused (50083) while archived.
        archived: discord.Thread | None = None
        if forum and row.thread_id is not None:
            thread = await self._bot.fetch_channel(row.thread_id)
            if isinstance(thread, discord.Thread) and thread.archived:
                archived = await thread.edit(archived=False)
        try:
            where = self._bot.get_partial_messageable(row.thread_id if forum and row.thread_id else row.channel_id,
                                                      guild_id=row.guild_id)
            message = await where.fetch_message(row.message_id)
            kept = [part for part in message.content.split("\n") if not part.startswith(CLOSED_MARK)]
            await message.edit(content="\n".join([*kept, line]), view=starter_view(row.release_id, rating=True, closed=True),
                               allowed_mentions=NO_PINGS)
        finally:
            if archived is not None:
                await archived.edit(archived=True)
