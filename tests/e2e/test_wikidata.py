"""Fan names from Wikidata, end to end: the real bot against the Discord, TVmaze and Wikidata doubles.

`/fandom add` answers without waiting for Wikidata; once Wikidata answers, fans find characters by the
names they use ("Khaleesi", "the hound") and the card cites Wikidata. Wikidata failing (429, 5xx, a
hang, an endless body, malformed JSON) never fails the add: the fandom has TVmaze's names. With
`WIKIDATA_ALIASES=off` the bot never asks Wikidata.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.tvmaze_double import TvmazeDouble, serving_catalogue
from tests.wikidata_double import THRONES, WikidataDouble, serving_wikidata, thrones_show

NOW = datetime.now(UTC).replace(microsecond=0)
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
FAULTED = {"5xx": 91, "malformed": 92, "huge": 93, "429": 94, "hang": 95}  # a show of its own per fault
OFF = 96


@pytest.fixture(scope="module")
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        for show_id in (THRONES, *FAULTED.values(), OFF):
            double.add(thrones_show(NOW - timedelta(weeks=1), show_id))
        yield double


@pytest.fixture(scope="module")
async def wikidata() -> AsyncIterator[WikidataDouble]:
    async with serving_wikidata(THRONES, *FAULTED.values(), OFF) as double:
        yield double


def environment(tvmaze: TvmazeDouble, wikidata: WikidataDouble) -> dict[str, str]:
    return {"DEFAULT_FANDOMS": "none", "TVMAZE_API_BASE": tvmaze.base_url, "WIKIDATA_API_BASE": wikidata.base_url}


@pytest.fixture(scope="module")
async def bot(
    double: DiscordDouble, tvmaze: TvmazeDouble, wikidata: WikidataDouble, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    process = BotProcess(double, tmp_path_factory.mktemp("wikidata"), env=environment(tvmaze, wikidata))
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def new_guild(double: DiscordDouble) -> tuple[FakeMember, FakeMember]:
    guild = await double.add_guild()
    return double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")


async def title_for(double: DiscordDouble, fan: FakeMember, name: str) -> str | None:
    """The card `/character name` answers with, or None for a "no character matches" reply."""
    reply = await say(double, fan, "character", {"name": name})
    return reply.embeds[0]["title"] if reply.embeds else None


async def added_in_time(double: DiscordDouble, mod: FakeMember, show_id: int) -> None:
    started = time.monotonic()
    added = await say(double, mod, "fandom add", {"show": str(show_id)})
    assert "added to this bot and followed here" in added.embeds[0]["description"]
    assert time.monotonic() - started < 5


def warned(bot: BotProcess, show_id: int) -> bool:
    return f"Wikidata: no names for TVmaze show {show_id} this time" in bot.log_path.read_text(errors="replace")


async def test_an_add_answers_at_once_and_fans_find_characters_by_wikidata_names_afterwards(
    double: DiscordDouble, bot: BotProcess, wikidata: WikidataDouble
) -> None:
    mod, fan = await new_guild(double)
    wikidata.held = asyncio.Event()  # Wikidata answers only once the add has replied
    try:
        await added_in_time(double, mod, THRONES)
        await eventually(lambda: THRONES in wikidata.queried, 10, "the background Wikidata query")
        assert await title_for(double, fan, "Khaleesi") != "Daenerys Targaryen"
    finally:
        wikidata.held.set()
        wikidata.held = None

    async def khaleesi_found() -> bool:
        return await title_for(double, fan, "Khaleesi") == "Daenerys Targaryen"

    deadline = time.monotonic() + 20
    while not await khaleesi_found():
        assert time.monotonic() < deadline, "Wikidata's names never landed"
        await asyncio.sleep(0.3)
    card = await say(double, fan, "character", {"name": "Khaleesi"})
    assert "Khaleesi" in card.text and "Mother of Dragons" in card.text
    assert "[Wikidata, “Game of Thrones on Wikidata”](<https://www.wikidata.org/wiki/Q23572>)" in card.text
    assert "CC0" in card.text
    assert await title_for(double, fan, "the hound") == "Sandor Clegane"
    assert await title_for(double, fan, "Ned") == "Eddard Stark"
    choices = await double.autocomplete(fan, "series", {"title": "GoT"}, "title")
    assert choices and choices[0]["name"].startswith("Game of Thrones")


@pytest.mark.parametrize("fault", ["5xx", "malformed", "huge"])
async def test_wikidata_failing_leaves_the_add_whole_with_tvmaze_names(
    double: DiscordDouble, bot: BotProcess, wikidata: WikidataDouble, fault: str
) -> None:
    mod, fan = await new_guild(double)
    show_id = FAULTED[fault]
    setattr(wikidata, {"5xx": "fail_5xx"}.get(fault, fault), 3)  # every attempt the client makes
    try:
        await added_in_time(double, mod, show_id)
        await eventually(lambda: warned(bot, show_id), 20, "the one warning")
    finally:
        wikidata.fail_5xx = wikidata.malformed = wikidata.huge = 0
    assert await title_for(double, fan, "Daenerys Targaryen") == "Daenerys Targaryen"
    assert await title_for(double, fan, "Khaleesi") != "Daenerys Targaryen"
    card = await say(double, fan, "character", {"name": "Sandor Clegane"})
    assert "The Hound" not in card.text and "Wikidata" not in card.text


@pytest.mark.parametrize("fault", ["429", "hang"])
async def test_wikidata_slowing_or_hanging_delays_no_reply(
    double: DiscordDouble, bot: BotProcess, wikidata: WikidataDouble, fault: str
) -> None:
    mod, fan = await new_guild(double)
    show_id = FAULTED[fault]
    if fault == "429":
        wikidata.fail_429, wikidata.retry_after = 1_000, "5"
    else:
        wikidata.hang = 1_000
    try:
        await added_in_time(double, mod, show_id)
        await eventually(lambda: show_id in wikidata.queried, 10, "the background Wikidata query")
        started = time.monotonic()
        assert await title_for(double, fan, "Daenerys Targaryen") == "Daenerys Targaryen"
        assert await title_for(double, fan, "Khaleesi") != "Daenerys Targaryen"
        assert time.monotonic() - started < 5  # the bot answers while its Wikidata query waits
    finally:
        wikidata.fail_429 = wikidata.hang = 0


async def test_with_wikidata_aliases_off_the_bot_never_asks_wikidata(
    fresh_double: DiscordDouble, tvmaze: TvmazeDouble, wikidata: WikidataDouble, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = environment(tvmaze, wikidata) | {"WIKIDATA_ALIASES": "off"}
    process = BotProcess(fresh_double, tmp_path_factory.mktemp("wikidata-off"), env=env)
    await process.start()
    try:
        mod, fan = await new_guild(fresh_double)
        asked = len(wikidata.queried)
        await added_in_time(fresh_double, mod, OFF)
        assert await title_for(fresh_double, fan, "Daenerys Targaryen") == "Daenerys Targaryen"
        await asyncio.sleep(2)
        assert OFF not in wikidata.queried and len(wikidata.queried) == asked
        assert await title_for(fresh_double, fan, "Khaleesi") != "Daenerys Targaryen"
    finally:
        await process.stop()
