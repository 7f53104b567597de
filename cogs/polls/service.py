"""Running polls: posting them, taking votes, keeping the tally on the message, closing them on time."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from bot.errors import UserFacingError
from bot.formatting import discord_timestamp
from bot.scheduler import Outcome, RetryLater
from bot.wire import NO_PINGS, SpecReference
from cogs.polls.buttons import poll_view
from cogs.polls.cards import canon_summary, poll_card
from cogs.polls.tally import Tally, result_sentence, tally
from db.polls import NewPoll, Poll, PollOption
from db.timers import Timer
from db.votes import VoteOutcome

if TYPE_CHECKING:
    from bot.client import FandexBot

log = logging.getLogger(__name__)

DEADLINE = "poll_close"
DEFAULT_DURATION = timedelta(hours=24)
SHIP_OPTIONS = ("Yes", "No", "It's complicated")
EDIT_INTERVAL = 1.0  # seconds between edits of one poll's message, whatever the voting rate


class TallyRefresher:
    """Coalesces tally edits: at most one per poll per EDIT_INTERVAL, and the last one always reads
    every vote committed before it (a vote committed during an edit marks the poll for another)."""

    def __init__(self, edit: Callable[[int], Awaitable[None]], interval: float = EDIT_INTERVAL) -> None:
        self._edit = edit
        self._interval = interval
        self._dirty: set[int] = set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._last: dict[int, float] = {}

    def request(self, poll_id: int) -> None:
        self._dirty.add(poll_id)
        if poll_id not in self._tasks:
            self._tasks[poll_id] = asyncio.create_task(self._run(poll_id), name=f"poll-{poll_id}-tally")

    def posted(self, poll_id: int) -> None:
        """The message was just written (posted or closed): the next edit waits a full interval."""
        self._last[poll_id] = time.monotonic()

    def forget(self, poll_id: int) -> None:
        self._dirty.discard(poll_id)
        self._last.pop(poll_id, None)
        task = self._tasks.pop(poll_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _run(self, poll_id: int) -> None:
        try:
            while poll_id in self._dirty:
                wait = self._last.get(poll_id, float("-inf")) + self._interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._dirty.discard(poll_id)
                self._last[poll_id] = time.monotonic()
                try:
                    await self._edit(poll_id)
                except Exception:
                    log.exception("could not update the tally of poll %s", poll_id)
        finally:
            if self._tasks.get(poll_id) is asyncio.current_task():
                del self._tasks[poll_id]


POLL_CACHE = 10_000  # polls' questions and options, kept in memory: a press then needs no read at all


class PollService:
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store
        self.refresher = TallyRefresher(self._edit_tally)
        self._polls: OrderedDict[int, Poll] = OrderedDict()

    async def poll(self, poll_id: int) -> Poll | None:
        """A poll's question, options and deadline, from memory after the first press.

        Only its open/closed state can change, and the vote itself re-checks that in the store, in
        the same transaction that records the vote; the copy here only saves a read per press.
        """
        cached = self._polls.get(poll_id)
        if cached is not None:
            self._polls.move_to_end(poll_id)
            return cached
        found = await self.store.polls.get(poll_id)
        if found is not None:
            self._polls[poll_id] = found
            if len(self._polls) > POLL_CACHE:
                self._polls.popitem(last=False)
        return found

    def _forget(self, poll_id: int) -> None:
        self._polls.pop(poll_id, None)

    # --- starting ----------------------------------------------------------------------------

    async def start(
        self, interaction: discord.Interaction, *, kind: str, question: str, options: Sequence[PollOption],
        duration: timedelta, hide_results: bool, first_id: int | None = None, second_id: int | None = None,
    ) -> Poll:
        """Store the poll and its deadline, then post it as the interaction's public response."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        now = discord.utils.utcnow()
        poll = await self.store.polls.create(
            NewPoll(interaction.guild_id, interaction.channel_id, interaction.user.id, kind, question, options,
                    now + duration, hide_results, first_id, second_id),
            DEADLINE, now,
        )
        self.bot.scheduler.wake()
        try:
            response = await interaction.response.send_message(
                embed=poll_card(poll, tally([o.label for o in poll.options], {}), await self._canon(poll)),
                view=poll_view(poll.id, [o.label for o in poll.options], kind=poll.kind),
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
            raise UserFacingError("One of these characters is no longer in the fact pack.")
        await self.start(
            interaction, kind="ship", question=ship_question(first.name, second.name),
            options=[PollOption(i, label) for i, label in enumerate(SHIP_OPTIONS)],
            duration=DEFAULT_DURATION, hide_results=False, first_id=first.id, second_id=second.id,
        )

    # --- voting ------------------------------------------------------------------------------

    async def vote(self, interaction: discord.Interaction, poll_id: int, position: int) -> None:
        """Record the press, committed, then confirm it privately; the tally edit follows on its own."""
        poll = await self.poll(poll_id)
        if poll is None or poll.guild_id != interaction.guild_id:
            raise UserFacingError("This poll belongs to another server or no longer exists.")
        if not poll.open:
            raise UserFacingError("This poll has closed.")
        result = await self.store.votes.record(poll_id, interaction.user.id, position, discord.utils.utcnow())
        if result.outcome is VoteOutcome.CLOSED:
            self._forget(poll_id)  # the store knows better than the copy
            raise UserFacingError("This poll has closed.")
        if result.outcome is VoteOutcome.NO_SUCH_OPTION:
            raise UserFacingError("That option is not part of this poll.")
        label = discord.utils.escape_markdown(poll.options[position].label)
        note = ""
        if result.outcome is VoteOutcome.CHANGED and result.previous is not None:
            note = f" (changed from {discord.utils.escape_markdown(poll.options[result.previous].label)})"
        elif result.outcome is VoteOutcome.UNCHANGED:
            note = " (unchanged)"
        await interaction.response.send_message(
            f"Your vote: **{label}**{note} — you can change it until {discord_timestamp(poll.closes_at, 'R')}.",
            ephemeral=True,
        )
        if result.outcome is not VoteOutcome.UNCHANGED:
            self.refresher.request(poll_id)

    async def _edit_tally(self, poll_id: int) -> None:
        poll = await self.store.polls.get(poll_id)
        if poll is None or poll.message_id is None or not poll.open:
            return
        embed = poll_card(poll, await self.result(poll), await self._canon(poll))
        await self._message(poll).edit(embed=embed, allowed_mentions=NO_PINGS)

    # --- closing -----------------------------------------------------------------------------

    async def close(self, poll: Poll, closed_by: int | None) -> bool:
        """Close now; False if it was already closed. The message shows the final tally, buttons off."""
        self._forget(poll.id)
        if not await self.store.polls.close(poll.id, discord.utils.utcnow(), closed_by):
            return False
        await self.announce_result(poll.id)
        return True

    async def on_deadline(self, timer: Timer) -> Outcome:
        poll = await self.store.polls.get(timer.payload["poll_id"])
        if poll is None:
            return Outcome.cancelled("the poll no longer exists")
        self._forget(poll.id)
        if poll.open:
            await self.store.polls.close(poll.id, discord.utils.utcnow(), None)
        elif poll.result_message_id is not None:
            return Outcome.cancelled("closed early; the result is posted")
        # Closed by this deadline (maybe by a run that died before posting), or closed early by a
        # member but the result never got posted: post it now. The nonce makes a repeat harmless.
        try:
            await self.announce_result(poll.id)
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise RetryLater(str(exc)) from exc
            return Outcome.failed(f"result not posted: {exc.status} {exc.text}")
        return Outcome.done()

    async def announce_result(self, poll_id: int) -> None:
        """Final edit (tally shown, buttons disabled) and a short "poll closed" post replying to it."""
        self.refresher.forget(poll_id)
        poll = await self.store.polls.get(poll_id)
        if poll is None:
            return
        result = await self.result(poll)
        labels = [o.label for o in poll.options]
        if poll.message_id is not None:
            try:
                await self._message(poll).edit(
                    embed=poll_card(poll, result, await self._canon(poll)),
                    view=poll_view(poll.id, labels, kind=poll.kind, disabled=True),
                    allowed_mentions=NO_PINGS,
                )
            except discord.NotFound:
                log.info("poll %s: its message was deleted; posting the result anyway", poll.id)
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        text = f"📊 Poll #{poll.id} closed: **{discord.utils.escape_markdown(poll.question)}** → {result_sentence(result)}."
        reference = (
            SpecReference(message_id=poll.message_id, channel_id=poll.channel_id, fail_if_not_exists=False)
            if poll.message_id else None
        )
        posted = await channel.send(text[:2000], reference=reference, nonce=f"poll-{poll.id}", allowed_mentions=NO_PINGS)  # type: ignore[arg-type]
        await self.store.polls.set_result_message(poll.id, posted.id)

    # --- reading -----------------------------------------------------------------------------

    async def result(self, poll: Poll) -> Tally:
        return tally([o.label for o in poll.options], await self.store.polls.counts(poll.id))

    async def _canon(self, poll: Poll) -> str | None:
        if poll.kind != "ship" or poll.first_character_id is None or poll.second_character_id is None:
            return None
        relationships = await self.store.characters.relationships_between(
            poll.first_character_id, poll.second_character_id, poll.guild_id
        )
        return canon_summary(relationships)

    def _message(self, poll: Poll) -> discord.PartialMessage:
        assert poll.message_id is not None
        channel = self.bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
        return channel.get_partial_message(poll.message_id)


def ship_question(first: str, second: str) -> str:
    return f"Will {first} and {second} end up together?"
