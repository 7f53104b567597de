"""Wikidata's names in a real store (SQLite and PostgreSQL): kept per show, attached to every TVmaze import
of it, fetched in the background after one, at most once a day, and never costing an import anything
when Wikidata fails. Against the local TVmaze and WDQS doubles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.tvmaze.client import RetryPolicy, TvmazeClient
from bot.tvmaze.fandoms import FandomChange, TvmazeFandoms
from bot.wikidata.aliases import WikidataAliases
from bot.wikidata.client import WikidataClient, WikidataPolicy
from db import Store
from db.repos.packs.wikidata import WikidataName
from tests.tvmaze_double import TvmazeDouble, serving_catalogue
from tests.wikidata_double import THRONES, WikidataDouble, serving_wikidata, thrones_show

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
GUILD = 1
KEY = f"tvmaze-{THRONES}"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        double.add(thrones_show(NOW - timedelta(weeks=1)))
        yield double


@pytest.fixture
async def wikidata() -> AsyncIterator[WikidataDouble]:
    async with serving_wikidata() as double:
        yield double


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def services(
    store: Store, tvmaze: TvmazeDouble, wikidata: WikidataDouble, clock: Clock
) -> AsyncIterator[tuple[TvmazeFandoms, WikidataAliases]]:
    async with aiohttp.ClientSession() as session:
        client = TvmazeClient(session, base_url=tvmaze.base_url, retry=RetryPolicy(retries=1, backoff=0.01), timeout=2.0)
        policy = WikidataPolicy(timeout=1.0, retries=1, backoff=0.01, max_rate_limited_wait=1.0, cache_ttl=0)
        wiki = WikidataClient(session, base_url=wikidata.base_url, policy=policy)
        names = WikidataAliases(store, wiki, clock)
        yield TvmazeFandoms(store, client, clock, stale_after=timedelta(hours=12), names=names), names
        await names.close()


async def aliases_of(store: Store, name: str) -> dict[str, str]:
    """The character's other names → the outlet of the source each cites."""
    summary = next(c for c in await store.characters.summaries(GUILD) if c.name == name)
    character = await store.characters.get(summary.id, GUILD)
    assert character is not None
    return {n.name: character.sources[n.source_id].outlet or "" for n in character.names}


async def series_aliases(store: Store) -> tuple[str, ...]:
    (summary,) = [s for s in await store.series.summaries(GUILD) if s.title == "Game of Thrones"]
    series = await store.series.get(summary.id, GUILD)
    assert series is not None
    return series.aliases


async def test_the_names_a_fetch_gave_are_stored_per_show_and_a_change_is_told(store: Store) -> None:
    repo = store.wikidata_names
    assert await repo.show(7) is None and await repo.fetched_at(7) is None
    names = (WikidataName("Q2", "character", "alias", "Khaleesi", "en"), WikidataName("Q1", "series", "alias", "GoT", "en"))
    assert await repo.save(7, "Q1", names, NOW) is True
    stored = await repo.show(7)
    assert stored is not None and stored.series == "Q1" and stored.fetched_at == NOW and set(stored.names) == set(names)
    assert await repo.save(7, "Q1", names, NOW + timedelta(days=1)) is False  # the same again: nothing to import
    assert await repo.fetched_at(7) == NOW + timedelta(days=1)
    assert await repo.save(7, "Q1", names[:1], NOW) is True
    assert (await repo.show(7)).names == names[:1]  # type: ignore[union-attr]
    assert await repo.save(7, None, (), NOW) is True  # the show's item went: its names go too
    assert (await repo.show(7)).names == ()  # type: ignore[union-attr]


async def test_an_added_show_gains_wikidata_names_after_the_add_and_keeps_them_across_re_imports(
    store: Store, services: tuple[TvmazeFandoms, WikidataAliases], tvmaze: TvmazeDouble, wikidata: WikidataDouble,
    clock: Clock,
) -> None:
    fandoms, names = services
    change = await fandoms.add(THRONES)
    assert change.new and change.pack_key == KEY
    await store.fandoms.follow(GUILD, KEY, 7, NOW)
    revision = store.facts.revision
    await names.settled()
    assert store.facts.revision > revision  # the names landed in an import of their own: indexes rebuild
    daenerys = await aliases_of(store, "Daenerys Targaryen")
    assert {"Khaleesi": "Wikidata", "Mother of Dragons": "Wikidata", "Dany": "Wikidata"}.items() <= daenerys.items()
    assert (await aliases_of(store, "Sandor Clegane"))["The Hound"] == "Wikidata"
    assert "Ned" in await aliases_of(store, "Eddard Stark")
    assert await aliases_of(store, "Jon Snow") == {}  # his performer's other item names no one here
    assert "GoT" in await series_aliases(store)
    assert wikidata.requests == 1

    # TVmaze changes the show: the sync's import replaces the pack's names, and Wikidata's come back with it,
    # without asking Wikidata again within the day.
    clock.now += timedelta(hours=13)
    episode = tvmaze.shows[THRONES].episodes[-1]
    tvmaze.move_episode(THRONES, episode["id"], NOW + timedelta(weeks=8))
    changes = await fandoms.sync_pass()
    assert [c.pack_key for c in changes] == [KEY] and changes[0].report.changed
    await names.settled()
    assert "Khaleesi" in await aliases_of(store, "Daenerys Targaryen")
    assert "GoT" in await series_aliases(store)
    assert wikidata.requests == 1

    # A day later Wikidata is down: the import goes through and the fandom keeps the names it had.
    clock.now += timedelta(days=2)
    wikidata.fail_5xx = 5
    await fandoms.refresh(KEY)
    await names.settled()
    assert wikidata.requests == 3 and "The Hound" in await aliases_of(store, "Sandor Clegane")


@pytest.mark.parametrize("fault", ["429", "5xx", "hang", "malformed", "huge"])
async def test_wikidata_failing_never_fails_an_add_and_the_fandom_has_tvmaze_names(
    store: Store, services: tuple[TvmazeFandoms, WikidataAliases], wikidata: WikidataDouble, fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fandoms, names = services
    if fault == "429":
        wikidata.fail_429, wikidata.retry_after = 100, "30"
    else:
        setattr(wikidata, {"5xx": "fail_5xx"}.get(fault, fault), 5)
    change = await fandoms.add(THRONES)
    assert change.new
    await store.fandoms.follow(GUILD, KEY, 7, NOW)
    await names.settled()
    assert await aliases_of(store, "Daenerys Targaryen") == {}
    assert await series_aliases(store) == ()
    assert await store.wikidata_names.show(THRONES) is None
    warnings = [r for r in caplog.records if r.name == "bot.wikidata.aliases" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and f"TVmaze show {THRONES}" in warnings[0].getMessage()


async def test_without_the_names_service_wikidata_is_never_asked(
    store: Store, tvmaze: TvmazeDouble, wikidata: WikidataDouble, clock: Clock
) -> None:
    async with aiohttp.ClientSession() as session:
        client = TvmazeClient(session, base_url=tvmaze.base_url)
        await TvmazeFandoms(store, client, clock, stale_after=timedelta(hours=12)).add(THRONES)
    await store.fandoms.follow(GUILD, KEY, 7, NOW)
    assert await aliases_of(store, "Daenerys Targaryen") == {}
    assert wikidata.requests == 0


async def test_a_fandom_made_before_wikidata_was_asked_gains_names_at_the_next_sync_pass(
    store: Store, services: tuple[TvmazeFandoms, WikidataAliases], tvmaze: TvmazeDouble, wikidata: WikidataDouble,
    clock: Clock,
) -> None:
    fandoms, names = services
    async with aiohttp.ClientSession() as session:  # made while WIKIDATA_ALIASES was off
        await TvmazeFandoms(store, TvmazeClient(session, base_url=tvmaze.base_url), clock, stale_after=timedelta(hours=12)).add(THRONES)
    await store.fandoms.follow(GUILD, KEY, 7, NOW)
    assert await aliases_of(store, "Daenerys Targaryen") == {} and wikidata.requests == 0
    clock.now += timedelta(hours=13)
    assert await fandoms.sync_pass() == []  # nothing changed on TVmaze: nothing imported for TVmaze's sake
    await names.settled()
    assert "Khaleesi" in await aliases_of(store, "Daenerys Targaryen") and wikidata.requests == 1
    await fandoms.sync_pass()  # the same day: Wikidata is not asked again
    await names.settled()
    assert wikidata.requests == 1


async def test_episodes_moved_on_tvmaze_before_the_names_landed_are_told_like_any_import(
    store: Store, tvmaze: TvmazeDouble, wikidata: WikidataDouble, clock: Clock
) -> None:
    told: list[FandomChange] = []

    async def changed(change: FandomChange) -> None:
        told.append(change)

    async with aiohttp.ClientSession() as session:
        client = TvmazeClient(session, base_url=tvmaze.base_url, cache_ttl=0)  # what the bot holds is stale at once
        names = WikidataAliases(store, WikidataClient(session, base_url=wikidata.base_url), clock)
        fandoms = TvmazeFandoms(store, client, clock, stale_after=timedelta(hours=12), names=names)
        fandoms.changed = changed
        wikidata.held = asyncio.Event()
        await fandoms.add(THRONES)
        episode = tvmaze.shows[THRONES].episodes[-1]
        tvmaze.move_episode(THRONES, episode["id"], NOW + timedelta(weeks=8))
        wikidata.held.set()
        await names.settled()
        await names.close()
    assert [(c.pack_key, len(c.report.moved)) for c in told] == [(KEY, 1)]
    await store.fandoms.follow(GUILD, KEY, 7, NOW)
    assert "Khaleesi" in await aliases_of(store, "Daenerys Targaryen")


class BrokenNames:
    """A `ShowNames` whose names break the pack (`bad`) or whose grafting itself fails."""

    def __init__(self, bad: bool) -> None:
        self.bad = bad

    async def graft_for(self, show_id: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def graft(data: dict[str, Any]) -> dict[str, Any]:
            if not self.bad:
                raise KeyError("a bug")
            chars = {k: {**c, "aliases": [{"name": "x", "source": "nowhere"}]} for k, c in data["characters"].items()}
            return {**data, "characters": chars}

        return graft

    def imported(self, show_id: int, *, first: bool, again: Callable[[], Awaitable[None]]) -> None:
        pass

    async def close(self) -> None:
        pass


@pytest.mark.parametrize("bad", [True, False], ids=["names-that-do-not-fit", "grafting-that-fails"])
async def test_names_that_break_the_pack_are_left_out_and_the_import_stands(
    store: Store, tvmaze: TvmazeDouble, clock: Clock, bad: bool
) -> None:
    async with aiohttp.ClientSession() as session:
        client = TvmazeClient(session, base_url=tvmaze.base_url)
        change = await TvmazeFandoms(store, client, clock, stale_after=timedelta(hours=12), names=BrokenNames(bad)).add(THRONES)
    assert change.new and change.report.changed
    await store.fandoms.follow(GUILD, KEY, 7, NOW)
    assert await aliases_of(store, "Daenerys Targaryen") == {}
