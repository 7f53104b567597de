"""Taking ballots: a button press, a select's picks, a ranking built in a private step — each checked
(the poll is this server's, open, and the member holds its role), committed, then confirmed privately
with a "Withdraw my vote" button. Who voted what is never said to anyone but the voter."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Protocol

import discord

from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, literal
from bot.i18n import N_, _, current_locale
from bot.i18n.formats import listing
from bot.wire.payloads import NO_PINGS
from cogs.polls.ballots.buttons import withdraw_view
from cogs.polls.ballots.items import ORDINALS, SUBMIT_LABEL, ranking_view
from cogs.polls.options import ballot_kind
from cogs.polls.runoff import repeated_choice
from cogs.polls.tally import and_list, option_labels
from db import Store
from db.repos.polls import Poll
from db.repos.votes import VoteOutcome, VoteResult

log = logging.getLogger(__name__)

RANKING_LIFETIME = timedelta(minutes=15)  # a ranking step's held choices (its interaction token lives as long)
RANKINGS_KEPT = 10_000  # rankings under way, at most, in memory
CONFIRMATIONS_KEPT = 1_000  # polls (in one language each) whose confirmation view is kept built
CLOSED = N_("This poll has closed.")
FINAL = N_("This poll has closed; its votes are final.")


def role_refusal(role_id: int) -> str:
    """Names the role as a mention — shown as its name, and never a ping (the reply allows no mentions)."""
    role = f"<@&{role_id}>"
    return _("Only members with the {role} role can vote in this poll.", role=role)


def holds_role(user: discord.User | discord.Member, role_id: int) -> bool:
    """Whether the member holds the role, from the role ids the interaction itself carries (no cache)."""
    return isinstance(user, discord.Member) and user._roles.has(role_id)


def ballot_words(poll: Poll, choices: Sequence[int], *, bold: bool = True) -> str:
    """`**A**` · `**A**, **C**` · ranked: `1st **C**, 2nd **A**`."""
    mark = "**" if bold else ""
    labels = option_labels(poll)
    names = [f"{mark}{literal(labels[c])}{mark}" for c in choices if 0 <= c < len(labels)]
    if poll.ranked:
        return ", ".join(f"{_(ORDINALS[i])} {name}" for i, name in enumerate(names))
    return listing(names)


def refusal(outcome: VoteOutcome, poll: Poll) -> str | None:
    """What to tell a member whose ballot the store refused (nothing was stored), or None if it stood."""
    if outcome is VoteOutcome.NO_SUCH_OPTION:
        return _("That option is not part of this poll.")
    if outcome is VoteOutcome.REPEATED:
        return _("Your ranking names one option twice; rank each option once. Nothing was counted.")
    if outcome is VoteOutcome.TOO_MANY:
        return _("This poll takes 1 to {picks} choices per ballot. Nothing was counted.", picks=poll.picks)
    return None


class Refresher(Protocol):
    def request(self, poll_id: int) -> None: ...


class PollSource(Protocol):
    """What the desk needs of the polls service (cogs/polls/service.py): its store, its cached polls, and
    its tally refresher."""

    @property
    def store(self) -> Store: ...

    @property
    def refresher(self) -> Refresher: ...

    async def poll(self, poll_id: int) -> Poll | None: ...

    def forget(self, poll_id: int) -> None: ...


class VoteDesk:
    """What the polls' persistent buttons and selects call (bot/services.py PollVotes)."""

    def __init__(self, service: PollSource, start_ship: Callable[[discord.Interaction, int, int], Awaitable[None]]) -> None:
        self._service = service
        self._store = service.store
        self._start_ship = start_ship
        self._rankings: OrderedDict[tuple[int, int], tuple[float, dict[int, int]]] = OrderedDict()
        self._confirmations: OrderedDict[tuple[int, str], discord.ui.View] = OrderedDict()

    def _confirmation_view(self, poll_id: int) -> discord.ui.View:
        """The Withdraw button under a ballot's confirmation: built once per poll and language (its label is
        in the voter's) and stopped, so discord.py neither rebuilds it nor tracks each private reply's copy
        with a 15-minute timeout task per press — the button is a DynamicItem, found by its custom_id alone
        (as after a restart)."""
        key = (poll_id, current_locale())
        view = self._confirmations.pop(key, None)
        if view is None:
            view = withdraw_view(poll_id)
            view.stop()
        self._confirmations[key] = view
        while len(self._confirmations) > CONFIRMATIONS_KEPT:
            self._confirmations.popitem(last=False)
        return view

    async def start_ship_from_button(self, interaction: discord.Interaction, first_id: int, second_id: int) -> None:
        """/ship info's "Start a ship poll" button."""
        await self._start_ship(interaction, first_id, second_id)

    async def _admit(self, interaction: discord.Interaction, poll_id: int, closed: str = CLOSED) -> Poll:
        """The poll, if this member may vote in it now; otherwise a refusal and nothing stored. `closed`: the
        refusal of a closed poll (a constant marked with N_, said in the member's language)."""
        poll = await self._service.poll(poll_id)
        if poll is None or poll.guild_id != interaction.guild_id:
            raise UserFacingError(_("This poll belongs to another server or no longer exists."))
        if not poll.open:
            raise UserFacingError(_(closed))
        if poll.role_id is not None and not holds_role(interaction.user, poll.role_id):
            raise UserFacingError(role_refusal(poll.role_id))
        return poll

    async def vote(self, interaction: discord.Interaction, poll_id: int, position: int) -> None:
        """A button press: one pick."""
        await self._ballot(interaction, await self._admit(interaction, poll_id), [position])

    async def cast(self, interaction: discord.Interaction, poll_id: int, choices: Sequence[int]) -> None:
        """A select's picks: the member's whole ballot."""
        await self._ballot(interaction, await self._admit(interaction, poll_id), choices)

    async def _ballot(self, interaction: discord.Interaction, poll: Poll, choices: Sequence[int], *, edit: bool = False) -> None:
        """Record the ballot, committed, then confirm it privately. A committed ballot always reaches the
        tally on the message, whether or not the confirmation does."""
        result = await self._store.votes.cast(poll.id, interaction.user.id, choices, discord.utils.utcnow())
        self._check(result, poll)
        if result.outcome is not VoteOutcome.UNCHANGED:
            self._service.refresher.request(poll.id)
        text = self._confirmation(poll, result)
        try:
            if edit:
                await interaction.response.edit_message(content=text, view=self._confirmation_view(poll.id), allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, view=self._confirmation_view(poll.id), allowed_mentions=NO_PINGS
                )
        except discord.HTTPException as exc:  # the ballot counts; only Discord's copy of the confirmation is lost
            log.warning("poll %s: ballot recorded, but its confirmation could not be delivered: %s", poll.id, exc)

    @staticmethod
    def _confirmation(poll: Poll, result: VoteResult) -> str:
        """'Your vote: **A** (changed from B) — you can change it until <in 3 hours>.'"""
        values = {"ballot": ballot_words(poll, result.choices), "until": discord_timestamp(poll.closes_at, "R")}
        if result.outcome is VoteOutcome.CHANGED and result.before:
            before = ballot_words(poll, result.before, bold=False)
            if poll.ranked:
                return _("Your ranking: {ballot} (changed from {before}) — you can change it until {until}.", before=before, **values)
            return _("Your vote: {ballot} (changed from {before}) — you can change it until {until}.", before=before, **values)
        if result.outcome is VoteOutcome.UNCHANGED:
            if poll.ranked:
                return _("Your ranking: {ballot} (unchanged) — you can change it until {until}.", **values)
            return _("Your vote: {ballot} (unchanged) — you can change it until {until}.", **values)
        if poll.ranked:
            return _("Your ranking: {ballot} — you can change it until {until}.", **values)
        return _("Your vote: {ballot} — you can change it until {until}.", **values)

    def _check(self, result: VoteResult, poll: Poll) -> None:
        if result.outcome is VoteOutcome.CLOSED:
            self._service.forget(poll.id)  # the store knows better than the copy
            raise UserFacingError(_(CLOSED))
        if (refused := refusal(result.outcome, poll)) is not None:
            raise UserFacingError(refused)

    async def withdraw(self, interaction: discord.Interaction, poll_id: int) -> None:
        """Take the presser's ballot back, committed before the confirmation says so; the confirmation
        then reads what was withdrawn and loses its button. Pressed twice, the second finds no ballot."""
        poll = await self._admit(interaction, poll_id, FINAL)
        result = await self._store.votes.withdraw(poll_id, interaction.user.id, discord.utils.utcnow())
        if result.outcome is VoteOutcome.CLOSED:
            self._service.forget(poll_id)
            raise UserFacingError(_(FINAL))
        if result.outcome is VoteOutcome.WITHDRAWN and result.before:
            self._service.refresher.request(poll_id)
        text = withdrawal_words(poll, result)
        try:
            await interaction.response.edit_message(content=text, view=None, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:  # the withdrawal stands; only Discord's copy of the answer is lost
            log.warning("poll %s: vote withdrawn, but its confirmation could not be delivered: %s", poll_id, exc)

    # --- ranking, in a private step -----------------------------------------------------------

    async def open_ranking(self, interaction: discord.Interaction, poll_id: int) -> None:
        """The Rank button: a private message with one select per rank and Submit."""
        poll = await self._admit(interaction, poll_id)
        self._rankings.pop((poll_id, interaction.user.id), None)  # a fresh step starts empty, as its selects do
        await interaction.response.send_message(
            # i18n: {submit} is the label of the Submit button
            _("Rank up to {picks} options, your favourite first, then press **{submit}**. Each option may be ranked once.",
              picks=poll.picks, submit=_(SUBMIT_LABEL)),
            ephemeral=True, view=ranking_view(poll), allowed_mentions=NO_PINGS,
        )

    async def hold_rank(self, interaction: discord.Interaction, poll_id: int, rank: int, option: int | None) -> None:
        """A rank chosen in the private step: held in memory until Submit; nothing stored yet."""
        await self._admit(interaction, poll_id)
        key = (poll_id, interaction.user.id)
        __, held = self._rankings.pop(key, (0.0, {}))
        if option is None:
            held.pop(rank, None)
        else:
            held[rank] = option
        self._rankings[key] = (time.monotonic(), held)
        while len(self._rankings) > RANKINGS_KEPT:
            self._rankings.popitem(last=False)
        await interaction.response.defer()  # acknowledged, the message left as the member set it

    async def submit_ranking(self, interaction: discord.Interaction, poll_id: int) -> None:
        """Submit: the held ranks, in order, become the ballot — refused if one option is ranked twice."""
        poll = await self._admit(interaction, poll_id)
        key = (poll_id, interaction.user.id)
        at, held = self._rankings.get(key, (0.0, {}))
        if not held or time.monotonic() - at > RANKING_LIFETIME.total_seconds():
            # i18n: {submit} is the label of the Submit button
            raise UserFacingError(
                _("Choose at least your 1st choice in the selects above, then press **{submit}**.", submit=_(SUBMIT_LABEL))
            )
        ranking = [held[rank] for rank in sorted(held)]
        if (twice := repeated_choice(ranking)) is not None:
            ranks = [_(ORDINALS[rank - 1]) for rank in sorted(held) if held[rank] == twice]
            labels = option_labels(poll)
            name = literal(labels[twice]) if 0 <= twice < len(labels) else _("one option")
            raise UserFacingError(_(
                # i18n: {ranks} are the ranks it was given ("1st and 3rd"); "Submit" is the Submit button
                "**{option}** is ranked twice ({ranks}); rank each option once, then Submit again. Nothing was counted.",
                option=name, ranks=and_list(ranks),
            ))
        await self._ballot(interaction, poll, ranking, edit=True)
        self._rankings.pop(key, None)


def withdrawal_words(poll: Poll, result: VoteResult) -> str:
    """What a press of "Withdraw my vote" did, and how to vote again on this kind of ballot."""
    kind = ballot_kind(len(poll.options), poll.picks, poll.ranked)
    until = discord_timestamp(poll.closes_at, "R")
    if result.outcome is VoteOutcome.WITHDRAWN and result.before:
        ballot = ballot_words(poll, result.before)
        if kind == "buttons":
            return _("Your vote for {ballot} is withdrawn — press an option on the poll to vote again until {until}.",
                     ballot=ballot, until=until)
        if kind == "select":
            return _("Your vote for {ballot} is withdrawn — choose in the poll's menu to vote again until {until}.",
                     ballot=ballot, until=until)
        return _("Your vote for {ballot} is withdrawn — press the poll's Rank button to vote again until {until}.",
                 ballot=ballot, until=until)
    if kind == "buttons":
        return _("You have no vote in this poll to withdraw — press an option on the poll to vote again until {until}.", until=until)
    if kind == "select":
        return _("You have no vote in this poll to withdraw — choose in the poll's menu to vote again until {until}.", until=until)
    return _("You have no vote in this poll to withdraw — press the poll's Rank button to vote again until {until}.", until=until)
