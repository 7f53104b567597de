"""A local Wikidata Query Service: `/sparql` on 127.0.0.1, answering fandex's one query per show with
SPARQL 1.1's JSON results shape (https://www.w3.org/TR/sparql11-results-json/), as WDQS sends it.

Fixtures are keyed by TVmaze show id, read from the query's `wdt:P8600 "ID"`; a show with no fixture
answers an empty result, as WDQS does for a show no item claims. Faults are switched on per test: 429
with Retry-After, 500/503, a hang, malformed JSON, and an endless body. Every request is counted and its
User-Agent kept, so tests can assert that none was made, or that the client behaved.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.tvmaze_double import CatalogueShow, cast_member, network, show_body, weekly_show

ENTITY = "http://www.wikidata.org/entity/"
VARIABLES = ["series", "character", "field", "text"]
_SHOW = re.compile(r'wdt:P8600\s+"(\d+)"')


@dataclass(frozen=True)
class Item:
    """An item's names: labels and aliases by language, and (for a character) its performers' English labels."""

    entity: str
    labels: dict[str, str]
    aliases: dict[str, list[str]] = field(default_factory=dict)
    performers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShowItems:
    series: Item
    characters: tuple[Item, ...] = ()


def bindings(show: ShowItems) -> list[dict[str, Any]]:
    """The rows WDQS would send for fandex's query: one per label, alias or performer."""
    def literal(text: str, lang: str | None = None) -> dict[str, str]:
        term = {"type": "literal", "value": text}
        return term | ({"xml:lang": lang} if lang else {})

    series = {"type": "uri", "value": ENTITY + show.series.entity}
    rows: list[dict[str, Any]] = []
    for item, own in [(show.series, None), *((c, {"type": "uri", "value": ENTITY + c.entity}) for c in show.characters)]:
        where = {"series": series} | ({"character": own} if own else {})
        rows += [where | {"field": literal("label"), "text": literal(t, lang)} for lang, t in item.labels.items()]
        rows += [where | {"field": literal("alias"), "text": literal(t, lang)} for lang, ts in item.aliases.items() for t in ts]
        rows += [where | {"field": literal("performer"), "text": literal(p, "en")} for p in item.performers]
    return rows


class WikidataDouble:
    """The local WDQS. `await start()`, use `base_url`, `await close()`."""

    def __init__(self) -> None:
        self.shows: dict[int, ShowItems] = {}
        self.requests = 0
        self.user_agents: list[str] = []
        self.queried: list[int] = []  # TVmaze ids asked, in order
        self.fail_429 = 0
        self.retry_after: str | None = "1"
        self.fail_5xx = 0
        self.status_5xx = 503
        self.hang = 0
        self.malformed = 0
        self.huge = 0  # the next N answers stream an endless body
        self.held: asyncio.Event | None = None  # set: every answer waits until it is set
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/sparql", self._sparql)
        app.router.add_post("/sparql", self._sparql)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _sparql(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.user_agents.append(request.headers.get("User-Agent", ""))
        query = request.query.get("query") or (await request.post()).get("query")
        found = _SHOW.search(query) if isinstance(query, str) else None
        if found is None:
            return web.Response(status=400, text="MalformedQueryException")
        self.queried.append(int(found.group(1)))
        if self.held is not None:
            await self.held.wait()
        if self.hang:
            self.hang -= 1
            await self._closing.wait()
            return web.Response(status=503)
        if self.fail_429:
            self.fail_429 -= 1
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        if self.fail_5xx:
            self.fail_5xx -= 1
            return web.Response(status=self.status_5xx, text="<html>Service Unavailable</html>", content_type="text/html")
        if self.malformed:
            self.malformed -= 1
            return web.Response(text='{"head": {"vars": ["series"]}, "results": {"bindi', content_type="application/sparql-results+json")
        if self.huge:
            self.huge -= 1
            return await self._endless(request)
        show = self.shows.get(int(found.group(1)))
        body = {"head": {"vars": VARIABLES}, "results": {"bindings": bindings(show) if show else []}}
        return web.json_response(body, content_type="application/sparql-results+json")

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/sparql-results+json"})
        await response.prepare(request)
        try:
            await response.write(b'{"head": {"vars": []}, "results": {"bindings": [')
            for _ in range(100_000):  # 6.5 GB, far past any cap, if nobody stops reading
                await response.write(b"{}, " * 16384)
        except (ConnectionError, RuntimeError):
            pass
        return response


# --- a Game-of-Thrones-like show: the TVmaze side and the Wikidata side ---------------------------

THRONES = 82  # the TVmaze id of the show in both doubles


def thrones_show(first: datetime, show_id: int = THRONES) -> CatalogueShow:
    """The TVmaze side: credited names as TVmaze has them (honorifics included)."""
    show = weekly_show(show_id, "Game of Thrones", seasons=1, episodes=3, first=first)
    show.body = show_body(show_id, "Game of Thrones", premiered=first.date(), channel=network(1, "HBO"))
    show.cast = [
        cast_member(8201, "Emilia Clarke", 8211, "Daenerys Targaryen"),
        cast_member(8202, "Rory McCann", 8212, "Sandor Clegane"),
        cast_member(8203, "Sean Bean", 8213, "Eddard Stark"),
        cast_member(8204, "Natalie Dormer", 8214, "Queen Margaery Tyrell"),
        cast_member(8205, "Conleth Hill", 8215, "Lord Varys"),
        cast_member(8206, "Kit Harington", 8216, "Jon Snow"),
    ]
    return show


THRONES_ITEMS = ShowItems(
    Item("Q23572", {"en": "Game of Thrones", "de": "Game of Thrones", "es": "Juego de tronos"}, {"en": ["GoT"]}),
    (
        Item("Q2649843", {"en": "Daenerys Targaryen", "fr": "Daenerys Targaryen"},
             {"en": ["Khaleesi", "Mother of Dragons", "Dany"], "de": ["Mutter der Drachen"]}, ("Emilia Clarke",)),
        Item("Q1930158", {"en": "Sandor Clegane"}, {"en": ["The Hound"], "fr": ["le Limier"]}, ("Rory McCann",)),
        Item("Q1342596", {"en": "Eddard Stark"}, {"en": ["Ned", "Ned Stark"]}, ("Sean Bean",)),
        Item("Q12900970", {"en": "Margaery Tyrell"}, {"en": ["Little Rose"]}, ("Natalie Dormer",)),
        Item("Q3350010", {"en": "Varys"}, {"en": ["The Spider"]}, ("Conleth Hill",)),
        # Not in the TVmaze cast: its performer credits no one there, so nothing is attached.
        Item("Q1544432", {"en": "Gregor Clegane"}, {"en": ["The Mountain"]}, ("Hafþór Júlíus Björnsson",)),
        # The performer plays Jon Snow on TVmaze, but this item is someone else: no name fits, nothing attached.
        Item("Q99999901", {"en": "Aegon Targaryen"}, {"en": ["The Young Dragon"]}, ("Kit Harington",)),
    ),
)


@asynccontextmanager
async def serving_wikidata(*show_ids: int) -> AsyncIterator[WikidataDouble]:
    """The double with the Thrones fixture (under each of `show_ids`, or THRONES), listening until the block ends."""
    double = WikidataDouble()
    for show_id in show_ids or (THRONES,):
        double.shows[show_id] = THRONES_ITEMS
    await double.start()
    try:
        yield double
    finally:
        await double.close()
