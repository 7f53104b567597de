"""Episodes as members see them: /countdown to an episode seconds ahead, /episodes a page at a time,
/series with its latest and next episode, autocomplete that offers what airs next first, and servers
that do not follow the show seeing none of it. The bot runs with the bundled pack and one written here,
whose episodes air minutes, hours and days from the moment the module starts."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import bundled_packs_dir
from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.figures import record

WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Clock:
    """When the module's bot started, and when its episodes air relative to that."""

    t0: datetime
    e05: datetime  # Severance S2E05, seconds after the start
    soap_next: datetime  # the daily soap's next episode (number 151 of 300)


def clock_now() -> Clock:
    t0 = datetime.now(UTC).replace(microsecond=0)
    return Clock(t0, t0 + timedelta(seconds=150), t0 + timedelta(hours=6))
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES


def stamp(moment: datetime, style: str) -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


def episodes(first: datetime, step: timedelta, count: int, title: str) -> list[dict]:
    return [{"number": n, "title": f"{title} {n}", "date": (first + step * (n - 1)).isoformat()} for n in range(1, count + 1)]


def lumon_pack(clock: Clock) -> dict:
    second = episodes(clock.e05 - 4 * WEEK, WEEK, 10, "Chapter")
    second[4]["title"] = "Trojan's Horse"
    second[5]["title"] = "**Woe's** Hollow <@&123456789012345678>"
    return {
        "format": 1,
        "pack": {"id": "lumon", "title": "Lumon Industries"},
        "sources": {"a": {"title": "An episode guide"}},
        "series": {
            "severance": {
                "title": "Severance", "aliases": ["Lumon"], "source": "a",
                "seasons": [
                    {"number": 1, "source": "a", "episodes": episodes(clock.t0 - 60 * WEEK, WEEK, 9, "Good News")},
                    {"number": 2, "source": "a", "episodes": second},
                ],
            },
            "soap": {
                "title": "Daily Soap", "source": "a",
                "seasons": [{"number": 1, "source": "a", "episodes": episodes(clock.soap_next - 150 * DAY, DAY, 300, "Day")}],
            },
            # Two specials beside six numbered episodes; a third season announced with a bare count.
            "kier": {
                "title": "Kier Chronicles", "source": "a",
                "seasons": [
                    {"number": 1, "source": "a", "episodes": episodes(clock.t0 - 80 * WEEK, WEEK, 6, "Tenet"),
                     "specials": [{"key": f"sp{n}", "title": f"Founders' Day {n}", "date": (clock.t0 - (70 + n) * WEEK).isoformat()}
                                  for n in (1, 2)]},
                    {"number": 2, "source": "a", "episodes": episodes(clock.t0 - 30 * WEEK, WEEK, 4, "Era")},
                    {"number": 3, "source": "a", "episodes": 8, "release": [{"date": (clock.t0 + 30 * DAY).isoformat(), "source": "a"}]},
                ],
            },
        },
    }


def big_pack(count: int, t0: datetime) -> dict:
    return {
        "format": 1,
        "pack": {"id": "forever", "title": "Forever"},
        "sources": {"a": {"title": "A guide"}},
        "series": {"forever": {"title": "Forever After", "source": "a", "seasons": [
            {"number": 1, "source": "a", "episodes": episodes(t0 - (count // 2) * DAY + timedelta(hours=1), DAY, count, "Day")},
        ]}},
    }


@pytest.fixture(scope="module")
def clock() -> Clock:
    return clock_now()


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, clock: Clock, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    folder = tmp_path_factory.mktemp("episodes")
    pack = folder / "lumon.yaml"
    pack.write_text(json.dumps(lumon_pack(clock)))
    process = BotProcess(double, folder / "bot", env={"FACT_PACKS": f"{bundled_packs_dir()},{pack}"})
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def test_countdown_to_an_episode_seconds_ahead(double: DiscordDouble, member: FakeMember, clock: Clock) -> None:
    assert datetime.now(UTC) < clock.e05 - timedelta(seconds=20), "the module took too long to get here"
    for typed in ("severance s2e5", "Lumon 2x05"):
        reply = await say(double, member, "countdown", {"release": typed})
        assert not reply.ephemeral, typed
        # The default (aired + 7d): E05 is not aired, so its title is only inside spoiler bars; E01 aired long ago.
        assert reply.content.startswith("⏳ **Severance S2E05** — ||“Trojan's Horse”|| airs "), reply.content
        assert stamp(clock.e05, "F") in reply.content and stamp(clock.e05, "R") in reply.content and "minute" in reply.content
    # Its own title does not find it for a member who has not watched it (nor does the refusal name it).
    refused = await say(double, member, "countdown", {"release": "Trojan's Horse"})
    assert refused.ephemeral and refused.content.startswith("No release matches") and "S2E05" not in refused.content
    premiere = await say(double, member, "countdown", {"release": "severance s2e1"})
    assert "**Severance S2E01 — “Chapter 1”** (season premiere) aired" in premiere.content
    reminder = await say(double, member, "remindme", {"release": "severance s2e5"})
    assert reminder.ephemeral and "**Severance S2E05** — ||“Trojan's Horse”||" in reminder.content  # the member's position


async def test_countdown_without_a_release_picks_the_next_episode(double: DiscordDouble, member: FakeMember, clock: Clock) -> None:
    reply = await say(double, member, "countdown")
    assert reply.content.startswith("⏳ **Severance S2E05** — ||“Trojan's Horse”|| airs ") and stamp(clock.e05, "R") in reply.content


async def test_autocomplete_offers_what_airs_next_first(double: DiscordDouble, member: FakeMember) -> None:
    started = time.perf_counter()
    empty = await double.autocomplete(member, "countdown", {"release": ""}, "release")
    record("release autocomplete through the double, first ask (s)", round(time.perf_counter() - started, 3))
    # The member has no progress and the channel is at the default (aired + 7d): E05 is offered untitled.
    assert re.fullmatch(r"Severance S2E05 · \w{3} \d{1,2} \w{3}( \d{4})? \d\d:\d\d P[SD]T · in .+", empty[0]["name"])
    assert empty[0]["value"] == "Severance S2E05"
    assert empty[1]["value"] == "Daily Soap S1E151"
    typed = await double.autocomplete(member, "countdown", {"release": "sev"}, "release")
    assert [c["value"] for c in typed[:3]] == ["Severance S2E05", "Severance S2E06", "Severance S2E07"]
    assert (await double.autocomplete(member, "remindme", {"release": "severance 2x05"}, "release"))[0]["value"] == "Severance S2E05"
    # E05's title is past the member's position (the channel's default): typing it must not find, so name, E05.
    trojan = await double.autocomplete(member, "countdown", {"release": "trojan"}, "release")
    assert not any(c["value"] == "Severance S2E05" for c in trojan)
    soap = await double.autocomplete(member, "countdown", {"release": "daily soap s1e1"}, "release")
    assert [c["value"] for c in soap[:3]] == ["Daily Soap S1E01", "Daily Soap S1E10", "Daily Soap S1E11"]
    for choices in (empty, typed, soap):
        assert 0 < len(choices) <= 25 and all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    release_set = await double.autocomplete(member, "release set", {"title": "severance s2e", "date": "2031"}, "title")
    assert release_set[0]["value"] == "Severance S2E05"


async def test_episodes_lists_the_season_airing_now_by_default(double: DiscordDouble, member: FakeMember, clock: Clock) -> None:
    reply = await say(double, member, "episodes", {"series": "Severance"})
    embed = reply.embeds[0]
    assert not reply.ephemeral and embed["title"] == "Severance — season 2" and not reply.components
    lines = embed["description"].splitlines()
    assert len(lines) == 10 and embed["footer"]["text"] == "10 episodes"
    assert lines[0].startswith("**E01** — “Chapter 1” — <t:") and lines[0].endswith("· *season premiere*")
    # The default (aired + 7d): E03 aired two weeks ago, E04 under one; later titles go in spoiler bars.
    assert lines[2].startswith("**E03** — “") and lines[3].startswith("**E04** — ||“Chapter 4”|| — <t:")
    assert lines[4] == f"**E05** — ||“Trojan's Horse”|| — {stamp(clock.e05, 'F')} ({stamp(clock.e05, 'R')})"
    assert lines[5].startswith("**E06** — ||“\\*\\*Woe's\\*\\* Hollow \\<@&123456789012345678\\>”||")  # shown literally
    assert lines[9].endswith("· *season finale*")
    first = await say(double, member, "episodes", {"series": "lumon", "season": 1})
    assert first.embeds[0]["title"] == "Severance — season 1" and len(first.embeds[0]["description"].splitlines()) == 9


async def test_episodes_counts_numbered_episodes_and_specials_apart_as_series_does(double: DiscordDouble, member: FakeMember) -> None:
    page = (await say(double, member, "episodes", {"series": "Kier Chronicles", "season": 1})).embeds[0]
    assert len(page["description"].splitlines()) == 8 and page["footer"]["text"] == "6 episodes · 2 specials"
    seasons = next(f["value"] for f in (await say(double, member, "series", {"title": "Kier Chronicles"})).embeds[0]["fields"]
                   if f["name"] == "Seasons").splitlines()
    assert seasons[0].startswith("**Season 1** · 6 episodes") and "· 2 specials" in seasons[0], seasons[0]
    assert seasons[2].startswith("**Season 3** · 8 episodes") and "special" not in seasons[2], seasons[2]


async def test_the_default_season_is_one_whose_episodes_are_listed(double: DiscordDouble, member: FakeMember) -> None:
    """Season 3 is announced for next month with a bare episode count: not a list to open. The latest
    season that lists its episodes opens instead; a series that lists none says so, privately."""
    reply = await say(double, member, "episodes", {"series": "Kier Chronicles"})
    assert not reply.ephemeral and reply.embeds[0]["title"] == "Kier Chronicles — season 2"
    assert reply.embeds[0]["footer"]["text"] == "4 episodes"
    bare = await say(double, member, "episodes", {"series": "Daredevil"})
    assert bare.ephemeral and "has no episodes listed here yet, in any of its seasons (1, 2, 3)" in bare.content, bare.content
    asked = await say(double, member, "episodes", {"series": "Kier Chronicles", "season": 3})
    assert asked.ephemeral and "No episodes of **Kier Chronicles** season 3 are listed yet." in asked.content


async def test_a_long_season_is_paged_and_only_the_asker_turns_pages(double: DiscordDouble, member: FakeMember, clock: Clock) -> None:
    reply = await say(double, member, "episodes", {"series": "Daily Soap"})
    embed = reply.embeds[0]
    assert embed["title"] == "Daily Soap — season 1"
    # It opens on the page of the next episode to air (151 of 300), 15 a page.
    assert embed["footer"]["text"] == "300 episodes · page 11 of 20 · Previous/Next show the rest"
    soap = clock.soap_next
    assert embed["description"].splitlines()[0] == f"**E151** — ||“Day 151”|| — {stamp(soap, 'F')} ({stamp(soap, 'R')})"
    assert [b["label"] for b in reply.buttons()] == ["Previous", "Next"] and not reply.buttons()[0].get("disabled")
    await double.press(member, reply, "Next")
    page = double.messages[reply.id]
    assert page.embeds[0]["description"].splitlines()[0].startswith("**E166** — ||“Day 166”||")
    assert "page 12 of 20" in page.embeds[0]["footer"]["text"]
    stranger = double.add_member(double.guilds[member.guild_id], "stranger")
    refused = await (await double.press(stranger, page, "Next")).reply()
    assert refused.ephemeral and "Only the member who ran this `/episodes`" in refused.content
    assert "page 12 of 20" in double.messages[reply.id].embeds[0]["footer"]["text"]
    for _ in range(8):
        await double.press(member, double.messages[reply.id], "Next")
    last = double.messages[reply.id]
    assert "page 20 of 20" in last.embeds[0]["footer"]["text"] and last.buttons()[1].get("disabled")
    assert last.embeds[0]["description"].splitlines()[-1].startswith("**E300** — ||“Day 300”||")
    for _ in range(19):
        await double.press(member, double.messages[reply.id], "Previous")
    first = double.messages[reply.id]
    assert "page 1 of 20" in first.embeds[0]["footer"]["text"] and first.buttons()[0].get("disabled")
    assert first.embeds[0]["description"].splitlines()[0].startswith("**E01** — “Day 1”")


async def test_series_shows_the_latest_and_next_episode_and_its_seasons(double: DiscordDouble, member: FakeMember, clock: Clock) -> None:
    embed = (await say(double, member, "series", {"title": "Severance"})).embeds[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    before = clock.e05 - WEEK
    # The default (aired + 7d): E04 aired under a week ago, so its title, like the next one's, is in spoiler bars.
    assert fields["Latest episode"].startswith(f"**Severance S2E04** — ||“Chapter 4”|| — {stamp(before, 'F')} ({stamp(before, 'R')})")
    following = f"**Severance S2E05** — ||“Trojan's Horse”|| — {stamp(clock.e05, 'F')} ({stamp(clock.e05, 'R')})"
    assert fields["Next episode"].startswith(following)
    seasons = fields["Seasons"].splitlines()
    assert seasons[0].startswith("**Season 1** · 9 episodes") and "finale" in seasons[0]
    assert seasons[1].startswith("**Season 2** · 10 episodes") and "premiere " in seasons[1] and "finale " in seasons[1]


async def test_releases_shows_one_line_per_series_and_where_to_see_the_rest(double: DiscordDouble, member: FakeMember) -> None:
    embed = (await say(double, member, "releases")).embeds[0]
    coming = next(f["value"] for f in embed["fields"] if f["name"] == "Coming up")
    assert "**Severance S2E05** — ||“Trojan's Horse”||" in coming and "Severance S2E06" not in coming and "(+5 later episodes)" in coming
    assert "Daily Soap S1E151" in coming and "(+149 later episodes)" in coming
    assert "/episodes" in embed["description"]


async def test_bad_season_or_series_is_a_private_message_saying_what_exists(double: DiscordDouble, member: FakeMember) -> None:
    season = await say(double, member, "episodes", {"series": "Severance", "season": 7})
    assert season.ephemeral and "has no season 7. Seasons here: 1, 2." in season.content
    series = await say(double, member, "episodes", {"series": "Lumon Industries Handbook"})
    assert series.ephemeral and "No series matches" in series.content
    choices = await double.autocomplete(member, "episodes", {"series": "sev"}, "series")
    assert choices[0]["value"] == "Severance"


async def test_a_server_not_following_the_show_sees_none_of_its_episodes(double: DiscordDouble) -> None:
    guild = await double.add_guild("Elsewhere")
    mod = double.add_member(guild, "mod", permissions=MOD)
    assert "no longer follows" in (await say(double, mod, "fandom unfollow", {"fandom": "lumon"})).content
    refused = await say(double, mod, "countdown", {"release": "severance s2e5"})
    assert refused.ephemeral and "No release matches" in refused.content
    assert "Severance" not in (await say(double, mod, "countdown")).content
    assert not any("Severance" in c["name"] for c in await double.autocomplete(mod, "countdown", {"release": "sev"}, "release"))
    assert not any("Severance" in c["name"] for c in await double.autocomplete(mod, "episodes", {"series": "sev"}, "series"))
    hidden = await say(double, mod, "episodes", {"series": "Severance"})
    assert hidden.ephemeral and "No series matches" in hidden.content
    assert "Severance" not in json.dumps((await say(double, mod, "releases")).embeds[0])


async def test_autocomplete_over_a_ten_thousand_episode_show(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    pack = tmp_path / "forever.yaml"
    pack.write_text(json.dumps(big_pack(10_000, datetime.now(UTC))))
    bot = BotProcess(fresh_double, tmp_path / "bot", env={"FACT_PACKS": str(pack)})
    await bot.start(timeout=120)
    try:
        guild = await fresh_double.add_guild()
        fan = fresh_double.add_member(guild, "fan")
        started = time.perf_counter()
        first = await fresh_double.autocomplete(fan, "countdown", {"release": ""}, "release")
        record("release autocomplete, 10,000-episode pack, first ask after start (ms)", round((time.perf_counter() - started) * 1000, 1))
        assert first[0]["value"] == "Forever After S1E5001"
        latencies = []
        for typed in ("f", "fo", "for", "forever", "forever after s1e", "forever after s1e50", "forever after 1x9999", "day 42"):
            started = time.perf_counter()
            choices = await fresh_double.autocomplete(fan, "countdown", {"release": typed}, "release")
            latencies.append(time.perf_counter() - started)
            assert choices and len(choices) <= 25
        record("release autocomplete, 10,000-episode pack, per keystroke (ms)", *[round(x * 1000, 1) for x in latencies])
        assert max(latencies) < 1.0
        for command, options in (("series", {"title": "Forever After"}), ("releases", {}), ("countdown", {})):
            started = time.perf_counter()
            answer = await say(fresh_double, fan, command, options)  # the double refuses a body over Discord's limits
            record(f"/{command}, 10,000-episode pack (ms)", round((time.perf_counter() - started) * 1000, 1))
            assert "Forever After S1E5001" in answer.content + json.dumps(answer.embeds), command
        episodes_page = await say(fresh_double, fan, "episodes", {"series": "Forever After"})
        assert episodes_page.embeds[0]["footer"]["text"] == "10000 episodes · page 334 of 667 · Previous/Next show the rest"
    finally:
        await bot.stop()
