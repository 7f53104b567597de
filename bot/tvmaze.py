"""A client of TVmaze's public API that behaves as TVmaze asks its users to.

One session, a User-Agent naming fandex, a total timeout per request, at most 20 calls per 10 s
(TVmaze's documented per-IP floor) from a token bucket, a wait and retry on 429 (Retry-After when
given), retries with back-off on 5xx and broken connections, and an in-memory cache so a repeated
search or show costs nothing. A show comes with its episodes, cast and crew embedded: one request.
Every failure is a `TvmazeError` whose message a user may read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal, TypeVar

import aiohttp

from db.tvmaze_records import (
    Episode,
    SearchHit,
    Show,
    TvmazeError,
    parse_episode,
    parse_search,
    parse_show,
    parse_updates,
)

log = logging.getLogger(__name__)

TVMAZE_API_BASE = "https://api.tvmaze.com"
UpdatesWindow = Literal["day", "week", "month"]
T = TypeVar("T")


def user_agent() -> str:
    """Names fandex and its version, so TVmaze can tell who is calling."""
    try:
        release = version("fandex")
    except PackageNotFoundError:
        release = "0"
    return f"fandex/{release} (Discord bot for TV fan servers; aiohttp/{aiohttp.__version__})"


class TokenBucket:
    """At most `capacity` calls at once, refilled at `capacity` per `period` seconds; waiters go in order."""

    def __init__(self, capacity: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity, self.period, self._clock = capacity, period, clock
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.capacity / self.period)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) * self.period / self.capacity)


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
        bucket: TokenBucket | None = None,
        cache_ttl: float = 3600.0,
        cache_size: int = 256,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._bucket = bucket or TokenBucket(20, 10.0)
        self._cache_ttl, self._cache_size = cache_ttl, cache_size
        self._cache: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        # Calls already on the wire, so autocomplete keystrokes or two servers adding one show share it.
        self._inflight: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._headers = {"User-Agent": user_agent(), "Accept": "application/json"}

    @classmethod
    @asynccontextmanager
    async def open(cls, base_url: str = TVMAZE_API_BASE, **options: Any) -> AsyncIterator[TvmazeClient]:
        """A client with its own session, closed on leaving."""
        async with aiohttp.ClientSession() as session:
            yield cls(session, base_url=base_url, **options)

    # --- the endpoints fandex uses ------------------------------------------------------------

    async def search_shows(self, query: str) -> tuple[SearchHit, ...]:
        """Shows whose name resembles `query`, best first (TVmaze returns at most 10)."""
        return await self._cached("/search/shows", (("q", query),), parse_search, "TVmaze found nothing.")

    async def show(self, show_id: int) -> Show:
        """A show with its regular episodes, cast and crew, in one request (TVmaze embeds no specials)."""
        params = (("embed[]", "episodes"), ("embed[]", "cast"), ("embed[]", "crew"))
        show = await self._cached(f"/shows/{show_id}", params, parse_show, f"TVmaze has no show with id {show_id}.")
        return show

    async def episodes(self, show_id: int) -> tuple[Episode, ...]:
        """Every episode of a show, specials included, which the embedded list leaves out."""

        def parse(data: Any) -> tuple[Episode, ...]:
            if not isinstance(data, list):
                raise TvmazeError("malformed", "TVmaze sent an answer fandex could not read (expected a list).")
            return tuple(parse_episode(item) for item in data)

        return await self._cached(f"/shows/{show_id}/episodes", (("specials", "1"),), parse, f"TVmaze has no show with id {show_id}.")

    async def updated_shows(self, since: UpdatesWindow = "day") -> dict[int, int]:
        """Show id → unix time of its last change, for shows changed within `since`; never cached."""
        data = await self._get_json("/updates/shows", (("since", since),), "TVmaze has no updates list.")
        return parse_updates(data)

    def forget(self, show_id: int) -> None:
        """Drops a cached show, so the next `show()` asks TVmaze (a refresh after an update)."""
        paths = (f"/shows/{show_id}", f"/shows/{show_id}/episodes")
        for key in [k for k in self._cache if k[0] in paths]:
            del self._cache[key]
        for key in [k for k in self._inflight if k[0] in paths]:
            del self._inflight[key]

    # --- caching, pacing and retrying ---------------------------------------------------------

    async def _cached(self, path: str, params: tuple[tuple[str, str], ...], parse: Callable[[Any], T], missing: str) -> T:
        key = (path, repr(params))
        hit = self._cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            self._cache.move_to_end(key)
            return hit[1]
        task = self._inflight.get(key)
        if task is None:
            # A task of its own, so a caller that gives up (an autocomplete superseded) neither cancels
            # the others nor wastes the answer: it still lands in the cache.
            task = asyncio.create_task(self._fetch(key, path, params, parse, missing))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(task)

    async def _fetch(self, key: tuple[str, str], path: str, params: tuple[tuple[str, str], ...], parse: Callable[[Any], T],
                     missing: str) -> T:
        value = parse(await self._get_json(path, params, missing))
        if self._inflight.get(key) is not asyncio.current_task():
            return value  # forgotten while on the wire: answer the callers, but do not cache what may be stale
        self._cache[key] = (time.monotonic() + self._cache_ttl, value)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value

    def _settled(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved, so a failure every caller abandoned is not logged as unhandled

    async def _get_json(self, path: str, params: tuple[tuple[str, str], ...], missing: str) -> Any:
        body = await self._get(path, params, missing)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("TVmaze %s answered with unreadable JSON: %s", path, exc)
            raise TvmazeError("malformed", "TVmaze sent an answer fandex could not read (not JSON).") from None

    async def _get(self, path: str, params: tuple[tuple[str, str], ...], missing: str) -> bytes:
        failures, limited_for = 0, 0.0
        while True:
            await self._bucket.acquire()
            try:
                async with self._session.get(
                    self.base_url + path, params=list(params), headers=self._headers, timeout=self._timeout
                ) as response:
                    if response.status == 200:
                        return await response.read()
                    if response.status == 404:
                        raise TvmazeError("not_found", missing)
                    if response.status == 429:
                        wait = _retry_after(response.headers.get("Retry-After"))
                        if wait is None:
                            wait = self._retry.backoff * 2 ** min(failures, 6)
                        limited_for += wait
                        if limited_for > self._retry.max_rate_limited_wait:
                            raise TvmazeError("rate_limited", "TVmaze is asking fandex to slow down; try again in a minute.")
                        log.info("TVmaze rate-limited %s; waiting %.1f s", path, wait)
                        await asyncio.sleep(wait)
                        continue
                    if response.status < 500:
                        log.warning("TVmaze refused %s with HTTP %d", path, response.status)
                        raise TvmazeError("unreachable", f"TVmaze refused the request (HTTP {response.status}).")
                    problem = f"HTTP {response.status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = type(exc).__name__
            failures += 1
            log.warning("TVmaze %s failed (%s), attempt %d of %d", path, problem, failures, self._retry.retries + 1)
            if failures > self._retry.retries:
                raise TvmazeError("unreachable", "TVmaze is not answering right now; try again later.")
            await asyncio.sleep(self._retry.backoff * 2 ** (failures - 1))


def _retry_after(header: str | None) -> float | None:
    """Seconds from a Retry-After header (TVmaze's load balancer sends whole seconds), capped at a minute."""
    if header is None:
        return None
    try:
        return min(max(float(header), 0.0), 60.0)
    except ValueError:
        return None
