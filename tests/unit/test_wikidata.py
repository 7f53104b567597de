"""Wikidata, without a store: the query, its answer read into names, names matched to a TVmaze cast by
performer and name, the names grafted into pack data, and the client against the local WDQS double
(its User-Agent, its cache, and each fault: 429, 5xx, a hang, an endless body, malformed JSON)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.tvmaze.pack import show_pack
from bot.tvmaze.records import parse_show as parse_tvmaze_show
from bot.wikidata.client import WikidataClient, WikidataPolicy, user_agent
from bot.wikidata.grafting import SOURCE, WikiCharacter, graft, matches, name_fit, wiki_characters
from bot.wikidata.sparql import WikidataError, parse_show, show_query
from db.packs.check import check_pack_data
from db.repos.packs.wikidata import WikidataName, WikidataShow
from tests.wikidata_double import (
    THRONES,
    THRONES_ITEMS,
    VARIABLES,
    Item,
    ShowItems,
    WikidataDouble,
    bindings,
    serving_wikidata,
    thrones_show,
)

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
FAST = WikidataPolicy(timeout=1.0, retries=1, backoff=0.01, max_rate_limited_wait=3.0)


def answer(show: ShowItems | None) -> dict[str, Any]:
    return {"head": {"vars": VARIABLES}, "results": {"bindings": bindings(show) if show else []}}


def thrones_names() -> WikidataShow:
    series, names = parse_show(answer(THRONES_ITEMS))
    return WikidataShow(THRONES, series, NOW, names)


def thrones_pack() -> dict[str, Any]:
    show = thrones_show(NOW)
    body = {**show.body, "_embedded": {"episodes": show.episodes, "cast": show.cast, "crew": show.crew}}
    return show_pack(parse_tvmaze_show(body))


# --- the query and its answer ---------------------------------------------------------------------


def test_the_query_finds_the_series_by_its_tvmaze_id_and_its_characters_by_present_in_work() -> None:
    query = show_query(82)
    assert 'wdt:P8600 "82"' in query and "wdt:P1441 ?series" in query and "wdt:P175 ?performer" in query
    assert "skos:altLabel" in query and "rdfs:label" in query
    assert '"en", "de", "fr", "es", "pt-br"' in query
    for wrong in (0, -3, True, "82"):
        with pytest.raises(ValueError, match="positive whole number"):
            show_query(wrong)  # type: ignore[arg-type]


def test_an_answer_is_read_into_the_names_of_the_series_and_of_each_character() -> None:
    series, names = parse_show(answer(THRONES_ITEMS))
    assert series == "Q23572"
    assert WikidataName("Q23572", "series", "alias", "GoT", "en") in names
    assert WikidataName("Q23572", "series", "label", "Juego de tronos", "es") in names
    assert WikidataName("Q2649843", "character", "alias", "Khaleesi", "en") in names
    assert WikidataName("Q2649843", "character", "alias", "Mutter der Drachen", "de") in names
    assert WikidataName("Q1930158", "character", "performer", "Rory McCann", "en") in names
    assert parse_show(answer(None)) == (None, ())  # no item has the show's TVmaze id


def test_two_items_claiming_one_show_give_nothing_rather_than_a_guess() -> None:
    other = ShowItems(Item("Q5", {"en": "Game of Thrones (2011)"}, {"en": ["GOT"]}))
    data = answer(THRONES_ITEMS)
    data["results"]["bindings"] += bindings(other)
    assert parse_show(data) == (None, ())


@pytest.mark.parametrize("data", [
    [], {"head": {}}, {"head": {"vars": []}}, {"head": {"vars": []}, "results": {"bindings": {}}},
    {"head": {"vars": []}, "results": {"bindings": ["row"]}},
    {"head": {"vars": []}, "results": {"bindings": [{"field": {"type": "literal", "value": "label"}}]}},
    {"head": {"vars": []}, "results": {"bindings": [{
        "series": {"type": "uri", "value": "https://evil.example/Q1"},
        "field": {"type": "literal", "value": "label"}, "text": {"type": "literal", "value": "x"}}]}},
    {"head": {"vars": []}, "results": {"bindings": [{
        "series": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
        "field": {"type": "literal", "value": "description"}, "text": {"type": "literal", "value": "x"}}]}},
    {"head": {"vars": []}, "results": {"bindings": [{
        "series": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
        "character": {"type": "literal", "value": "Q2"},
        "field": {"type": "literal", "value": "label"}, "text": {"type": "literal", "value": "x"}}]}},
])
def test_an_answer_not_shaped_like_sparql_json_is_a_wikidata_error(data: Any) -> None:
    with pytest.raises(WikidataError) as caught:
        parse_show(data)
    assert caught.value.kind == "malformed" and "could not read" in str(caught.value)


# --- matching by performer and name ---------------------------------------------------------------


def test_a_name_fits_when_one_holds_the_other_or_they_share_the_first_or_last_word() -> None:
    assert name_fit("Queen Margaery Tyrell", "Margaery Tyrell") == 2
    assert name_fit("Lord Varys", "Varys") == 2
    assert name_fit("Eddard Stark", "Ned Stark") == 1
    assert name_fit("Daenerys Targaryen", "Daenerys Stormborn") == 1
    assert name_fit("Jon Snow", "Aegon Targaryen") == 0
    assert name_fit("Jon Snow", "") == 0


def test_a_wikidata_character_attaches_only_where_its_performer_plays_a_character_of_that_name() -> None:
    cast = {
        "daenerys": ("Daenerys Targaryen", "Emilia Clarke"),
        "jon": ("Jon Snow", "Kit Harington"),
        "ghost-dany": ("Daenerys Targaryen (Vision)", "Someone Else"),  # the right name, the wrong performer
        "uncredited": ("Gregor Clegane", None),
    }
    found = matches(cast, wiki_characters(thrones_names().names))
    assert set(found) == {"daenerys"}
    assert [c.entity for c in found["daenerys"]] == ["Q2649843"]
    # Performer alone is not enough (Kit Harington's other item names no one he plays here), nor name alone.
    assert "jon" not in found and "uncredited" not in found


def test_a_wikidata_character_fitting_two_of_its_performers_roles_equally_is_attached_to_neither() -> None:
    twins = WikiCharacter("Q1", ("Lannister",), frozenset({"lena headey"}))
    cast = {"cersei": ("Cersei Lannister", "Lena Headey"), "cersei-double": ("Young Lannister", "Lena Headey")}
    assert matches(cast, [twins]) == {}
    better = WikiCharacter("Q2", ("Cersei Lannister",), frozenset({"lena headey"}))
    assert matches(cast, [better]) == {"cersei": [better]}


def test_grafted_names_are_aliases_citing_wikidata_and_the_pack_stays_valid() -> None:
    data = thrones_pack()
    grafted = graft(data, thrones_names())
    assert data == thrones_pack()  # the input is left as it was
    chars = grafted["characters"]
    aliases = {key: [a["name"] for a in c.get("aliases", [])] for key, c in chars.items()}
    assert aliases["daenerys-targaryen"][:4] == ["Dany", "Khaleesi", "Mother of Dragons", "Mutter der Drachen"]
    assert aliases["sandor-clegane"] == ["The Hound", "le Limier"]
    assert aliases["eddard-stark"] == ["Ned", "Ned Stark"]
    assert aliases["queen-margaery-tyrell"] == ["Margaery Tyrell", "Little Rose"]
    assert aliases["lord-varys"] == ["Varys", "The Spider"]
    assert aliases["jon-snow"] == []
    assert all(a["source"] == SOURCE for c in chars.values() for a in c.get("aliases", []))
    series = next(iter(grafted["series"].values()))
    assert [a["name"] for a in series["aliases"]] == ["GoT", "Juego de tronos"]
    source = grafted["sources"][SOURCE]
    assert source["url"] == "https://www.wikidata.org/wiki/Q23572" and "CC0" in source["note"]
    checked = check_pack_data(grafted, "thrones")
    assert checked.spec.characters["sandor-clegane"].aliases[0].name == "The Hound"  # type: ignore[union-attr]


def test_nothing_to_graft_leaves_the_pack_as_it_was() -> None:
    data = thrones_pack()
    assert graft(data, None) is data
    assert graft(data, WikidataShow(THRONES, None, NOW, ())) is data
    unrelated = WikidataShow(THRONES, "Q1", NOW, (WikidataName("Q7", "character", "alias", "Nobody", "en"),))
    assert graft(data, unrelated) is data


def test_a_name_another_character_has_or_the_character_already_has_is_not_grafted() -> None:
    data = thrones_pack()
    data["characters"]["eddard-stark"]["aliases"] = ["NED"]
    names = (*thrones_names().names, WikidataName("Q1342596", "character", "alias", "Jon Snow", "en"))
    grafted = graft(data, WikidataShow(THRONES, "Q23572", NOW, names))
    assert grafted["characters"]["eddard-stark"]["aliases"] == ["NED", {"name": "Ned Stark", "source": SOURCE}]


# --- the client against the double ----------------------------------------------------------------


@pytest.fixture
async def wikidata() -> AsyncIterator[WikidataDouble]:
    async with serving_wikidata() as double:
        yield double


@pytest.fixture
async def client(wikidata: WikidataDouble) -> AsyncIterator[WikidataClient]:
    async with aiohttp.ClientSession() as session:
        yield WikidataClient(session, base_url=wikidata.base_url, policy=FAST)


def test_the_user_agent_follows_wikimedias_policy() -> None:
    agent = user_agent()
    assert re.fullmatch(r"fandex/[\w.]+ \([^()]+\) aiohttp/[\w.]+", agent), agent


async def test_a_show_is_asked_once_and_cached(client: WikidataClient, wikidata: WikidataDouble) -> None:
    series, names = await client.show_names(THRONES)
    assert series == "Q23572" and len(names) > 20
    assert await client.show_names(THRONES) == (series, names)
    assert wikidata.requests == 1 and wikidata.queried == [THRONES]
    assert wikidata.user_agents == [user_agent()]
    assert await client.show_names(5) == (None, ())  # no item claims it


async def test_a_429_is_waited_out_as_retry_after_says(client: WikidataClient, wikidata: WikidataDouble) -> None:
    wikidata.fail_429 = 1
    started = time.monotonic()
    series, _ = await client.show_names(THRONES)
    assert series == "Q23572" and wikidata.requests == 2 and time.monotonic() - started >= 0.9


async def test_429s_past_the_longest_wait_fail(client: WikidataClient, wikidata: WikidataDouble) -> None:
    wikidata.fail_429, wikidata.retry_after = 5, "2"
    with pytest.raises(WikidataError) as caught:
        await client.show_names(THRONES)
    assert caught.value.kind == "rate_limited"


@pytest.mark.parametrize("status", [500, 503])
async def test_a_5xx_is_retried_and_too_many_fail(client: WikidataClient, wikidata: WikidataDouble, status: int) -> None:
    wikidata.fail_5xx, wikidata.status_5xx = 1, status
    assert (await client.show_names(THRONES))[0] == "Q23572"
    wikidata.fail_5xx = 2
    with pytest.raises(WikidataError) as caught:
        await client.show_names(6)
    assert caught.value.kind == "unreachable" and f"HTTP {status}" in str(caught.value)


async def test_a_hang_times_out(client: WikidataClient, wikidata: WikidataDouble) -> None:
    wikidata.hang = 2
    started = time.monotonic()
    with pytest.raises(WikidataError) as caught:
        await client.show_names(THRONES)
    assert caught.value.kind == "unreachable" and time.monotonic() - started < 5


async def test_an_endless_answer_is_dropped_at_the_cap(wikidata: WikidataDouble) -> None:
    wikidata.huge = 1
    async with aiohttp.ClientSession() as session:
        small = WikidataClient(session, base_url=wikidata.base_url, policy=WikidataPolicy(limit=64 * 1024, retries=0))
        with pytest.raises(WikidataError) as caught:
            await asyncio.wait_for(small.show_names(THRONES), 10)
    assert caught.value.kind == "too_large"


async def test_malformed_json_is_a_wikidata_error(client: WikidataClient, wikidata: WikidataDouble) -> None:
    wikidata.malformed = 1
    with pytest.raises(WikidataError) as caught:
        await client.show_names(THRONES)
    assert caught.value.kind == "malformed"


def test_the_wikidata_settings_default_and_name_what_is_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    for name in ("WIKIDATA_API_BASE", "WIKIDATA_ALIASES", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.wikidata_api_base, settings.wikidata_aliases) == ("https://query.wikidata.org", "on")
    monkeypatch.setenv("WIKIDATA_ALIASES", "OFF")
    monkeypatch.setenv("WIKIDATA_API_BASE", "http://127.0.0.1:8080/")
    settings = load_settings()
    assert (settings.wikidata_aliases, settings.wikidata_api_base) == ("off", "http://127.0.0.1:8080")
    for name, bad in (("WIKIDATA_ALIASES", "maybe"), ("WIKIDATA_API_BASE", "query.wikidata.org")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SettingsError, match=name):
            load_settings()
        monkeypatch.delenv(name)


def test_a_wikidata_citation_links_only_an_https_page_on_wikidata() -> None:
    from bot.citations import citation_text
    from db.facts.models import Source

    def cited(location: str) -> str:
        return citation_text(Source(1, SOURCE, "Game of Thrones on Wikidata", "Wikidata", None, location, False, "CC0 1.0"))

    assert cited("https://www.wikidata.org/wiki/Q23572").startswith(
        "[Wikidata, “Game of Thrones on Wikidata”](<https://www.wikidata.org/wiki/Q23572>)"
    )
    for wrong in ("http://www.wikidata.org/wiki/Q23572", "https://evil.example/wiki/Q1", "javascript:alert(1)"):
        assert "](" not in cited(wrong) and wrong not in cited(wrong)
