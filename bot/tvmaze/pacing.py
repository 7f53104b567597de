"""TVmaze's rate limit, shared by imports and by autocomplete searches.

TVmaze allows 20 calls in any 10 s from one address. Every call waits here for a slot. Imports (a show
for `/fandom add`, a refresh, a sync pass) always go before searches, and searches may fill the window
only up to `capacity - reserve`, so an import finds a slot at once however fast members type. A search
exists for one autocomplete answer: it is dropped, never sent, as soon as it could not go out before
its deadline (Discord wants the answer within 3 s of the keystroke), or when every member waiting on it
has typed on (their newer keystroke supersedes it). A 429 holds every call until TVmaze's Retry-After.

`CallWindow` is the arithmetic, with the time passed in; `Pacer` waits on it in the event loop.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from dataclasses import dataclass, field

from bot.tvmaze.records import TvmazeError

Member = int | None  # who wants a search: a Discord user id, or None for a caller that never types on


@dataclass(eq=False)
class Ticket:
    """One call waiting for its slot (a retry waits again with the same ticket)."""

    search: bool = False
    deadline: float = math.inf  # a search not sent by then is useless: the autocomplete has answered
    members: set[Member] = field(default_factory=set)  # a search is dropped when the last of them types on


@dataclass(frozen=True)
class Settlement:
    """What the window decided at one instant: calls to send now, searches to drop, when to look again."""

    granted: list[Ticket]
    dropped: list[Ticket]
    wake_at: float | None


class CallWindow:
    """At most `capacity` calls in any `period` seconds, of which searches may take `capacity - reserve`;
    waiting imports first (in arrival order), then searches."""

    def __init__(self, capacity: int, period: float, reserve: int) -> None:
        if not 0 <= reserve < capacity:
            raise ValueError("the reserve for imports must leave searches at least one call")
        self.capacity, self.period, self.reserve = capacity, period, reserve
        self.waiting: list[Ticket] = []
        self._sent: deque[float] = deque()  # instants of the calls in the last period, oldest first
        self._held_until = -math.inf
        self._latest: dict[Member, Ticket] = {}  # each member's newest search

    def hold(self, until: float) -> None:
        """TVmaze answered 429: no call goes before `until`."""
        self._held_until = max(self._held_until, until)

    def claim(self, ticket: Ticket, member: Member, deadline: float) -> list[Ticket]:
        """`member` wants the search `ticket` sent by `deadline`. Their previous search is theirs no
        longer: the waiting searches this left with nobody wanting them are taken out and returned."""
        superseded = self.typed(member) if self._latest.get(member) is not ticket else []
        if member is not None:
            self._latest[member] = ticket
        ticket.deadline = deadline if not ticket.members else max(ticket.deadline, deadline)
        ticket.members.add(member)
        return superseded

    def typed(self, member: Member) -> list[Ticket]:
        """`member` typed on: their latest search is no longer theirs, and is taken out and returned
        if it waits with nobody else wanting it (one not yet waiting is dropped when it comes)."""
        ticket = self._latest.pop(member, None) if member is not None else None
        if ticket is None:
            return []
        ticket.members.discard(member)
        if ticket.members or ticket not in self.waiting:
            return []
        self.waiting.remove(ticket)
        return [ticket]

    def enqueue(self, ticket: Ticket) -> None:
        self.waiting.append(ticket)

    def withdraw(self, ticket: Ticket) -> None:
        if ticket in self.waiting:
            self.waiting.remove(ticket)

    def settle(self, now: float) -> Settlement:
        """Grant what may go at `now` (each granted call counts from `now`), drop the searches that
        could not go by their deadline, and say when the next waiting call may go."""
        while self._sent and self._sent[0] + self.period <= now:
            self._sent.popleft()
        granted, dropped, wake_at = [], [], None
        planned, last = list(self._sent), now
        for ticket in sorted(self.waiting, key=lambda t: t.search):  # stable: imports first, in order
            at = self._earliest(planned, max(last, self._held_until), self.capacity - self.reserve * ticket.search)
            if ticket.search and (at > ticket.deadline or not ticket.members):
                dropped.append(ticket)
                continue
            planned.append(at)
            last = at
            if at <= now:
                granted.append(ticket)
            elif wake_at is None:
                wake_at = at
        for ticket in granted + dropped:
            self.waiting.remove(ticket)
            for member in ticket.members & self._latest.keys():
                if self._latest[member] is ticket:
                    del self._latest[member]
        self._sent.extend(now for _ in granted)
        return Settlement(granted, dropped, wake_at)

    def _earliest(self, planned: list[float], start: float, limit: int) -> float:
        """The first instant from `start` at which fewer than `limit` of the `planned` calls (sorted,
        none after `start`) fall within the last period."""
        recent = [at for at in planned if at + self.period > start]
        return start if len(recent) < limit else recent[len(recent) - limit] + self.period


class Pacer:
    """The window in the event loop: `await turn(ticket)` returns when the call may go, or raises
    `TvmazeError("dropped")` for a search that is no longer worth sending."""

    def __init__(self, capacity: int = 20, period: float = 10.0, reserve: int = 5) -> None:
        self.window = CallWindow(capacity, period, reserve)
        self._turns: dict[Ticket, asyncio.Future[None]] = {}
        self._timer: asyncio.TimerHandle | None = None

    def claim(self, ticket: Ticket, member: Member, deadline: float) -> None:
        """`member` (None: nobody who types) wants the search `ticket` sent by `deadline` (loop time)."""
        self._drop(self.window.claim(ticket, member, deadline), "a newer keystroke replaced it")

    def typed(self, member: Member) -> None:
        """`member` typed on and was answered without TVmaze: their waiting search is not needed."""
        self._drop(self.window.typed(member), "a newer keystroke replaced it")

    def hold(self, seconds: float) -> None:
        self.window.hold(asyncio.get_running_loop().time() + seconds)

    async def turn(self, ticket: Ticket) -> None:
        turn = asyncio.get_running_loop().create_future()
        self._turns[ticket] = turn
        self.window.enqueue(ticket)
        self._settle()
        try:
            await turn
        except asyncio.CancelledError:
            self.window.withdraw(ticket)
            self._settle()
            raise
        finally:
            del self._turns[ticket]

    def _settle(self) -> None:
        loop = asyncio.get_running_loop()
        settled = self.window.settle(loop.time())
        for ticket in settled.granted:
            if not self._turns[ticket].done():  # else cancelled, and withdrawn as soon as it runs
                self._turns[ticket].set_result(None)
        self._drop(settled.dropped, "its answer would come too late")
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None if settled.wake_at is None else loop.call_at(settled.wake_at, self._settle)

    def _drop(self, tickets: list[Ticket], why: str) -> None:
        for ticket in tickets:
            turn = self._turns.get(ticket)
            if turn is not None and not turn.done():
                turn.set_exception(TvmazeError("dropped", f"The TVmaze search was not sent: {why}."))
