"""Pacing TVmaze calls: the window's arithmetic with the time given, then the client against the double.

TVmaze allows 20 calls in any 10 s. Imports go first and always find a slot; searches are dropped
unsent when their autocomplete could not use the answer, or when the member typed on.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.tvmaze.client import Asker, RetryPolicy, TvmazeClient
from bot.tvmaze.pacing import CallWindow, Pacer, Ticket
from bot.tvmaze.records import TvmazeError
from tests.tvmaze_double import TvmazeDouble, serving_catalogue

# --- the window's arithmetic ---------------------------------------------------------------------


def search(window: CallWindow, member: int | None, deadline: float = math.inf) -> Ticket:
    ticket = Ticket(search=True)
    window.claim(ticket, member, deadline)
    window.enqueue(ticket)
    return ticket


def test_searches_leave_the_reserve_to_imports_which_go_first() -> None:
    window = CallWindow(capacity=4, period=10.0, reserve=1)
    searches = [search(window, member) for member in range(6)]
    settled = window.settle(0.0)
    assert settled.granted == searches[:3] and settled.wake_at == 10.0  # three of four: one is kept for imports
    show = Ticket()
    window.enqueue(show)
    assert window.settle(0.5).granted == [show]
    later = Ticket()
    window.enqueue(later)
    settled = window.settle(1.0)
    assert settled.granted == [] and settled.wake_at == 10.0  # the window is full: the import waits first in line
    settled = window.settle(10.0)  # the first three searches left the window
    assert settled.granted == [later, searches[3]] and settled.wake_at == 10.5
    assert window.settle(10.5).granted == [searches[4]]  # the import of 0.5 left: a search may have its slot
    assert window.settle(11.0).wake_at == 20.0


def test_a_search_that_could_not_go_before_its_deadline_is_dropped_at_once() -> None:
    window = CallWindow(capacity=3, period=10.0, reserve=1)
    first, second = search(window, 1), search(window, 2)
    assert window.settle(0.0).granted == [first, second]
    late = search(window, 3, deadline=2.5)  # the next slot for a search is at 10.0
    settled = window.settle(0.1)
    assert settled.dropped == [late] and window.waiting == []
    expired = search(window, 4, deadline=0.1)
    assert window.settle(0.2).dropped == [expired]


def test_a_newer_keystroke_supersedes_the_members_waiting_search_only() -> None:
    window = CallWindow(capacity=2, period=10.0, reserve=1)
    sent = search(window, 1)
    assert window.settle(0.0).granted == [sent]
    mine, theirs = search(window, 1), search(window, 2)
    newer = Ticket(search=True)
    assert window.claim(newer, 1, math.inf) == [mine]  # their older waiting search is taken out
    window.enqueue(newer)
    assert window.waiting == [theirs, newer] and sent not in window.waiting
    shared = Ticket(search=True)
    window.claim(shared, 3, math.inf)
    window.claim(shared, 2, math.inf)  # member 2 moves to the query member 3 waits for
    assert window.waiting == [newer] and theirs.members == set()
    window.enqueue(shared)
    assert window.typed(3) == []  # member 2 still wants it
    assert window.typed(2) == [shared]
    assert window.typed(None) == []


def test_a_search_superseded_before_it_waited_is_dropped_when_it_comes() -> None:
    window = CallWindow(capacity=2, period=10.0, reserve=1)
    early = Ticket(search=True)
    window.claim(early, 1, math.inf)
    assert window.typed(1) == []  # not waiting yet
    window.enqueue(early)
    assert window.settle(0.0).dropped == [early]


def test_a_429_holds_every_call_and_drops_searches_that_cannot_wait_so_long() -> None:
    window = CallWindow(capacity=20, period=10.0, reserve=5)
    window.hold(3.0)
    show, quick, patient = Ticket(), search(window, 1, deadline=2.0), search(window, 2, deadline=5.0)
    window.enqueue(show)
    settled = window.settle(0.0)
    assert (settled.granted, settled.dropped, settled.wake_at) == ([], [quick], 3.0)
    assert window.settle(3.0).granted == [show, patient]


def test_no_period_ever_holds_more_calls_than_the_capacity() -> None:
    rng = random.Random(23)
    window = CallWindow(capacity=5, period=1.0, reserve=2)
    sent: list[tuple[float, bool]] = []
    now = 0.0
    for _ in range(2_000):
        now += rng.choice((0.0, 0.01, 0.05, 0.2))
        if rng.random() < 0.5:
            if rng.random() < 0.3:
                window.enqueue(Ticket())
            else:
                search(window, rng.randrange(4), deadline=now + rng.choice((0.1, 0.5, math.inf)))
        sent += [(now, ticket.search) for ticket in window.settle(now).granted]
    for at, _ in sent:
        inside = [kind for when, kind in sent if at <= when < at + 1.0]
        assert len(inside) <= 5 and sum(inside) <= 3


# --- the client against the double ---------------------------------------------------------------

FAST = RetryPolicy(retries=3, backoff=0.05, max_rate_limited_wait=5.0)


@pytest.fixture
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue() as double:
        yield double


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


def in_(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


async def test_an_import_is_never_queued_behind_searches(tvmaze: TvmazeDouble, session: aiohttp.ClientSession) -> None:
    client = TvmazeClient(session, base_url=tvmaze.base_url, retry=FAST, pacer=Pacer(4, 2.0, reserve=1))
    searches = [asyncio.create_task(client.search_shows(f"q{i}", Asker(i, in_(2.5)))) for i in range(12)]
    await asyncio.sleep(0.1)
    started = time.monotonic()
    assert (await client.show(2)).name == "Harbor Lights"
    assert time.monotonic() - started < 0.5  # not after the nine searches waiting for the next window
    assert tvmaze.requests["/search/shows"] == 3  # the search share of the window: three of four
    outcomes = await asyncio.gather(*searches, return_exceptions=True)
    assert len([o for o in outcomes if isinstance(o, TvmazeError) and o.kind == "dropped"]) == 12 - tvmaze.requests["/search/shows"]


async def test_a_search_is_dropped_unsent_when_its_answer_would_come_too_late(tvmaze, session) -> None:
    client = TvmazeClient(session, base_url=tvmaze.base_url, retry=FAST, pacer=Pacer(3, 10.0, reserve=1))
    await asyncio.gather(client.search_shows("harbor"), client.search_shows("sever"))  # the search share is used
    started = time.monotonic()
    with pytest.raises(TvmazeError) as caught:
        await client.search_shows("daily", Asker(1, in_(2.0)))
    assert caught.value.kind == "dropped" and time.monotonic() - started < 0.1  # no wait for what cannot be
    with pytest.raises(TvmazeError):
        await client.search_shows("undated", Asker(2, in_(-0.1)))  # its interaction is already over
    assert tvmaze.requests["/search/shows"] == 2
    assert (await client.show(1)).name == "Severance"  # the import's reserve is still there


async def test_a_members_newer_keystroke_supersedes_the_older_waiting_one(tvmaze, session) -> None:
    client = TvmazeClient(session, base_url=tvmaze.base_url, retry=FAST, pacer=Pacer(2, 1.0, reserve=1))
    assert await client.search_shows("s", Asker(1, in_(3.0)))
    typed = []
    for query in ("se", "sev", "seve", "sever"):
        typed.append(asyncio.create_task(client.search_shows(query, Asker(1, in_(3.0)))))
        await asyncio.sleep(0.05)
    other = asyncio.create_task(client.search_shows("harbor", Asker(2, in_(3.0))))
    outcomes = await asyncio.gather(*typed, other, return_exceptions=True)
    assert [getattr(o, "kind", "answered") for o in outcomes] == ["dropped", "dropped", "dropped", "answered", "answered"]
    assert tvmaze.requests["/search/shows"] == 3  # "s", then "sever" and member 2's "harbor"


async def test_a_search_two_members_wait_for_goes_when_one_of_them_types_on(tvmaze, session) -> None:
    client = TvmazeClient(session, base_url=tvmaze.base_url, retry=FAST, pacer=Pacer(2, 0.5, reserve=1))
    await client.search_shows("s")
    theirs = asyncio.create_task(client.search_shows("harbor", Asker(2, in_(3.0))))
    mine = asyncio.create_task(client.search_shows("harbor", Asker(1, in_(3.0))))
    await asyncio.sleep(0.05)
    client.typed_on(1)  # answered from the cache: member 1 no longer needs it, member 2 still does
    assert (await theirs)[0].show.id == 2 and (await mine)[0].show.id == 2


async def test_a_429_holds_imports_and_searches_alike(tvmaze, session) -> None:
    tvmaze.fail_429, tvmaze.retry_after = 1, "1"
    client = TvmazeClient(session, base_url=tvmaze.base_url, retry=FAST)
    started = time.monotonic()
    first = asyncio.create_task(client.show(1))
    await asyncio.sleep(0.1)
    await client.show(2)  # asked after the 429: it waits out the same second instead of adding to the load
    assert time.monotonic() - started >= 1.0 and (await first).id == 1
    assert tvmaze.requests["/shows/1"] == 2 and tvmaze.requests["/shows/2"] == 1
