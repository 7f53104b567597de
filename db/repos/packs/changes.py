"""The one "facts changed" event: published when an import, a TVmaze refresh or sync, an adoption or a
removal commits in this process, and when the bot notices another process's (bot/scheduling/facts_watch.py).

What is remembered of the facts (name indexes, release views, which packs a guild sees) is stamped with
the `revision` it was built at and built again once the revision moves; what acts on a change (the
reminders' re-plan) subscribes. The revision moves when the change commits, never before: a reader
in between sees the old facts and must not remember them as the new revision's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FactsChange:
    """Committed: the facts of these packs changed (None: which is not known, so treat every pack as changed)."""

    packs: frozenset[str] | None
    revision: int  # the revision this change moved the facts to


FactsSubscriber = Callable[[FactsChange], Awaitable[None]]


class FactsChanges:
    """Who hears of a change, and the revision that counts them."""

    def __init__(self) -> None:
        self.revision = 0  # moved by every change; in-memory copies of the facts compare it to rebuild
        self._subscribers: list[FactsSubscriber] = []

    def subscribe(self, subscriber: FactsSubscriber) -> None:
        """Call `subscriber` after every change from now on, in the order subscribed."""
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: FactsSubscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    async def publish(self, packs: Iterable[str] | None) -> None:
        """The facts of `packs` changed and the change is committed (None: which packs is not known).
        A subscriber that fails is logged: the change stands, and the other subscribers still hear of it."""
        self.revision += 1
        change = FactsChange(None if packs is None else frozenset(packs), self.revision)
        for subscriber in list(self._subscribers):
            try:
                await subscriber(change)
            except Exception:
                log.exception("a subscriber to facts changes failed on %s", change)
