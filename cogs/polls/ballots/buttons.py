"""Buttons that outlive the process: DynamicItems whose custom_id carries what they act on.

Nothing is registered per poll: one template per kind of button, so start-up costs the same with
ten open polls or ten thousand. State lives in the store; the button only names it.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.client import services_of
from bot.errors import handle_error
from bot.i18n import N_, _
from bot.i18n.items import SpeaksToPresser
from bot.services import PollVotes

WITHDRAW_LABEL = N_("Withdraw my vote")


def poll_votes(interaction: discord.Interaction) -> PollVotes:
    """The polls service, reached through the bot: the button is built by discord.py from its custom_id alone."""
    return services_of(interaction.client).poll_votes.get()


class PollVoteButton(
    SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"poll:(?P<poll>[0-9]{1,19}):(?P<option>[0-9]{1,2})"
):
    def __init__(
        self, poll_id: int, option: int, *, label: str = "vote", style: discord.ButtonStyle = discord.ButtonStyle.primary,
        disabled: bool = False, pressed: discord.ui.Button[Any] | None = None,
    ) -> None:
        # On a press, reuse the button discord.py just parsed from the message instead of building another.
        super().__init__(
            pressed or discord.ui.Button(label=label[:80], style=style, custom_id=f"poll:{poll_id}:{option}", disabled=disabled)
        )
        self.poll_id = poll_id
        self.option = option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PollVoteButton:
        pressed = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["poll"]), int(match["option"]), pressed=pressed)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await poll_votes(interaction).vote(interaction, self.poll_id, self.option)
        except Exception as exc:
            await handle_error(interaction, exc)


class PollWithdrawButton(SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"poll:(?P<poll>[0-9]{1,19}):withdraw"):
    """On a vote's private confirmation: takes the presser's vote in the poll back. It names only the
    poll; whose vote goes is whoever presses (only the voter sees the confirmation)."""

    def __init__(self, poll_id: int, *, pressed: discord.ui.Button[Any] | None = None) -> None:
        super().__init__(
            pressed or discord.ui.Button(label=_(WITHDRAW_LABEL), style=discord.ButtonStyle.secondary, custom_id=f"poll:{poll_id}:withdraw")
        )
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PollWithdrawButton:
        pressed = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["poll"]), pressed=pressed)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await poll_votes(interaction).withdraw(interaction, self.poll_id)
        except Exception as exc:
            await handle_error(interaction, exc)


def withdraw_view(poll_id: int) -> discord.ui.View:
    """The button under a vote's confirmation."""
    return discord.ui.View(timeout=None).add_item(PollWithdrawButton(poll_id))


class ShipPollButton(
    SpeaksToPresser, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"shippoll:(?P<a>[0-9]{1,19}):(?P<b>[0-9]{1,19})"
):
    """Offered by /ship info for a pair with no known relationship: starts `/poll ship` for it."""

    def __init__(self, first_id: int, second_id: int) -> None:
        super().__init__(
            discord.ui.Button(label=_("Start a ship poll"), emoji="💞", style=discord.ButtonStyle.success,
                              custom_id=f"shippoll:{first_id}:{second_id}")
        )
        self.first_id = first_id
        self.second_id = second_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShipPollButton:
        return cls(int(match["a"]), int(match["b"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await poll_votes(interaction).start_ship_from_button(interaction, self.first_id, self.second_id)
        except Exception as exc:
            await handle_error(interaction, exc)


def poll_view(poll_id: int, labels: list[str], *, kind: str, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    styles = [discord.ButtonStyle.success, discord.ButtonStyle.danger, discord.ButtonStyle.secondary] if kind == "ship" else []
    for position, label in enumerate(labels):
        style = styles[position] if position < len(styles) else discord.ButtonStyle.primary
        view.add_item(PollVoteButton(poll_id, position, label=label, style=style, disabled=disabled))
    return view
