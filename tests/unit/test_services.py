"""The seam between features (bot/services.py): a slot is filled at an extension's setup, emptied at its
teardown, and a service asked for while its extension is not loaded is an error that names the extension."""

from __future__ import annotations

from collections.abc import Sequence

import discord
import pytest

from bot.client import services_of
from bot.services import ServiceMissing, Services


class Votes:
    """Stands in for the polls service: what PollVotes asks, and a stop for the slot's withdrawal."""

    def __init__(self) -> None:
        self.stopped = False

    async def vote(self, interaction: discord.Interaction, poll_id: int, option: int) -> None: ...

    async def withdraw(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def start_ship_from_button(self, interaction: discord.Interaction, first_id: int, second_id: int) -> None: ...

    async def cast(self, interaction: discord.Interaction, poll_id: int, choices: Sequence[int]) -> None: ...

    async def open_ranking(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def hold_rank(self, interaction: discord.Interaction, poll_id: int, rank: int, option: int | None) -> None: ...

    async def submit_ranking(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def stop(self) -> None:
        self.stopped = True


async def test_a_slot_is_filled_at_setup_and_emptied_at_teardown() -> None:
    services = Services()
    slot = services.poll_votes
    with pytest.raises(ServiceMissing, match=r"poll votes is not available: the cogs\.polls extension is not loaded"):
        slot.get()
    service = Votes()
    slot.provide(service, on_withdraw=service.stop)
    assert slot.get() is service and slot.current is service
    with pytest.raises(RuntimeError, match="already provided"):
        slot.provide(Votes())
    await slot.withdraw()
    assert service.stopped
    with pytest.raises(ServiceMissing):
        slot.get()
    await slot.withdraw()  # a teardown after a setup that failed early: nothing to do


def test_a_client_that_is_not_fandex_holds_no_services() -> None:
    with pytest.raises(ServiceMissing, match="Client is not a FandexBot"):
        services_of(discord.Client(intents=discord.Intents.none()))
