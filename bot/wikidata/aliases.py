"""Fan names from Wikidata for fandoms made from TVmaze shows: fetched after an import, kept with every
later one.

After each TVmaze import (an add, a refresh, a sync) the fandoms service tells this one, which fetches
the show's names from Wikidata in a task of its own: nobody waits for it, not the `/fandom add` reply
nor the sync pass. A show is asked at most once a day, but at once when its fandom was just made. What
Wikidata gave is stored as given; when it changed, the show is imported again from what the TVmaze
client holds, so the names land (and the facts revision moves) in that import's transaction. Every
import attaches the stored names again (`graft_for`), so TVmaze's re-imports never drop them. Wikidata
down, slow, too big or unreadable costs one warning: the fandom keeps the names it had.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.wikidata.client import WikidataClient
from bot.wikidata.grafting import graft
from bot.wikidata.sparql import WikidataError
from db import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Graft = Callable[[dict[str, Any]], dict[str, Any]]
FETCH_EVERY = timedelta(days=1)


class WikidataAliases:
    """The `ShowNames` service of bot/tvmaze/fandoms.py, from Wikidata."""

    def __init__(self, store: Store, client: WikidataClient, clock: Clock, *, every: timedelta = FETCH_EVERY) -> None:
        self._store = store
        self._client = client
        self._clock = clock
        self._every = every
        self._fetches: dict[int, asyncio.Task[None]] = {}  # show id → its fetch, at most one at a time

    async def graft_for(self, show_id: int) -> Graft | None:
        """What attaches the show's stored Wikidata names to its pack data; None when there are none."""
        show = await self._store.wikidata_names.show(show_id)
        return None if show is None or not show.names else partial(graft, show=show)

    def imported(self, show_id: int, *, first: bool, again: Callable[[], Awaitable[None]]) -> None:
        """The show was imported: fetch its names in the background if due; `again` imports it once more."""
        if show_id in self._fetches:
            return  # the fetch under way lands its names in an import of its own
        task = asyncio.create_task(self._fetch(show_id, first, again), name=f"wikidata-show-{show_id}")
        self._fetches[show_id] = task
        task.add_done_callback(lambda _: self._fetches.pop(show_id, None))

    async def settled(self) -> None:
        """Wait for the fetches under way (tests, and a clean shutdown)."""
        while self._fetches:
            await asyncio.gather(*self._fetches.values(), return_exceptions=True)

    async def close(self) -> None:
        """Stop the fetches under way; what they had not stored is simply fetched next time."""
        for task in list(self._fetches.values()):
            task.cancel()
        await asyncio.gather(*self._fetches.values(), return_exceptions=True)

    async def _fetch(self, show_id: int, first: bool, again: Callable[[], Awaitable[None]]) -> None:
        try:
            last = await self._store.wikidata_names.fetched_at(show_id)
            if not first and last is not None and self._clock() - last < self._every:
                return
            try:
                series, names = await self._client.show_names(show_id)
            except WikidataError as exc:
                log.warning("Wikidata: no names for TVmaze show %d this time (%s); its fandom keeps what it had", show_id, exc)
                return
            if not await self._store.wikidata_names.save(show_id, series, names, self._clock()):
                log.info("Wikidata: the names of TVmaze show %d are unchanged", show_id)
                return
            log.info("Wikidata: %d name(s) for TVmaze show %d (%s); importing it again", len(names), show_id, series)
            await again()
        except Exception:  # a bug here must not go unheard, nor reach the import that asked
            log.exception("Wikidata names of TVmaze show %d failed", show_id)
