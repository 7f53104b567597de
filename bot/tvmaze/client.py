"""A client of TVmaze's public API that behaves as TVmaze asks its users to.

One session, a User-Agent naming fandex, a total timeout per request, at most 20 calls in any 10 s
(TVmaze's documented per-IP floor; imports before searches, see `bot/tvmaze/pacing.py`), a wait and
retry on 429 (Retry-After when given, holding every call), retries with back-off on 5xx and broken
connections, and an in-memory cache so a repeated search or show costs nothing. A show comes with its
episodes, cast and crew embedded: one request. An answer is read as it streams, up to a size per kind
(`BodyLimits`): a bigger one is dropped unread, and neither cached nor imported.
Every failure is a `TvmazeError` whose message a user may read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal, TypeVar

import aiohttp

from bot.retry_after import retry_after
from bot.tvmaze.addresses import TVMAZE_API_BASE
from bot.tvmaze.pacing import Member, Pacer, Ticket
from bot.tvmaze.records import (
    UNREADABLE,
    Episode,
    SearchHit,
    Show,
    TvmazeError,
    parse_episode,
    parse_search,
    parse_show,
    parse_updates,
)
from db.facts.wording import N_, Phrase

log = logging.getLogger(__name__)

UpdatesWindow = Literal["day", "week", "month"]
T = TypeVar("T")
MB = 1024 * 1024
NO_SHOW = N_("TVmaze has no show with id {id}.")


def user_agent() -> str:
    """Names fandex and its version, so TVmaze can tell who is calling."""
    try:
        release = version("fandex")
    except PackageNotFoundError:
        release = "0"
    return f"fandex/{release} (Discord bot for TV fan servers; aiohttp/{aiohttp.__version__})"


@dataclass(frozen=True)
class BodyLimits:
    """The most fandex reads of one answer, in bytes. A search holds at most 10 shows (a few kB each);
    the 10,000-episode show of the tests, with its cast and crew, is about 6 MB."""

    search: int = 2 * MB
    show: int = 32 * MB  # one show with its episodes, cast and crew embedded, or its episode list
    updates: int = 8 * MB  # the updates list: a stamp per show changed within a month


@dataclass(frozen=True)
class Call:
    """One kind of request: where, what its answer is called in a message, and how big it may be."""

    path: str
    params: tuple[tuple[str, str], ...]
    subject: Phrase  # "show 7": what TVmaze sent too much of, or has not
    missing: Phrase  # the sentence for a 404
    limit: int
    search: bool = False  # paced behind imports, and dropped when nobody waits for it any more

    @property
    def key(self) -> tuple[str, str]:
        return self.path, repr(self.params)


@dataclass(frozen=True)
class Asker:
    """Who waits for a search, and until when it is worth sending (event-loop time)."""

    member: Member = None
    send_by: float = math.inf


@dataclass
class _Flight:
    """A call waiting or on the wire, with the ticket later askers of the same search join."""

    task: asyncio.Task[Any]
    ticket: Ticket


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: retries after a 5xx or a broken connection, and how long 429s may hold a call."""

    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    max_rate_limited_wait: float = 30.0


class TvmazeClient:
    """The one way fandex reads TVmaze; `base_url` comes from the `TVMAZE_API_BASE` setting."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str = TVMAZE_API_BASE,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        pacer: Pacer | None = None,
        limits: BodyLimits | None = None,
        cache_ttl: float = 3600.0,
        cache_size: int = 256,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._pacer = pacer or Pacer()
        self.limits = limits or BodyLimits()
        self._cache_ttl, self._cache_size = cache_ttl, cache_size
        self._cache: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        # Calls already waiting or on the wire, so autocomplete keystrokes or two servers adding one show share it.
        self._inflight: dict[tuple[str, str], _Flight] = {}
        self._headers = {"User-Agent": user_agent(), "Accept": "application/json"}

    @classmethod
    @asynccontextmanager
    async def open(cls, base_url: str = TVMAZE_API_BASE, **options: Any) -> AsyncIterator[TvmazeClient]:
        """A client with its own session, closed on leaving."""
        async with aiohttp.ClientSession() as session:
            yield cls(session, base_url=base_url, **options)

    # --- the endpoints fandex uses ------------------------------------------------------------

    async def search_shows(self, query: str, asker: Asker | None = None) -> tuple[SearchHit, ...]:
        """Shows whose name resembles `query`, best first (TVmaze returns at most 10). For autocomplete,
        `asker` names the member (whose next keystroke supersedes this search while it waits) and the
        instant after which the search is dropped unsent."""
        call = Call(
            "/search/shows", (("q", query),), Phrase(N_("this search")), Phrase(N_("TVmaze found nothing.")), self.limits.search,
            search=True,
        )
        return await self._cached(call, parse_search, asker)

    def typed_on(self, member: int) -> None:
        """The member's newer keystroke was answered without TVmaze: their waiting search is not needed."""
        self._pacer.typed(member)

    async def show(self, show_id: int) -> Show:
        """A show with its regular episodes, cast and crew, in one request (TVmaze embeds no specials)."""
        params = (("embed[]", "episodes"), ("embed[]", "cast"), ("embed[]", "crew"))
        call = Call(f"/shows/{show_id}", params, Phrase(N_("show {id}"), id=show_id), Phrase(NO_SHOW, id=show_id), self.limits.show)
        return await self._cached(call, parse_show)

    async def episodes(self, show_id: int) -> tuple[Episode, ...]:
        """Every episode of a show, specials included, which the embedded list leaves out."""

        def parse(data: Any) -> tuple[Episode, ...]:
            if not isinstance(data, list):
                raise TvmazeError("malformed", UNREADABLE, what="expected a list")
            return tuple(parse_episode(item) for item in data)

        call = Call(f"/shows/{show_id}/episodes", (("specials", "1"),), Phrase(N_("the episodes of show {id}"), id=show_id),
                    Phrase(NO_SHOW, id=show_id), self.limits.show)
        return await self._cached(call, parse)

    async def updated_shows(self, since: UpdatesWindow = "day") -> dict[int, int]:
        """Show id → unix time of its last change, for shows changed within `since`; never cached."""
        call = Call(
            "/updates/shows", (("since", since),), Phrase(N_("the updates list")), Phrase(N_("TVmaze has no updates list.")),
            self.limits.updates,
        )
        return parse_updates(await self._get_json(call, Ticket()))

    def forget(self, show_id: int) -> None:
        """Drops a cached show, so the next `show()` asks TVmaze (a refresh after an update)."""
        paths = (f"/shows/{show_id}", f"/shows/{show_id}/episodes")
        for key in [k for k in self._cache if k[0] in paths]:
            del self._cache[key]
        for key in [k for k in self._inflight if k[0] in paths]:
            del self._inflight[key]

    # --- caching, pacing and retrying ---------------------------------------------------------

    async def _cached(self, call: Call, parse: Callable[[Any], T], asker: Asker | None = None) -> T:
        asker = asker or Asker()
        hit = self._cache.get(call.key)
        if hit is not None and hit[0] > time.monotonic():
            self._cache.move_to_end(call.key)
            if call.search:
                self._pacer.typed(asker.member)
            return hit[1]
        flight = self._inflight.get(call.key)
        if flight is None:
            # A task of its own, so a caller that gives up (an autocomplete superseded) neither cancels
            # the others nor wastes the answer: it still lands in the cache.
            ticket = Ticket(search=call.search)
            flight = _Flight(asyncio.create_task(self._fetch(call, parse, ticket)), ticket)
            self._inflight[call.key] = flight
            flight.task.add_done_callback(lambda done: self._settled(call.key, done))
        if call.search:
            self._pacer.claim(flight.ticket, asker.member, asker.send_by)
        return await asyncio.shield(flight.task)

    async def _fetch(self, call: Call, parse: Callable[[Any], T], ticket: Ticket) -> T:
        value = parse(await self._get_json(call, ticket))
        flight = self._inflight.get(call.key)
        if flight is None or flight.task is not asyncio.current_task():
            return value  # forgotten while on the wire: answer the callers, but do not cache what may be stale
        self._cache[call.key] = (time.monotonic() + self._cache_ttl, value)
        self._cache.move_to_end(call.key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value

    def _settled(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        flight = self._inflight.get(key)
        if flight is not None and flight.task is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved, so a failure every caller abandoned is not logged as unhandled

    async def _get_json(self, call: Call, ticket: Ticket) -> Any:
        body = await self._get(call, ticket)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("TVmaze %s answered with unreadable JSON: %s", call.path, exc)
            raise TvmazeError("malformed", UNREADABLE, what="not JSON") from None

    async def _get(self, call: Call, ticket: Ticket) -> bytes:
        failures, limited_for = 0, 0.0
        while True:
            await self._pacer.turn(ticket)
            try:
                async with self._session.get(
                    self.base_url + call.path, params=list(call.params), headers=self._headers, timeout=self._timeout
                ) as response:
                    if response.status == 200:
                        return await _read_capped(response, call)
                    if response.status == 404:
                        raise TvmazeError("not_found", call.missing.template, **call.missing.values)
                    if response.status == 429:
                        wait = retry_after(response.headers.get("Retry-After"))
                        if wait is None:
                            wait = self._retry.backoff * 2 ** min(failures, 6)
                        limited_for += wait
                        if limited_for > self._retry.max_rate_limited_wait:
                            raise TvmazeError("rate_limited", N_("TVmaze is asking fandex to slow down; try again in a minute."))
                        log.info("TVmaze rate-limited %s; every call waits %.1f s", call.path, wait)
                        self._pacer.hold(wait)
                        continue
                    if response.status < 500:
                        log.warning("TVmaze refused %s with HTTP %d", call.path, response.status)
                        raise TvmazeError("unreachable", N_("TVmaze refused the request (HTTP {status})."), status=response.status)
                    problem = f"HTTP {response.status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = type(exc).__name__
            failures += 1
            log.warning("TVmaze %s failed (%s), attempt %d of %d", call.path, problem, failures, self._retry.retries + 1)
            if failures > self._retry.retries:
                raise TvmazeError("unreachable", N_("TVmaze is not answering right now; try again later."))
            await asyncio.sleep(self._retry.backoff * 2 ** (failures - 1))


async def _read_capped(response: aiohttp.ClientResponse, call: Call) -> bytes:
    """The body, read as it streams and given up past `call.limit` bytes (as sent or once decompressed),
    so an endless answer costs at most the limit in memory; leaving unread closes the connection."""
    if (response.content_length or 0) > call.limit:  # compressed or not, it will not fit
        raise _too_large(call)
    chunks, size = [], 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > call.limit:
            raise _too_large(call)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(call: Call) -> TvmazeError:
    log.warning("TVmaze %s sent more than %d bytes; dropped unread", call.path, call.limit)
    return TvmazeError(
        "too_large", N_("TVmaze sent more than {size} MB for {subject}, more than fandex accepts."),
        size=f"{call.limit / MB:g}", subject=call.subject,
    )
