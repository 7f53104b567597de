"""Running polls: posting them, taking votes, keeping the tally on the message, closing them on time."""

from __future__ import annotations

import asyncio
import io
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, literal, truncate
from bot.i18n import N_, _, catalog_code, server_code, speaking
from bot.limits import CONTENT as CONTENT_LIMIT
from bot.scheduling.scheduler import Outcome, RetryLater
from bot.wire.payloads import NO_PINGS, SpecFile, SpecReference
from cogs.polls.ballots.desk import VoteDesk
from cogs.polls.ballots.items import ballot_view
from cogs.polls.cards import canon_summary, poll_card
from cogs.polls.chart import render_chart
from cogs.polls.pair_facts import public_pair_facts
from cogs.polls.refresher import EDIT_INTERVAL, TallyRefresher
from cogs.polls.runoff import instant_runoff
from cogs.polls.tally import Tally, option_labels, result_sentence, tally
from db.repos.polls import VOTERS_HIDDEN, NewPoll, Poll, PollOption
from db.repos.timers import Timer, TimerState

if TYPE_CHECKING:
    from bot.client import FandexBot

log = logging.getLogger(__name__)

DEADLINE = "poll_close"
OPENING = "poll_open"  # a poll made with `opens` is posted when this timer is due
DEFAULT_DURATION = timedelta(hours=24)
# Stored in English as the options' labels; shown in the reader's language (tally.option_labels).
SHIP_OPTIONS = (N_("Yes"), N_("No"), N_("It's complicated"))
EDIT_HOLD = timedelta(seconds=15)  # how long one process may hold a poll's message for an edit (if it dies)
RESULT_POST_WINDOW = timedelta(hours=24)  # a result later than this (the bot was down) is shown, not posted
INTERACTION_LIFETIME = timedelta(minutes=15)  # after this, a poll never posted can no longer appear
CLOSE_WAIT = 5.0  # seconds /poll close waits for the result to be shown and posted
POLL_CACHE = 10_000  # polls' questions and options, kept in memory: a press then needs no read at all


class PollService:
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store
        self.refresher = TallyRefresher(self._edit_tally)
        self._polls: OrderedDict[int, Poll] = OrderedDict()
        self._loading: dict[int, asyncio.Task[Poll | None]] = {}  # first reads under way, shared by their waiters
        self._recovery: asyncio.Task[None] | None = None
        self.desk = VoteDesk(self, self.start_ship_from_button)
        # One writer at a time per poll message: a tally edit under way finishes before the final card,
        # and one that starts after the close sees the poll closed and does nothing.
        self._edit_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def _in_server_language(self, poll: Poll) -> AbstractContextManager[None]:
        """The poll's card and posts are shared and re-drawn by the bot on its own: they speak the server's
        preferred language, whoever's press or command led to them (English when the server is unknown)."""
        return speaking(server_code(self.bot.get_guild(poll.guild_id)))

    def _edit_lock(self, poll_id: int) -> asyncio.Lock:
        lock = self._edit_locks.get(poll_id)
        if lock is None:
            lock = self._edit_locks[poll_id] = asyncio.Lock()
        return lock

    async def poll(self, poll_id: int) -> Poll | None:
        """A poll's question, options and deadline, from memory after the first press.

        Only its open/closed state can change, and the vote itself re-checks that in the store, in
        the same transaction that records the vote; the copy here only saves a read per press.
        Presses arriving while the first read is under way wait for it rather than each reading the
        poll (a burst's first hundred presses would otherwise take every pooled connection).
        """
        cached = self._polls.get(poll_id)
        if cached is not None:
            self._polls.move_to_end(poll_id)
            return cached
        loading = self._loading.get(poll_id)
        if loading is None:
            loading = self._loading[poll_id] = asyncio.create_task(self._load(poll_id), name=f"poll-{poll_id}-read")
        return await asyncio.shield(loading)  # one press given up on must not cancel the others' read

    async def _load(self, poll_id: int) -> Poll | None:
        try:
            found = await self.store.polls.get(poll_id)
        finally:
            self._loading.pop(poll_id, None)
        if found is not None:
            self._polls[poll_id] = found
            if len(self._polls) > POLL_CACHE:
                self._polls.popitem(last=False)
        return found

    def forget(self, poll_id: int) -> None:
        self._polls.pop(poll_id, None)

    def forget_all(self) -> None:
        """Another process closed a poll: drop every copy (the next press of each reads it again)."""
        self._polls.clear()

    # --- start-up and shutdown ---------------------------------------------------------------

    def start_recovery(self) -> None:
        """In the background: bring every open poll's message up to date (see `recover`)."""
        if self._recovery is None:
            self._recovery = asyncio.create_task(self.recover(), name="polls-recovery")

    async def recover(self) -> None:
        """Open polls whose message shows fewer votes than the store holds (an edit pending at the last
        stop), or whose message id was never recorded (a stop right after posting), are refreshed."""
        polls = await self.store.polls.needing_refresh()
        if polls:
            log.info("refreshing %d open poll(s) whose message may be stale", len(polls))
        for poll in polls:
            if poll.message_id is None and await self._find_message(poll) is None:
                if discord.utils.utcnow() - poll.created_at > INTERACTION_LIFETIME:
                    log.warning("poll %s was never posted (no message in its channel); removing it", poll.id)
                    await self.store.polls.discard(poll.id, DEADLINE)
                continue
            self.refresher.request(poll.id)

    async def close_tasks(self) -> None:
        if self._recovery is not None:
            self._recovery.cancel()
            await asyncio.gather(self._recovery, return_exceptions=True)
        await self.refresher.close()

    # --- starting ----------------------------------------------------------------------------

    async def start(
        self, interaction: discord.Interaction, *, kind: str, question: str, options: Sequence[PollOption],
        duration: timedelta, hide_results: bool, first_id: int | None = None, second_id: int | None = None,
        picks: int = 1, ranked: bool = False, role_id: int | None = None, voters: str = VOTERS_HIDDEN,
        opens_at: datetime | None = None,
    ) -> Poll:
        """Store the poll and its deadline, then post it as the interaction's public response — or, with
        `opens_at`, tell the creator privately when its opening timer will post it (`on_opening`).

        If the process stops before the message id is written, the poll finds its message again by
        the custom ids of its buttons (see `_find_message`)."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        now = discord.utils.utcnow()
        poll = await self.store.polls.create(
            NewPoll(interaction.guild_id, interaction.channel_id, interaction.user.id, kind, question, options,
                    (opens_at or now) + duration, hide_results, first_id, second_id, picks, ranked, role_id, voters, opens_at),
            DEADLINE, now, OPENING,
        )
        self.bot.scheduler.wake()
        if opens_at is not None:
            await interaction.response.send_message(
                _("Poll #{id} will be posted in this channel {opens} ({opens_relative}) and close {closes}.",
                  id=poll.id, opens=discord_timestamp(opens_at, "F"), opens_relative=discord_timestamp(opens_at, "R"),
                  closes=discord_timestamp(poll.closes_at, "F")),
                ephemeral=True, allowed_mentions=NO_PINGS,
            )
            return poll
        try:
            # The card is shared and later re-drawn by the bot on its own (each tally, the close): it speaks
            # the server's language from its first post, not the creator's.
            with speaking(catalog_code(interaction.guild_locale)):
                embed = poll_card(poll, tally(option_labels(poll), {}), *await self._pair_facts(poll))
                view = ballot_view(poll)
            response = await interaction.response.send_message(
                embed=embed, view=view,
                allowed_mentions=NO_PINGS,  # the card names its creator; an embed never pings, and nor may the rest
            )
        except BaseException:
            await self.store.polls.discard(poll.id, DEADLINE)  # no message: no poll
            raise
        if response.message_id is not None:
            await self.store.polls.set_message(poll.id, response.message_id)
        self.refresher.posted(poll.id)
        return poll

    async def start_ship_from_button(self, interaction: discord.Interaction, first_id: int, second_id: int) -> None:
        first = await self.store.characters.get(first_id, interaction.guild_id)
        second = await self.store.characters.get(second_id, interaction.guild_id)
        if first is None or second is None:
            raise UserFacingError(_("One of these characters is no longer in the fact pack."))
        with speaking(catalog_code(interaction.guild_locale)):  # the question is the shared card's: the server's language
            question = ship_question(first.name, second.name)
        await self.start(
            interaction, kind="ship", question=question,
            options=[PollOption(i, label) for i, label in enumerate(SHIP_OPTIONS)],
            duration=DEFAULT_DURATION, hide_results=False, first_id=first.id, second_id=second.id,
        )

    async def _edit_tally(self, poll_id: int) -> bool:
        """Show the latest tally; False if another process holds the message now (try again later).

        Across processes one edit at a time holds the poll's message (`take_edit`), at most one per
        EDIT_INTERVAL, and only while the poll is open — so edits never cross, an older tally never
        lands after a newer one, and none lands after the final card.
        """
        async with self._edit_lock(poll_id):
            if not await self.store.polls.take_edit(poll_id, discord.utils.utcnow(), EDIT_HOLD):
                poll = await self.store.polls.get(poll_id)
                return poll is None or not poll.open  # closed: nothing more to show; else it is busy
            try:
                poll = await self.store.polls.get(poll_id)  # its tally_version first, then the counts: never newer
                if poll is None or not poll.open:
                    return True
                message_id = await self._find_message(poll)
                if message_id is None:
                    return True
                with self._in_server_language(poll):  # a background edit: the server's language
                    embed = poll_card(poll, await self.result(poll), *await self._pair_facts(poll))
                try:
                    await self._message(poll, message_id).edit(embed=embed, allowed_mentions=NO_PINGS)
                except (discord.NotFound, discord.Forbidden) as exc:
                    log.warning("poll %s: its message can no longer be edited (%s %s); the tally stays as shown",
                                poll.id, exc.status, exc.text)
                await self.store.polls.mark_shown(poll.id, poll.tally_version)
                return True
            finally:
                await self.store.polls.end_edit(poll_id, discord.utils.utcnow() + timedelta(seconds=EDIT_INTERVAL))

    # --- closing -----------------------------------------------------------------------------

    async def close(self, poll: Poll, closed_by: int) -> str:
        """Close now through the poll's deadline timer (brought forward), so an early close is shown and
        posted exactly as a deadline is: once, across crashes. Says how it went."""
        self.forget(poll.id)
        timer_id = await self.store.polls.close_early(poll.id, discord.utils.utcnow(), closed_by, DEADLINE)
        if timer_id is None:
            return _("That poll had already closed.")
        if poll.opens_at is not None:
            return _("Closed before it was posted: it will not be posted.")
        timer = await self.bot.scheduler.settled(timer_id, CLOSE_WAIT)
        if timer is not None and timer.state is TimerState.DONE:
            return _("Closed; the result is posted.")
        return _("Closed; the result will be posted in a moment.")

    async def extend(self, poll: Poll, by: timedelta) -> Poll | None:
        """Close the poll `by` later: its deadline timer moves with it, the card shows the new close (a
        tally edit reads it), and every process drops its copy. None if it closed or is closing now."""
        self.forget(poll.id)
        closes = await self.store.polls.extend(poll.id, by, discord.utils.utcnow(), DEADLINE)
        if closes is None:
            return None
        self.bot.scheduler.wake()
        self.refresher.request(poll.id)
        return await self.poll(poll.id)

    async def on_opening(self, timer: Timer) -> Outcome:
        """A poll made with `opens`: posted in its channel, once — a retry after a crash finds the message
        it already posted by its custom ids, and the nonce makes a repeated send return the first."""
        poll = await self.store.polls.get(timer.payload["poll_id"])
        if poll is None or not poll.open or poll.opens_at is None:
            return Outcome.cancelled("the poll is gone, closed, or posted already")
        try:
            message_id = await self._find_message(poll)
            if message_id is None:
                await self.bot.scheduler.attempting(timer)
                channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
                with self._in_server_language(poll):  # posted by the bot on its own: the server's language
                    embed, view = poll_card(poll, tally(option_labels(poll), {})), ballot_view(poll)
                posted = await channel.send(embed=embed, view=view, nonce=f"poll-open-{poll.id}", allowed_mentions=NO_PINGS)
                message_id = posted.id
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            return _undelivered(exc, "poll not posted")
        await self.store.polls.mark_posted(poll.id, message_id)
        self.forget(poll.id)
        self.refresher.posted(poll.id)
        return Outcome.done(f"posted as message {message_id}")

    async def on_deadline(self, timer: Timer) -> Outcome:
        """A poll's deadline (or an early close): closed, final card on the message, result posted —
        however late; only a result more than RESULT_POST_WINDOW late is shown without a post."""
        poll = await self.store.polls.get(timer.payload["poll_id"])
        if poll is None:
            return Outcome.cancelled("the poll no longer exists")
        self.forget(poll.id)
        self.refresher.forget(poll.id)
        if poll.open:
            await self.store.polls.close(poll.id, min(poll.closes_at, discord.utils.utcnow()), None)
            poll = await self.store.polls.get(poll.id)
            assert poll is not None
        if poll.result_message_id is not None:
            return Outcome.cancelled("closed already; the result is posted")
        if poll.opens_at is not None:
            return Outcome.cancelled("closed before it was posted: no result to show")
        closed_at = poll.closed_at or poll.closes_at
        late = discord.utils.utcnow() - closed_at
        try:
            with self._in_server_language(poll):  # the final card and the result post: the server's language
                message_id = await self._show_final(poll)
                if late > RESULT_POST_WINDOW:
                    log.info("poll %s closed %s after its deadline: final result shown, not posted", poll.id, late)
                    return Outcome.done(f"closed {late} late: final result shown on the poll, not posted")
                await self.bot.scheduler.attempting(timer)
                posted = await self._post_result(poll, message_id)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            return _undelivered(exc, "result not posted")
        await self.store.polls.set_result_message(poll.id, posted)
        return Outcome.done(f"result message {posted}")

    async def _show_final(self, poll: Poll) -> int | None:
        """The final result on the poll's message (ranked: the winner and the rounds) with its chart as an
        attachment the card's image shows, buttons and select disabled; the message id, if there is one."""
        async with self._edit_lock(poll.id):
            await self._hold_for_final(poll.id)
            message_id = await self._find_message(poll)
            if message_id is None:
                return None
            result = await self.result(poll)
            embed = poll_card(poll, result, *await self._pair_facts(poll))
            charts: list[discord.File] = []
            try:
                png = await asyncio.to_thread(render_chart, poll.question, result)
            except Exception:  # the result stands without its picture
                log.exception("poll %s: its chart could not be drawn; the final card goes without it", poll.id)
            else:
                name = f"poll-{poll.id}.png"
                embed.set_image(url=f"attachment://{name}")
                charts.append(SpecFile(fp=io.BytesIO(png), filename=name))
            try:
                await self._message(poll, message_id).edit(
                    embed=embed, attachments=charts, view=ballot_view(poll, disabled=True), allowed_mentions=NO_PINGS,
                )
            except discord.NotFound:
                log.info("poll %s: its message was deleted; posting the result anyway", poll.id)
                return None
            return message_id

    async def _hold_for_final(self, poll_id: int) -> None:
        """Wait for a tally edit under way in another process to end (it sees the poll closed after it),
        so the final card is the last thing written; a holder that died is outlasted by its lease."""
        give_up = time.monotonic() + EDIT_HOLD.total_seconds() + 1
        while not await self.store.polls.take_edit(poll_id, discord.utils.utcnow(), EDIT_HOLD, final=True):
            if time.monotonic() > give_up:
                log.warning("poll %s: another process held its message past the lease; writing the final card", poll_id)
                return
            await asyncio.sleep(0.2)

    async def _post_result(self, poll: Poll, message_id: int | None) -> int:
        """A short "poll closed" post replying to the poll. The nonce makes a repeat within Discord's
        window return the first post instead of a second."""
        result = await self.result(poll)
        text = _("📊 Poll #{id} closed: **{question}** → {result}.", id=poll.id, question=literal(poll.question),
                 result=result_sentence(result))
        reference = (
            SpecReference(message_id=message_id, channel_id=poll.channel_id, fail_if_not_exists=False)
            if message_id is not None else None
        )
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        posted = await channel.send(
            truncate(text, CONTENT_LIMIT), reference=reference, nonce=f"poll-{poll.id}", allowed_mentions=NO_PINGS,  # type: ignore[arg-type]  # discord.py types the reference as Message-ish; ours is a MessageReference
        )
        return posted.id

    # --- reading -----------------------------------------------------------------------------

    async def result(self, poll: Poll) -> Tally:
        """Ballots per option and how many ballots; a ranked poll counts first choices, and its run-off
        decides the winner."""
        labels = option_labels(poll)  # in the language being spoken
        if not poll.ranked:
            counts, ballots = await self.store.polls.tally(poll.id)
            return tally(labels, counts, ballots)
        cast = [b.choices for b in await self.store.polls.ballots(poll.id)]
        firsts: dict[int, int] = {}
        for choices in cast:
            firsts[choices[0]] = firsts.get(choices[0], 0) + 1
        return tally(labels, firsts, len(cast), instant_runoff(len(labels), cast))

    async def _pair_facts(self, poll: Poll) -> tuple[str | None, tuple[str, ...]]:
        """For a ship poll's card: what the canon says of the pair, and the pair's ship names."""
        if poll.kind != "ship" or poll.first_character_id is None or poll.second_character_id is None:
            return None, ()
        # The card is public in the poll's channel: as far as that channel has watched, whenever it is drawn.
        facts = await public_pair_facts(
            self.bot, poll.guild_id, poll.channel_id, poll.first_character_id, poll.second_character_id, discord.utils.utcnow()
        )
        return canon_summary(facts.relationships, held=facts.held), tuple(n.name for n in facts.names)

    async def _find_message(self, poll: Poll) -> int | None:
        """The poll's message id; if it was never recorded, found in the channel by the custom ids of its
        buttons (they carry the poll id), and recorded. None if it is not there."""
        if poll.message_id is not None:
            return poll.message_id
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        after = discord.Object(discord.utils.time_snowflake((poll.opens_at or poll.created_at) - timedelta(minutes=1)))
        prefix = f"poll:{poll.id}:"
        me = self.bot.user.id if self.bot.user else None
        async for message in channel.history(limit=100, after=after, oldest_first=True):
            if message.author.id != me:
                continue
            custom_ids = [getattr(item, "custom_id", None) or "" for row in message.components for item in getattr(row, "children", [])]
            if any(c.startswith(prefix) for c in custom_ids):
                log.info("poll %s: found its message %s again", poll.id, message.id)
                await self.store.polls.set_message(poll.id, message.id)
                return message.id
        return None

    def _message(self, poll: Poll, message_id: int) -> discord.PartialMessage:
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        return channel.get_partial_message(message_id)


def ship_question(first: str, second: str) -> str:
    """A ship poll's question, stored as asked: call it speaking the server's language (the card's)."""
    return _("Will {first} and {second} end up together?", first=first, second=second)


def _undelivered(exc: discord.HTTPException | aiohttp.ClientError | TimeoutError, what: str) -> Outcome:
    """A post that did not go through: tried again when it may pass (Discord's 5xx or 429, or a connection
    that broke, its outcome unknown), else failed with Discord's reason."""
    if not isinstance(exc, discord.HTTPException):
        raise RetryLater(f"{type(exc).__name__}: {exc}", outcome_unknown=True) from exc
    if exc.status >= 500 or exc.status == 429:
        raise RetryLater(f"{exc.status} {exc.text}") from exc
    return Outcome.failed(f"{what}: {exc.status} {exc.text}")
