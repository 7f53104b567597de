"""Ballots beyond one button per option: a string select for several picks (or many options), and a
ranked poll's "Rank" button with its private step — one select per rank, then Submit.

Like the vote buttons these are DynamicItems whose custom_id names the poll (and the rank), so they
work after a restart with nothing registered per poll. A select's option values are the options'
positions; the store checks them again when the ballot is cast.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import handle_error
from bot.i18n import N_, _
from bot.i18n.items import SpeaksToPresser
from cogs.polls.ballots.buttons import poll_view, poll_votes
from cogs.polls.options import ballot_kind
from cogs.polls.tally import option_labels
from db.repos.polls import Poll

RANK_LABEL = N_("Rank")
SUBMIT_LABEL = N_("Submit")
ORDINALS = (N_("1st"), N_("2nd"), N_("3rd"), N_("4th"))  # a ranked ballot's ranks, as in "1st **Jancy**"
RANK_PLACEHOLDERS = (N_("Your 1st choice"), N_("Your 2nd choice"), N_("Your 3rd choice"), N_("Your 4th choice"))


def _select_options(poll: Poll) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=label[:100], value=str(o.position))
        for o, label in zip(poll.options, option_labels(poll), strict=True)
    ]


class PollPickSelect(SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"poll:(?P<poll>[0-9]{1,19}):pick"):
    """The select on a pick-several poll's message: choosing sends the whole ballot."""

    def __init__(self, poll_id: int, *, picks: int = 1, options: list[discord.SelectOption] | None = None,
                 disabled: bool = False, pressed: discord.ui.Select[Any] | None = None) -> None:
        placeholder = _("Choose your pick") if picks == 1 else _("Choose up to {picks} options", picks=picks)
        super().__init__(pressed or discord.ui.Select(
            custom_id=f"poll:{poll_id}:pick", placeholder=placeholder, min_values=1, max_values=picks,
            options=options or [], disabled=disabled,
        ))
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PollPickSelect:
        return cls(int(match["poll"]), pressed=item if isinstance(item, discord.ui.Select) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await poll_votes(interaction).cast(interaction, self.poll_id, chosen_positions(self.item.values))
        except Exception as exc:
            await handle_error(interaction, exc)


class PollRankButton(SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"poll:(?P<poll>[0-9]{1,19}):rank"):
    """On a ranked poll's message: opens the presser's private ranking step."""

    def __init__(self, poll_id: int, *, disabled: bool = False, pressed: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(pressed or discord.ui.Button(
            label=_(RANK_LABEL), emoji="🗳️", style=discord.ButtonStyle.primary, custom_id=f"poll:{poll_id}:rank", disabled=disabled,
        ))
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PollRankButton:
        return cls(int(match["poll"]), pressed=item if isinstance(item, discord.ui.Button) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await poll_votes(interaction).open_ranking(interaction, self.poll_id)
        except Exception as exc:
            await handle_error(interaction, exc)


class PollRankSelect(
    SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"poll:(?P<poll>[0-9]{1,19}):rank:(?P<rank>[1-4])"
):
    """One rank of the private ranking step; the choice is held until Submit (nothing is stored yet)."""

    def __init__(self, poll_id: int, rank: int, *, options: list[discord.SelectOption] | None = None,
                 pressed: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(pressed or discord.ui.Select(
            custom_id=f"poll:{poll_id}:rank:{rank}", placeholder=_(RANK_PLACEHOLDERS[rank - 1]),
            min_values=1, max_values=1, options=options or [],
        ))
        self.poll_id = poll_id
        self.rank = rank

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PollRankSelect:
        return cls(int(match["poll"]), int(match["rank"]), pressed=item if isinstance(item, discord.ui.Select) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            positions = chosen_positions(self.item.values)
            await poll_votes(interaction).hold_rank(interaction, self.poll_id, self.rank, positions[0] if positions else None)
        except Exception as exc:
            await handle_error(interaction, exc)


class PollSubmitButton(SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"poll:(?P<poll>[0-9]{1,19}):submit"):
    """Ends the private ranking step: the ranks held so far become the member's ballot."""

    def __init__(self, poll_id: int, *, pressed: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(pressed or discord.ui.Button(
            label=_(SUBMIT_LABEL), style=discord.ButtonStyle.success, custom_id=f"poll:{poll_id}:submit",
        ))
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PollSubmitButton:
        return cls(int(match["poll"]), pressed=item if isinstance(item, discord.ui.Button) else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await poll_votes(interaction).submit_ranking(interaction, self.poll_id)
        except Exception as exc:
            await handle_error(interaction, exc)


BALLOT_ITEMS = (PollPickSelect, PollRankButton, PollRankSelect, PollSubmitButton)


def chosen_positions(values: list[str]) -> list[int]:
    """A select's values as option positions; anything else (a forged value) becomes -1, which the store
    refuses as no such option."""
    return [int(v) if v.isascii() and v.isdigit() and len(v) <= 2 else -1 for v in values]


def ballot_view(poll: Poll, *, disabled: bool = False) -> discord.ui.View:
    """What the poll's message carries to vote with: its buttons, its select, or its Rank button."""
    kind = ballot_kind(len(poll.options), poll.picks, poll.ranked)
    if kind == "buttons":
        return poll_view(poll.id, option_labels(poll), kind=poll.kind, disabled=disabled)
    view = discord.ui.View(timeout=None)
    if kind == "ranked":
        return view.add_item(PollRankButton(poll.id, disabled=disabled))
    return view.add_item(PollPickSelect(poll.id, picks=poll.picks, options=_select_options(poll), disabled=disabled))


def ranking_view(poll: Poll) -> discord.ui.View:
    """The private ranking step: one select per rank (each listing every option), then Submit."""
    view = discord.ui.View(timeout=None)
    for rank in range(1, poll.picks + 1):
        view.add_item(PollRankSelect(poll.id, rank, options=_select_options(poll)))
    return view.add_item(PollSubmitButton(poll.id))
