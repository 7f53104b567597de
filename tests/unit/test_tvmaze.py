"""The TVmaze client against the local TVmaze double over real HTTP on loopback: shapes, manners, faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest

from bot.tvmaze.client import MB, BodyLimits, RetryPolicy, TvmazeClient
from bot.tvmaze.pacing import Pacer
from bot.tvmaze.records import TvmazeError, parse_episode, parse_show
from tests.tvmaze_double import HugeBody, TvmazeDouble, episode, serving_catalogue, show_body, web_channel

FAST = RetryPolicy(retries=3, backoff=0.05, max_rate_limited_wait=5.0)


@pytest.fixture
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(datetime(2025, 1, 17, 2, 0, tzinfo=UTC)) as double:
        yield double


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


def client_for(double: TvmazeDouble, session: aiohttp.ClientSession, **options) -> TvmazeClient:
    options.setdefault("retry", FAST)
    return TvmazeClient(session, base_url=double.base_url, **options)


# --- parsing, on bodies shaped like TVmaze's ---------------------------------------------------


def test_an_episode_with_an_airstamp_has_an_aware_instant_and_its_local_date() -> None:
    aired = datetime(2025, 1, 17, 2, 0, tzinfo=UTC)
    parsed = parse_episode(episode(1, 42, 2, 1, aired, name="Hello, Ms. Cobel"))
    assert parsed.aired_at == aired and parsed.aired_at.tzinfo is not None
    assert parsed.air_date == date(2025, 1, 17)
    assert (parsed.season, parsed.number, parsed.name, parsed.is_special) == (2, 1, "Hello, Ms. Cobel", False)


def test_an_undated_special_has_no_instant_no_date_and_no_number() -> None:
    parsed = parse_episode(episode(1, 43, 2, None, None, name="Special", type="significant_special"))
    assert (parsed.aired_at, parsed.air_date, parsed.number, parsed.is_special) == (None, None, None, True)


def test_a_date_without_a_time_keeps_the_date() -> None:
    body = episode(1, 44, 1, 3, None) | {"airdate": "2025-03-07"}
    parsed = parse_episode(body)
    assert (parsed.aired_at, parsed.air_date) == (None, date(2025, 3, 7))


def test_a_web_channel_show_has_no_network_and_a_channel_without_country() -> None:
    show = parse_show(show_body(9, "Severance", premiered=date(2022, 2, 18), channel=web_channel(), web=True))
    assert show.network is None
    assert show.channel is not None and show.channel.web and show.channel.name == "Apple TV+"
    assert show.channel.country_code is None and show.premiered == date(2022, 2, 18)
    assert (show.episodes, show.cast, show.crew) == ((), (), ())


@pytest.mark.parametrize("broken", [
    {"id": "one"}, [], {"id": 1, "url": "u", "name": "n", "premiered": "soon"},
    {"id": 1, "url": "u", "name": "n", "_embedded": {"episodes": [{"id": 2}]}},
])
def test_a_body_not_shaped_like_tvmaze_is_a_clear_error(broken: object) -> None:
    with pytest.raises(TvmazeError) as caught:
        parse_show(broken)
    assert caught.value.kind == "malformed" and str(caught.value).startswith("TVmaze sent an answer fandex could not read")


# --- the client against the double ------------------------------------------------------------


async def test_search_finds_shows_with_score_name_year_and_channel(tvmaze, session) -> None:
    hits = await client_for(tvmaze, session).search_shows("severance")
    assert [hit.show.name for hit in hits] == ["Severance"]
    assert hits[0].score > 0 and hits[0].show.premiered is not None and hits[0].show.channel is not None
    assert hits[0].show.channel.name == "Apple TV+"
    assert tvmaze.requests["/search/shows"] == 1


async def test_a_show_arrives_with_episodes_cast_and_crew_in_one_request(tvmaze, session) -> None:
    show = await client_for(tvmaze, session).show(2)
    assert show.name == "Harbor Lights" and show.network is not None and show.network.timezone == "America/New_York"
    assert len(show.episodes) == 30 and {ep.season for ep in show.episodes} == {1, 2, 3}
    assert all(ep.aired_at is not None for ep in show.episodes)
    assert [(c.person_name, c.character_name) for c in show.cast] == [("Ada Actor", "Mark Lead"), ("Bea Actor", "Helly Second")]
    assert [(c.type, c.person_name) for c in show.crew] == [("Creator", "Dan Creator")]
    assert sum(tvmaze.requests.values()) == 1


async def test_a_show_with_no_episodes_and_one_with_undated_episodes_and_a_special(tvmaze, session) -> None:
    client = client_for(tvmaze, session)
    assert (await client.show(3)).episodes == ()
    undated = await client.show(4)
    assert [(ep.number, ep.aired_at is None) for ep in undated.episodes] == [(1, False), (2, False), (3, True)]
    everything = await client.episodes(4)
    assert [(ep.number, ep.is_special, ep.name) for ep in everything][-1] == (None, True, "Holiday Special")
    assert (tvmaze.requests["/shows/4"], tvmaze.requests["/shows/4/episodes"]) == (1, 1)


async def test_forgetting_a_show_on_the_wire_keeps_the_stale_answer_out_of_the_cache(tvmaze, session) -> None:
    tvmaze.fail_429, tvmaze.retry_after = 1, "0.2"
    client = client_for(tvmaze, session)
    first = asyncio.create_task(client.show(1))
    await asyncio.sleep(0.05)
    client.forget(1)
    await first
    await client.show(1)
    assert tvmaze.requests["/shows/1"] == 3  # the 429, its retry, and a fresh fetch after forget


async def test_ten_thousand_episodes_in_one_request(tvmaze, session) -> None:
    show = await client_for(tvmaze, session).show(5)
    assert len(show.episodes) == 10_000 and tvmaze.requests["/shows/5"] == 1


async def test_a_second_fetch_within_the_ttl_asks_nothing_and_forget_asks_again(tvmaze, session) -> None:
    client = client_for(tvmaze, session)
    first = await client.show(1)
    assert await client.show(1) == first
    await client.search_shows("harbor")
    await client.search_shows("harbor")
    assert (tvmaze.requests["/shows/1"], tvmaze.requests["/search/shows"]) == (1, 1)
    client.forget(1)
    await client.show(1)
    assert tvmaze.requests["/shows/1"] == 2


async def test_concurrent_calls_for_one_show_share_one_request(tvmaze, session) -> None:
    client = client_for(tvmaze, session)
    shows = await asyncio.gather(*(client.show(2) for _ in range(5)))
    assert len({id(show) for show in shows}) == 1 and tvmaze.requests["/shows/2"] == 1


async def test_a_caller_that_gives_up_does_not_cancel_the_shared_request(tvmaze, session) -> None:
    tvmaze.fail_429, tvmaze.retry_after = 1, "0.3"
    client = client_for(tvmaze, session)
    impatient = asyncio.create_task(client.search_shows("harbor"))
    patient = asyncio.create_task(client.search_shows("harbor"))
    await asyncio.sleep(0.1)
    impatient.cancel()
    assert (await patient)[0].show.id == 2
    assert impatient.cancelled()
    await client.search_shows("harbor")
    assert tvmaze.requests["/search/shows"] == 2  # the 429 and its one retry; the third call hit the cache


async def test_an_expired_entry_is_fetched_again(tvmaze, session) -> None:
    client = client_for(tvmaze, session, cache_ttl=0.05)
    await client.show(1)
    await asyncio.sleep(0.1)
    await client.show(1)
    assert tvmaze.requests["/shows/1"] == 2


async def test_a_moved_episode_shows_in_updates_and_in_the_next_fetch(tvmaze, session) -> None:
    client = client_for(tvmaze, session)
    before = await client.show(1)
    stamp = (await client.updated_shows("day"))[1]
    target = before.episodes[4]
    later = target.aired_at + timedelta(days=7)  # type: ignore[operator]
    tvmaze.move_episode(1, target.id, later)
    assert (await client.updated_shows("day"))[1] > stamp
    client.forget(1)
    after = await client.show(1)
    assert next(ep for ep in after.episodes if ep.id == target.id).aired_at == later


async def test_429_waits_for_retry_after_then_succeeds(tvmaze, session) -> None:
    tvmaze.fail_429, tvmaze.retry_after = 1, "0.3"
    started = time.monotonic()
    show = await client_for(tvmaze, session).show(1)
    assert show.id == 1 and time.monotonic() - started >= 0.3
    assert tvmaze.requests["/shows/1"] == 2


async def test_429_without_retry_after_backs_off_and_too_long_is_a_clear_error(tvmaze, session) -> None:
    tvmaze.fail_429, tvmaze.retry_after = 2, None
    assert (await client_for(tvmaze, session).show(1)).id == 1
    tvmaze.fail_429, tvmaze.retry_after = 100, "1"
    client = client_for(tvmaze, session, retry=RetryPolicy(backoff=0.05, max_rate_limited_wait=2.5))
    with pytest.raises(TvmazeError) as caught:
        await client.show(2)
    assert caught.value.kind == "rate_limited" and "slow down" in str(caught.value)


async def test_5xx_twice_then_success(tvmaze, session) -> None:
    tvmaze.fail_5xx = 2
    assert (await client_for(tvmaze, session).search_shows("harbor"))[0].show.id == 2
    assert tvmaze.requests["/search/shows"] == 3


async def test_5xx_beyond_the_retries_says_tvmaze_is_not_answering(tvmaze, session) -> None:
    tvmaze.fail_5xx = 10
    with pytest.raises(TvmazeError) as caught:
        await client_for(tvmaze, session, retry=RetryPolicy(retries=2, backoff=0.01)).show(1)
    assert caught.value.kind == "unreachable" and str(caught.value) == "TVmaze is not answering right now; try again later."
    assert tvmaze.requests["/shows/1"] == 3


async def test_a_hang_hits_the_timeout_and_fails_quickly(tvmaze, session) -> None:
    tvmaze.hang = 10
    client = client_for(tvmaze, session, timeout=0.2, retry=RetryPolicy(retries=1, backoff=0.01))
    started = time.monotonic()
    with pytest.raises(TvmazeError) as caught:
        await client.show(1)
    assert caught.value.kind == "unreachable" and time.monotonic() - started < 1.5


async def test_a_closed_port_is_unreachable(session) -> None:
    client = TvmazeClient(session, base_url="http://127.0.0.1:9", retry=RetryPolicy(retries=1, backoff=0.01))
    with pytest.raises(TvmazeError) as caught:
        await client.search_shows("x")
    assert caught.value.kind == "unreachable" and "127.0.0.1" not in str(caught.value)


async def test_malformed_json_is_a_clear_error_and_not_cached(tvmaze, session) -> None:
    tvmaze.malformed = 1
    client = client_for(tvmaze, session)
    with pytest.raises(TvmazeError) as caught:
        await client.show(1)
    assert caught.value.kind == "malformed" and "could not read" in str(caught.value)
    assert (await client.show(1)).id == 1


async def test_an_unknown_id_is_not_found(tvmaze, session) -> None:
    with pytest.raises(TvmazeError) as caught:
        await client_for(tvmaze, session).show(999)
    assert caught.value.kind == "not_found" and str(caught.value) == "TVmaze has no show with id 999."
    assert tvmaze.requests["/shows/999"] == 1


async def test_the_rate_limiter_spaces_a_burst(tvmaze, session) -> None:
    """5 calls in any 0.5 s, searches 4 of them: 25 distinct searches need at least 6 windows = 3 s."""
    client = client_for(tvmaze, session, pacer=Pacer(5, 0.5, reserve=1))
    started = time.monotonic()
    await asyncio.gather(*(client.search_shows(f"q{i}") for i in range(25)))
    assert time.monotonic() - started >= 2.9
    assert tvmaze.requests["/search/shows"] == 25


async def test_every_request_names_fandex_in_its_user_agent(tvmaze, session) -> None:
    client = client_for(tvmaze, session)
    await client.search_shows("sev")
    await client.updated_shows("week")
    assert len(tvmaze.user_agents) == 2 and all(ua.startswith("fandex/0.1") for ua in tvmaze.user_agents)


# --- answers bigger than any real one -----------------------------------------------------------

SMALL = BodyLimits(search=256 * 1024, show=1024 * 1024, updates=256 * 1024)


@pytest.mark.parametrize("body", [
    HugeBody(64 * 1024 * 1024),  # chunked: no length to check first
    HugeBody(64 * 1024 * 1024, declared=True),  # a Content-Length over the limit: refused before reading
    HugeBody(64 * 1024 * 1024, gzip=True),  # a small Content-Length that inflates past the limit
], ids=["chunked", "declared", "gzip"])
async def test_a_show_over_its_limit_is_a_clear_error_read_no_further_and_not_cached(tvmaze, session, body) -> None:
    tvmaze.huge["/shows/2"] = body
    client = client_for(tvmaze, session, limits=SMALL)
    for attempt in (1, 2):
        with pytest.raises(TvmazeError) as caught:
            await client.show(2)
        assert caught.value.kind == "too_large"
        assert str(caught.value) == "TVmaze sent more than 1 MB for show 2, more than fandex accepts."
        assert tvmaze.requests["/shows/2"] == attempt  # nothing cached, and no retry of a refused answer
    assert tvmaze.streamed["/shows/2"] < 16 * 1024 * 1024  # it stopped reading, far short of the 64 MB
    del tvmaze.huge["/shows/2"]
    assert (await client.show(2)).name == "Harbor Lights"


async def test_a_search_has_a_smaller_limit_than_a_show(tvmaze, session) -> None:
    tvmaze.huge["/search/shows"] = HugeBody(300 * 1024)
    client = client_for(tvmaze, session, limits=SMALL)
    with pytest.raises(TvmazeError) as caught:
        await client.search_shows("harbor")
    assert caught.value.kind == "too_large" and "0.25 MB for this search" in str(caught.value)
    tvmaze.huge["/shows/2"] = HugeBody(300 * 1024)
    with pytest.raises(TvmazeError) as caught:  # the same body is within a show's limit: read whole, and parsed
        await client.show(2)
    assert caught.value.kind == "malformed"


async def test_the_default_limits_hold_the_ten_thousand_episode_show(tvmaze, session) -> None:
    client = client_for(tvmaze, session)
    assert client.limits == BodyLimits(search=2 * MB, show=32 * MB, updates=8 * MB)
    assert len(await client.episodes(5)) == 10_000
