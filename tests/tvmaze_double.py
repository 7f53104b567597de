"""A local TVmaze: the endpoints fandex uses, on 127.0.0.1, answering with TVmaze's own shapes.

Shows are built by small helpers into an in-memory catalogue; bodies follow https://www.tvmaze.com/api
field for field (nulls included). Faults are switched on per test: 429s with Retry-After, 5xx, a hang,
malformed JSON, an episode whose air date moves between two fetches, a slow answer, TVmaze's own rate
limit (20 calls in any 10 s, then 429), and an endless body streamed in chunks (never held whole).
Every request is counted per path and its User-Agent kept, so tests can assert caching and good manners.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import zlib
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp import web_app as aiohttp_web_app

SITE = "https://www.tvmaze.com"
API = "https://api.tvmaze.com"
US = {"name": "United States", "code": "US", "timezone": "America/New_York"}
SEVERANCE_RATINGS = (8.1, 7.6, 9)  # S1E01–E03 of the default catalogue's show 1; TVmaze may send a whole number


def image(kind: str, number: int) -> dict[str, str]:
    return {
        "medium": f"https://static.tvmaze.com/uploads/images/medium_{kind}/{number // 1000}/{number}.jpg",
        "original": f"https://static.tvmaze.com/uploads/images/original_untouched/{number // 1000}/{number}.jpg",
    }


def network(id: int = 1, name: str = "HBO") -> dict[str, Any]:
    return {"id": id, "name": name, "country": dict(US), "officialSite": f"https://www.{name.lower()}.example"}


def web_channel(id: int = 310, name: str = "Apple TV+") -> dict[str, Any]:
    return {"id": id, "name": name, "country": None, "officialSite": "https://tv.apple.com/"}


def episode(show_id: int, episode_id: int, season: int, number: int | None, aired: datetime | None, *,
            name: str | None = None, type: str = "regular", runtime: int | None = 60,
            rating: float | None = None) -> dict[str, Any]:
    """An episode as TVmaze sends it; `aired=None` gives the unknown date ("" airdate, null airstamp);
    `rating` is TVmaze's `rating.average` (null until members rate it)."""
    name = name or (f"Episode {number}" if number is not None else "Special")
    return {
        "id": episode_id,
        "url": f"{SITE}/episodes/{episode_id}/show-{show_id}-{season}x{number or 0:02d}",
        "name": name,
        "season": season,
        "number": number,
        "type": type,
        "airdate": aired.date().isoformat() if aired else "",
        "airtime": aired.strftime("%H:%M") if aired else "",
        "airstamp": aired.isoformat() if aired else None,
        "runtime": runtime,
        "rating": {"average": rating},
        "image": image("landscape", episode_id) if aired else None,
        "summary": f"<p>{name}.</p>" if aired else None,
        "_links": {"self": {"href": f"{API}/episodes/{episode_id}"}, "show": {"href": f"{API}/shows/{show_id}", "name": "show"}},
    }


def person(person_id: int, name: str) -> dict[str, Any]:
    return {
        "id": person_id, "url": f"{SITE}/people/{person_id}/{name.lower().replace(' ', '-')}", "name": name,
        "country": dict(US), "birthday": "1970-01-01", "deathday": None, "gender": "Female",
        "image": image("portrait", person_id), "updated": 1_700_000_000,
        "_links": {"self": {"href": f"{API}/people/{person_id}"}},
    }


def cast_member(person_id: int, actor: str, character_id: int, character: str) -> dict[str, Any]:
    return {
        "person": person(person_id, actor),
        "character": {
            "id": character_id, "url": f"{SITE}/characters/{character_id}/{character.lower().replace(' ', '-')}",
            "name": character, "image": image("portrait", character_id),
            "_links": {"self": {"href": f"{API}/characters/{character_id}"}},
        },
        "self": False,
        "voice": False,
    }


def crew_member(kind: str, person_id: int, name: str) -> dict[str, Any]:
    return {"type": kind, "person": person(person_id, name)}


@dataclass
class CatalogueShow:
    """A show as TVmaze holds it: the show object and what `embed[]` can add."""

    body: dict[str, Any]
    episodes: list[dict[str, Any]] = field(default_factory=list)
    cast: list[dict[str, Any]] = field(default_factory=list)
    crew: list[dict[str, Any]] = field(default_factory=list)


def show_body(show_id: int, name: str, *, premiered: date | None, channel: dict[str, Any] | None, web: bool = False,
              status: str = "Running", updated: int = 1_700_000_000) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    return {
        "id": show_id, "url": f"{SITE}/shows/{show_id}/{slug}", "name": name, "type": "Scripted", "language": "English",
        "genres": ["Drama", "Mystery"], "status": status, "runtime": 60, "averageRuntime": 58,
        "premiered": premiered.isoformat() if premiered else None, "ended": None,
        "officialSite": f"https://example.com/{slug}", "schedule": {"time": "21:00", "days": ["Friday"]},
        "rating": {"average": 8.4}, "weight": 98,
        "network": None if web else channel, "webChannel": channel if web else None, "dvdCountry": None,
        "externals": {"tvrage": None, "thetvdb": 371980, "imdb": "tt11280740"},
        "image": image("portrait", show_id), "summary": f"<p><b>{name}</b> is a show.</p>", "updated": updated,
        "_links": {"self": {"href": f"{API}/shows/{show_id}"}},
    }


def weekly_show(show_id: int, name: str, *, seasons: int, episodes: int, first: datetime, every: timedelta = timedelta(weeks=1),
                channel: dict[str, Any] | None = None, web: bool = False) -> CatalogueShow:
    """N seasons × M episodes, one each `every` from `first`, seasons back to back, with two cast and one creator."""
    eps = []
    for s in range(1, seasons + 1):
        for n in range(1, episodes + 1):
            aired = first + every * ((s - 1) * episodes + n - 1)
            eps.append(episode(show_id, show_id * 100_000 + s * 1000 + n, s, n, aired))
    body = show_body(show_id, name, premiered=first.date(), channel=channel or (web_channel() if web else network()), web=web)
    cast = [cast_member(show_id * 10 + 1, "Ada Actor", show_id * 10 + 1, "Mark Lead"),
            cast_member(show_id * 10 + 2, "Bea Actor", show_id * 10 + 2, "Helly Second")]
    return CatalogueShow(body, eps, cast, [crew_member("Creator", show_id * 10 + 3, "Dan Creator")])


@dataclass(frozen=True)
class HugeBody:
    """An answer of `size` bytes, far bigger than any real one, made up chunk by chunk as it is sent:
    chunked (no Content-Length), with a true Content-Length (`declared`), or gzip-encoded, where the
    Content-Length is the small compressed size and only the inflated body is huge."""

    size: int
    declared: bool = False
    gzip: bool = False

    def chunks(self, chunk: int = 1 << 16) -> Iterator[bytes]:
        """A JSON object whose one string fills `size` bytes, `chunk` bytes at a time."""
        head, tail = b'{"id": 7, "name": "', b'"}'
        yield head
        filler, left = b"a" * chunk, self.size - len(head) - len(tail)
        while left > 0:
            yield filler[:left]
            left -= chunk
        yield tail

    def compressed(self) -> bytes:
        """The gzip stream of the body (a few hundred kB for hundreds of MB of filler)."""
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        return b"".join(packer.compress(piece) for piece in self.chunks()) + packer.flush()


class TvmazeDouble:
    """The local TVmaze. `await start()`, use `base_url`, `await close()`."""

    def __init__(self) -> None:
        self.shows: dict[int, CatalogueShow] = {}
        self.updates: dict[int, int] = {}
        self.requests: Counter[str] = Counter()  # path → count (faulted requests included)
        self.user_agents: list[str] = []
        self.fail_429 = 0  # the next N requests answer 429
        self.retry_after: str | None = "1"
        self.fail_5xx = 0
        self.hang = 0  # the next N requests never answer (until close)
        self.malformed = 0  # the next N requests answer 200 with broken JSON
        self.delay = 0.0  # seconds every answer takes, as over the internet
        self.rate_limit: tuple[int, float] | None = None  # (calls, seconds): TVmaze's 20 in any 10 s, then 429
        self.huge: dict[str, HugeBody] = {}  # path → an endless answer instead of the real one
        self.streamed: Counter[str] = Counter()  # path → bytes of huge bodies actually sent
        self._answered: deque[float] = deque()  # when the calls within the rate limit's window came
        self.shows_held: asyncio.Event | None = None  # set: a show or its episodes are answered only once it is set
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    def add(self, show: CatalogueShow) -> CatalogueShow:
        self.shows[show.body["id"]] = show
        self.updates[show.body["id"]] = show.body["updated"]
        return show

    def move_episode(self, show_id: int, episode_id: int, to: datetime | None) -> None:
        """Moves one episode's air instant, as TVmaze would after a schedule change, and marks the show updated."""
        show = self.shows[show_id]
        for i, ep in enumerate(show.episodes):
            if ep["id"] == episode_id:
                show.episodes[i] = episode(show_id, episode_id, ep["season"], ep["number"], to, name=ep["name"], type=ep["type"],
                                           rating=ep["rating"]["average"])
        show.body["updated"] += 1
        self.updates[show_id] = show.body["updated"]

    def rate_episode(self, show_id: int, episode_id: int, average: float | None) -> None:
        """Sets one episode's `rating.average`, as members' votes move it on TVmaze, and marks the show updated."""
        show = self.shows[show_id]
        for ep in show.episodes:
            if ep["id"] == episode_id:
                ep["rating"] = {"average": average}
        show.body["updated"] += 1
        self.updates[show_id] = show.body["updated"]

    async def start(self) -> None:
        app = web.Application(middlewares=[self._faults])
        app.router.add_get("/search/shows", self._search)
        app.router.add_get("/shows/{id}", self._show)
        app.router.add_get("/shows/{id}/episodes", self._episodes)
        app.router.add_get("/updates/shows", self._updates)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
        cache = getattr(aiohttp_web_app, "_cached_build_middleware", None)
        if cache is not None:
            cache.cache_clear()

    @web.middleware
    async def _faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests[request.path] += 1
        self.user_agents.append(request.headers.get("User-Agent", ""))
        limited = self._over_rate_limit()
        if limited is not None:
            return limited
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.shows_held is not None and request.path.startswith("/shows/"):
            await self.shows_held.wait()
        if self.hang:
            self.hang -= 1
            await self._closing.wait()
            return web.Response(status=503)
        if self.fail_429:
            self.fail_429 -= 1
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return web.json_response({"name": "Too Many Requests", "status": 429}, status=429, headers=headers)
        if self.fail_5xx:
            self.fail_5xx -= 1
            return web.Response(status=503, text="<html>Service Unavailable</html>", content_type="text/html")
        if self.malformed:
            self.malformed -= 1
            return web.Response(text='{"id": 1, "name": "Sev', content_type="application/json")
        if request.path in self.huge:
            return await self._stream(request, self.huge[request.path])
        return await handler(request)

    def _over_rate_limit(self) -> web.Response | None:
        """TVmaze's limit: beyond `calls` in the last `seconds`, a 429 saying when the oldest leaves the window."""
        if self.rate_limit is None:
            return None
        calls, seconds = self.rate_limit
        now = time.monotonic()
        while self._answered and self._answered[0] + seconds <= now:
            self._answered.popleft()
        if len(self._answered) < calls:
            self._answered.append(now)
            return None
        wait = str(math.ceil(self._answered[0] + seconds - now))
        return web.json_response({"name": "Too Many Requests", "status": 429}, status=429, headers={"Retry-After": wait})

    async def _stream(self, request: web.Request, body: HugeBody) -> web.StreamResponse:
        """Sends the huge body until it ends or the client hangs up, counting what went out."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        pieces: Iterator[bytes] = body.chunks()
        if body.gzip:
            packed = body.compressed()
            response.headers["Content-Encoding"] = "gzip"
            response.content_length = len(packed)
            pieces = iter([packed[i:i + (1 << 16)] for i in range(0, len(packed), 1 << 16)])
        elif body.declared:
            response.content_length = body.size
        await response.prepare(request)
        try:
            for piece in pieces:
                await response.write(piece)
                self.streamed[request.path] += len(piece)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client stopped reading: what it did read is counted
        return response

    def _find(self, request: web.Request) -> CatalogueShow:
        try:
            return self.shows[int(request.match_info["id"])]
        except (KeyError, ValueError):
            raise web.HTTPNotFound(text=json.dumps({"name": "Not Found", "message": "", "code": 0, "status": 404}),
                                   content_type="application/json") from None

    async def _search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "").lower()
        hits = [s.body for s in self.shows.values() if query and query in s.body["name"].lower()][:10]
        return web.json_response([{"score": round(0.9 - i * 0.1, 6), "show": body} for i, body in enumerate(hits)])

    async def _show(self, request: web.Request) -> web.Response:
        show = self._find(request)
        body = dict(show.body)
        embeds = request.query.getall("embed[]", []) + request.query.getall("embed", [])
        # Embedded episodes follow /shows/:id/episodes without `specials=1`: regular episodes only.
        embedded = {name: getattr(show, name) for name in ("episodes", "cast", "crew") if name in embeds}
        if "episodes" in embedded:
            embedded["episodes"] = [ep for ep in show.episodes if ep["type"] == "regular"]
        if embedded:
            body["_embedded"] = embedded
        return web.json_response(body)

    async def _episodes(self, request: web.Request) -> web.Response:
        show = self._find(request)
        specials = request.query.get("specials") == "1"
        return web.json_response([ep for ep in show.episodes if specials or ep["type"] == "regular"])

    async def _updates(self, request: web.Request) -> web.Response:
        return web.json_response({str(k): v for k, v in self.updates.items()})


def default_catalogue(double: TvmazeDouble, now: datetime | None = None) -> None:
    """The shows tests reach for: a weekly network show, a web-channel show whose first three aired
    episodes are rated (the fourth aired unrated, like the ones to come), an empty one, undated
    episodes and specials, and a 10,000-episode soap."""
    now = now or datetime.now(UTC)
    severance = weekly_show(1, "Severance", seasons=2, episodes=9, first=now - timedelta(weeks=3), web=True)
    for ep, average in zip(severance.episodes, SEVERANCE_RATINGS, strict=False):
        ep["rating"] = {"average": average}
    double.add(severance)
    double.add(weekly_show(2, "Harbor Lights", seasons=3, episodes=10, first=now - timedelta(days=800)))
    empty = show_body(3, "Announced Show", premiered=None, channel=network(2, "FX"), status="In Development")
    double.add(CatalogueShow(empty))
    undated = weekly_show(4, "Undated Saga", seasons=1, episodes=2, first=now + timedelta(days=7))
    undated.episodes += [episode(4, 400_001, 1, 3, None), episode(4, 400_002, 1, None, None, name="Holiday Special",
                                                                     type="significant_special")]
    double.add(undated)
    double.add(weekly_show(5, "Daily Soap", seasons=40, episodes=250, first=now - timedelta(days=9_990), every=timedelta(days=1)))


@asynccontextmanager
async def serving_catalogue(now: datetime | None = None) -> AsyncIterator[TvmazeDouble]:
    """The double with the default catalogue around `now`, listening until the block ends."""
    double = TvmazeDouble()
    default_catalogue(double, now)
    await double.start()
    try:
        yield double
    finally:
        await double.close()
