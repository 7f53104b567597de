"""A client of the Wikidata Query Service that behaves as Wikimedia asks its users to.

One session (shared with the bot's other outside calls), a User-Agent per Wikimedia's policy
(`fandex/<version> (<contact>) aiohttp/<version>`), a total timeout per query, at most two queries
at once (WDQS allows five per address), a wait on 429 that honours Retry-After, retries with back-off
on 5xx and broken connections, an answer read as it streams up to a size cap, and an in-memory cache,
so a show asked twice within the hour costs one query. Every failure is a `WikidataError`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, metadata, version

import aiohttp

from bot.retry_after import retry_after
from bot.wikidata.addresses import WIKIDATA_API_BASE
from bot.wikidata.sparql import WikidataError, parse_show, show_query
from db.repos.packs.wikidata import WikidataName

log = logging.getLogger(__name__)

MB = 1024 * 1024
ABOUT = "Discord bot for TV fan servers"  # said when the package names no project address to contact
FoundNames = tuple[str | None, tuple[WikidataName, ...]]  # the series' item (None: none) and every name


def user_agent() -> str:
    """`fandex/<version> (<contact>) aiohttp/<version>`, as Wikimedia's User-Agent policy asks: the
    project's address when the package names one, so Wikidata's operators can tell who is calling."""
    try:
        release, info = version("fandex"), metadata("fandex")
        urls = [u.split(",", 1)[-1].strip() for u in info.get_all("Project-URL") or []] + list(info.get_all("Home-page") or [])
    except PackageNotFoundError:
        release, urls = "0", []
    contact = next((u for u in urls if u.startswith("https://")), "")
    about = f"{contact}; {ABOUT}" if contact else ABOUT
    return f"fandex/{release} ({about}) aiohttp/{aiohttp.__version__}"


@dataclass(frozen=True)
class WikidataPolicy:
    """How hard and how long: retries after a 5xx or a broken connection, the wait 429s may cost, the
    biggest answer read (a long-running show's cast names in five languages is well under 1 MB)."""

    timeout: float = 20.0  # WDQS stops a query at 60 s; a name lookup that slow is not worth waiting for
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_rate_limited_wait: float = 60.0
    limit: int = 4 * MB
    at_once: int = 2
    cache_ttl: float = 3600.0
    cache_size: int = 128


class WikidataClient:
    """The one way fandex reads Wikidata; `base_url` comes from the `WIKIDATA_API_BASE` setting."""

    def __init__(
        self, session: aiohttp.ClientSession, *, base_url: str = WIKIDATA_API_BASE, policy: WikidataPolicy | None = None
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.policy = policy or WikidataPolicy()
        self._timeout = aiohttp.ClientTimeout(total=self.policy.timeout)
        self._slots = asyncio.Semaphore(self.policy.at_once)
        self._cache: OrderedDict[int, tuple[float, FoundNames]] = OrderedDict()
        self._headers = {"User-Agent": user_agent(), "Accept": "application/sparql-results+json"}

    async def show_names(self, show_id: int) -> FoundNames:
        """The series item of TVmaze show `show_id` (None: Wikidata has none) and the names of it and its characters."""
        hit = self._cache.get(show_id)
        if hit is not None and hit[0] > time.monotonic():
            self._cache.move_to_end(show_id)
            return hit[1]
        async with self._slots:
            body = await self._get(show_query(show_id), f"show {show_id}")
        try:
            found = parse_show(json.loads(body))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise WikidataError("malformed", "Wikidata sent an answer fandex could not read (not JSON).") from None
        self._cache[show_id] = (time.monotonic() + self.policy.cache_ttl, found)
        while len(self._cache) > self.policy.cache_size:
            self._cache.popitem(last=False)
        return found

    async def _get(self, query: str, subject: str) -> bytes:
        """The answer's body; waits out 429s (Retry-After) and retries 5xx and broken connections."""
        failures, limited_for = 0, 0.0
        params = {"query": query, "format": "json"}
        while True:
            try:
                async with self._session.get(
                    f"{self.base_url}/sparql", params=params, headers=self._headers, timeout=self._timeout
                ) as response:
                    if response.status == 200:
                        return await _read_capped(response, self.policy.limit, subject)
                    if response.status == 429:
                        wait = retry_after(response.headers.get("Retry-After"))
                        wait = self.policy.backoff * 2 ** min(failures, 6) if wait is None else wait
                        limited_for += wait
                        if limited_for > self.policy.max_rate_limited_wait:
                            raise WikidataError("rate_limited", "Wikidata is asking fandex to slow down.")
                        log.info("Wikidata rate-limited the query for %s; waiting %.1f s", subject, wait)
                        await asyncio.sleep(wait)
                        continue
                    if response.status < 500:
                        raise WikidataError("unreachable", f"Wikidata refused the query (HTTP {response.status}).")
                    problem = f"HTTP {response.status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = type(exc).__name__
            failures += 1
            log.info("Wikidata query for %s failed (%s), attempt %d of %d", subject, problem, failures, self.policy.retries + 1)
            if failures > self.policy.retries:
                raise WikidataError("unreachable", f"Wikidata is not answering ({problem}).")
            await asyncio.sleep(self.policy.backoff * 2 ** (failures - 1))


async def _read_capped(response: aiohttp.ClientResponse, limit: int, subject: str) -> bytes:
    """The body, read as it streams and given up past `limit` bytes, so an endless answer costs at most the limit."""
    if (response.content_length or 0) > limit:
        raise _too_large(limit, subject)
    chunks, size = [], 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, subject)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int, subject: str) -> WikidataError:
    return WikidataError("too_large", f"Wikidata sent more than {limit / MB:g} MB for {subject}; dropped unread.")
