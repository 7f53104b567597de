"""The seam between features: what one feature offers another (or the core) is a Protocol named here,
held by the Bot in a typed slot that its extension fills at setup and empties at teardown.

A feature never reaches another's module or an untyped attribute of the Bot: it asks `bot.services`,
and a service whose extension is not loaded is a `ServiceMissing` that says which, not an AttributeError.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

import discord

from db.facts.models import ReleaseMove
from db.repos.timers import ReconcileResult

S = TypeVar("S")
T = TypeVar("T")
Withdrawal = Callable[[], Awaitable[None]]


class ServiceMissing(RuntimeError):
    """A service was asked for while the extension that provides it is not loaded."""


class PollVotes(Protocol):
    """What the polls' persistent buttons call, whichever process and view the press arrives on."""

    async def vote(self, interaction: discord.Interaction, poll_id: int, option: int) -> None: ...

    async def withdraw(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def cast(self, interaction: discord.Interaction, poll_id: int, choices: Sequence[int]) -> None: ...

    async def open_ranking(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def hold_rank(self, interaction: discord.Interaction, poll_id: int, rank: int, option: int | None) -> None: ...

    async def submit_ranking(self, interaction: discord.Interaction, poll_id: int) -> None: ...

    async def start_ship_from_button(self, interaction: discord.Interaction, first_id: int, second_id: int) -> None: ...


class ReminderReplanning(Protocol):
    """What a change to the fandoms a server follows, or to a fandom's facts, needs of the reminders."""

    async def apply(self, guild_id: int | None, change: Callable[[], Awaitable[T]]) -> tuple[T, ReconcileResult]:
        """Make `change` and re-plan the guild's reminders in one transaction."""
        ...

    async def replan_changed(self) -> None:
        """Re-plan for the packs changed since the last re-plan, once per change across processes."""
        ...

    async def announce_moves(self, pack_key: str, moves: Sequence[ReleaseMove]) -> int:
        """Tell the channels following the pack that releases moved; returns the notices planned."""
        ...


class WatchalongReplanning(Protocol):
    """What a server's own change to its episodes' dates, or to the fandoms it follows, needs of its
    watch-alongs: their threads planned again (a moved episode moves its thread, a removed one cancels it)."""

    async def replan(self, guild_id: int) -> ReconcileResult: ...


class EventsReplanning(Protocol):
    """What a server's own change to its dates, or to the fandoms it follows, needs of its Discord
    Scheduled Events: a sync (in the background: it talks to Discord, no interaction waits on it)."""

    async def replan(self, guild_id: int) -> None: ...


class ServiceSlot(Generic[S]):
    """One service: empty until its extension provides it, empty again once the extension withdraws it."""

    def __init__(self, name: str, extension: str) -> None:
        self.name = name
        self.extension = extension
        self._service: S | None = None
        self._on_withdraw: Withdrawal | None = None

    def provide(self, service: S, *, on_withdraw: Withdrawal | None = None) -> None:
        """Fill the slot (at the extension's setup); `on_withdraw` runs after the slot is emptied again."""
        if self._service is not None:
            raise RuntimeError(f"{self.name} is already provided")
        self._service, self._on_withdraw = service, on_withdraw

    async def withdraw(self) -> None:
        """Empty the slot (at the extension's teardown), then let the service stop its own work."""
        on_withdraw, self._service, self._on_withdraw = self._on_withdraw, None, None
        if on_withdraw is not None:
            await on_withdraw()

    @property
    def current(self) -> S | None:
        """The service, or None for a caller that does without it (a feature not loaded in this bot)."""
        return self._service

    def get(self) -> S:
        """The service, for a caller that cannot do without it."""
        if self._service is None:
            raise ServiceMissing(f"{self.name} is not available: the {self.extension} extension is not loaded")
        return self._service


class Services:
    """The features' services the Bot holds; one typed slot each."""

    def __init__(self) -> None:
        self.poll_votes: ServiceSlot[PollVotes] = ServiceSlot("poll votes", "cogs.polls")
        self.reminder_replanning: ServiceSlot[ReminderReplanning] = ServiceSlot("reminder re-planning", "cogs.countdown")
        self.watchalong_replanning: ServiceSlot[WatchalongReplanning] = ServiceSlot("watch-along re-planning", "cogs.watchalong")
        self.events_replanning: ServiceSlot[EventsReplanning] = ServiceSlot("scheduled events re-sync", "cogs.events")
