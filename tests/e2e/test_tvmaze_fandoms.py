"""Fandoms from TVmaze, end to end: the real bot against the Discord double and the TVmaze double.

A moderator adds a show with autocomplete, the server sees its cast and counts down to its next
episode; a hand-written pack that syncs from a show keeps its aliases across refreshes; TVmaze down
during an add changes nothing, and during a scheduled sync stalls nothing; other servers see nothing
of it; members without Manage Server are refused; refreshes are limited to one per 10 minutes;
TVmaze's episode ratings are kept, and a sync that changes only them announces nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.tvmaze_double import TvmazeDouble, serving_catalogue

NOW = datetime.now(UTC).replace(microsecond=0)
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"
OVERLAY = """\
format: 1
pack: {id: harbor-wiki, title: Harbor Lights (fan wiki)}
sync: {tvmaze: 2}
sources:
  fans: {title: The fan wiki}
series:
  harbor-lights: {title: Harbor Lights, aliases: [HLX], source: fans}
characters:
  mark:
    name: Mark Lead
    aliases: [Lighthouse Keeper]
    source: fans
"""


@pytest.fixture(scope="module")
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        yield double


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tvmaze: TvmazeDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    workdir = tmp_path_factory.mktemp("tvmaze")
    (workdir / "harbor-wiki.yaml").write_text(OVERLAY)
    env = {
        "FACT_PACKS": f"{HARBOR},{workdir / 'harbor-wiki.yaml'}", "DEFAULT_FANDOMS": "none",
        "TVMAZE_API_BASE": tvmaze.base_url, "TVMAZE_SYNC_HOURS": "0.002",  # a scheduled sync every 7.2 s
    }
    process = BotProcess(double, workdir, env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def polled(ask: Callable[[], Awaitable[str]], done: Callable[[str], bool], timeout: float = 30.0) -> str:
    """Ask until the answer is what is wanted (a scheduled sync runs in the background)."""
    deadline = time.monotonic() + timeout
    while not done(answer := await ask()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s; last answer: {answer}")
        await asyncio.sleep(0.5)
    return answer


async def new_guild(double: DiscordDouble) -> tuple[FakeGuild, FakeMember, FakeMember]:
    guild = await double.add_guild()
    return guild, double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")


def packs_in(bot: BotProcess) -> set[str]:
    with sqlite3.connect(bot.database) as conn:
        return {row[0] for row in conn.execute("SELECT key FROM packs")}


async def test_a_moderator_adds_a_show_and_the_server_sees_its_cast_and_next_episode(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    _, mod, fan = await new_guild(double)
    choices = await double.autocomplete(mod, "fandom add", {"show": "sever"}, "show")
    assert choices == [{"name": f"Severance ({(NOW - timedelta(weeks=3)).year}, Apple TV+)", "value": "1"}]
    added = await say(double, mod, "fandom add", {"show": "1"})
    assert added.ephemeral
    card = added.embeds[0]
    assert card["title"] == "Severance"
    assert "2 seasons, 18 episodes, cast of 2" in card["description"]
    # Not yet aired, so not watched under the default: its title only inside spoiler bars.
    assert "Next: Severance S1E05 — ||“Episode 5”|| — <t:" in card["description"]
    assert "added to this bot and followed here" in card["description"]
    assert "[TVmaze](<https://www.tvmaze.com/shows/1/severance>)" in added.text and "CC BY-SA 4.0" in added.text
    mark = await say(double, fan, "character", {"name": "Mark Lead"})
    assert mark.embeds[0]["title"] == "Mark Lead" and "Ada Actor" in mark.text
    countdown = await say(double, fan, "countdown", {"release": "Severance S1E05"})
    assert f"<t:{int((NOW + timedelta(weeks=1)).timestamp())}:" in countdown.text
    assert "Severance S1E05" in countdown.text
    # Another server adding the same show just follows it.
    _, other_mod, _ = await new_guild(double)
    again = await say(double, other_mod, "fandom add", {"show": "1"})
    assert "is followed here" in again.embeds[0]["description"] and "added to this bot" not in again.embeds[0]["description"]


async def test_other_servers_see_nothing_and_members_without_manage_server_are_refused(
    double: DiscordDouble, bot: BotProcess
) -> None:
    _, mod, fan = await new_guild(double)
    _, _, outsider = await new_guild(double)
    await say(double, mod, "fandom add", {"show": "1"})
    assert (await say(double, outsider, "character", {"name": "Helly Second"})).ephemeral
    assert (await say(double, fan, "character", {"name": "Helly Second"})).embeds[0]["title"] == "Helly Second"
    for command, options in (("fandom add", {"show": "2"}), ("fandom refresh", {"fandom": "tvmaze-1"})):
        refused = await say(double, fan, command, options)
        assert refused.ephemeral and "You need the **Manage Server** permission" in refused.content
    assert "tvmaze-2" not in packs_in(bot)
    # A server that does not follow a fandom cannot refresh it.
    _, outsider_mod, _ = await new_guild(double)
    refused = await say(double, outsider_mod, "fandom refresh", {"fandom": "tvmaze-1"})
    assert refused.ephemeral and "not a TVmaze fandom this server follows" in refused.content


async def test_refreshes_are_limited_to_one_per_ten_minutes(double: DiscordDouble, bot: BotProcess) -> None:
    _, mod, _ = await new_guild(double)
    await say(double, mod, "fandom add", {"show": "4"})
    choices = await double.autocomplete(mod, "fandom refresh", {"fandom": "undated"}, "fandom")
    assert choices == [{"name": "Undated Saga", "value": "tvmaze-4"}]
    first = await say(double, mod, "fandom refresh", {"fandom": "tvmaze-4"})  # the add itself does not count
    assert first.ephemeral and "is refreshed from TVmaze" in first.content
    second = await say(double, mod, "fandom refresh", {"fandom": "tvmaze-4"})
    assert second.ephemeral and "the next refresh is allowed <t:" in second.content


async def test_hand_written_aliases_stay_across_a_refresh(double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble) -> None:
    _, mod, fan = await new_guild(double)
    added = await say(double, mod, "fandom add", {"show": "2"})  # the show is the hand-written pack's
    assert "(`harbor-wiki`)" in added.embeds[0]["description"]

    async def keeper() -> str:
        return (await say(double, fan, "character", {"name": "Lighthouse Keeper"})).text

    assert "Mark Lead" in await polled(keeper, lambda text: "Ada Actor" in text)  # merged with TVmaze's cast
    tvmaze.move_episode(2, 200_000 + 3010, NOW + timedelta(days=2))
    refreshed = await say(double, mod, "fandom refresh", {"fandom": "harbor-wiki"})
    assert "1 episode date moved" in refreshed.content
    text = await keeper()
    assert "Mark Lead" in text and "Ada Actor" in text


async def test_tvmaze_down_during_an_add_changes_nothing_and_during_a_sync_stalls_nothing(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    _, mod, fan = await new_guild(double)
    tvmaze.fail_5xx = 1_000
    try:
        failed = await say(double, mod, "fandom add", {"show": "5"})
        assert failed.ephemeral and "Could not add the show: TVmaze is not answering right now" in failed.text
        assert "Nothing was changed" in failed.text and "tvmaze-5" not in packs_in(bot)
        assert (await double.autocomplete(mod, "fandom add", {"show": "daily"}, "show")) == []
        updates = tvmaze.requests["/updates/shows"]
        await eventually(lambda: tvmaze.requests["/updates/shows"] > updates, 30, "a scheduled sync while TVmaze fails")
    finally:
        tvmaze.fail_5xx = 0
    tvmaze.hang = 1_000
    try:
        updates = tvmaze.requests["/updates/shows"]
        await eventually(lambda: tvmaze.requests["/updates/shows"] > updates, 30, "a scheduled sync that hangs")
        started = time.monotonic()
        assert "Fandoms on this bot" in (await say(double, fan, "fandom list")).text
        assert time.monotonic() - started < 5  # the bot answers while the sync waits on TVmaze
    finally:
        tvmaze.hang = 0
    await say(double, mod, "fandom add", {"show": "1"})
    assert "tvmaze-1" in packs_in(bot)


async def test_an_episode_moved_on_tvmaze_is_announced_once_and_reminded_at_its_new_time(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    """The scheduled sync notices the move through the updates list: the channel reminded of every
    episode is told once, and the reminder follows the episode to its new time."""
    guild = await double.add_guild(channels=("episodes",))
    mod = double.add_member(guild, "mod", permissions=MOD)
    await say(double, mod, "fandom add", {"show": "1"})
    channel = guild.channel("episodes")
    await say(double, mod, "reminders subscribe", {"channel": channel, "offsets": "0", "episodes": True})
    was = NOW + timedelta(weeks=2)  # S1E06, weekly from three weeks ago
    now = (datetime.now(UTC) + timedelta(seconds=30)).replace(microsecond=0)
    tvmaze.move_episode(1, 101_006, now)

    def posts() -> list[str]:
        return [m.content for m in double.channel_messages(channel) if m.interaction_id is None]

    # The channel is at the default (aired + 7d): the episode is not yet watched, so its title is barred.
    notice = (f"📅 **Severance S1E06** — ||“Episode 6”|| moved: was <t:{int(was.timestamp())}:F>, "
              f"now <t:{int(now.timestamp())}:F> (<t:{int(now.timestamp())}:R>)")
    await eventually(lambda: notice in posts(), 25, "the move notice after a scheduled sync")
    reminder = f"🎬 **Severance S1E06** — ||“Episode 6”|| airs now! <t:{int(now.timestamp())}:F>."
    await eventually(lambda: reminder in posts(), 45, "the reminder at the new time")
    await asyncio.sleep(1.0)
    assert posts() == [notice, reminder]


async def test_a_remindme_episode_moved_on_tvmaze_tells_the_member_once(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    """A scheduled sync moves an episode a member asked to be reminded of: one DM names it, with the
    old and the new time, and the reminder follows the episode."""
    guild, mod, fan = await new_guild(double)
    await say(double, mod, "fandom add", {"show": "4"})
    assert "I'll DM you when" in (await say(double, fan, "remindme", {"release": "Undated Saga s1e2"})).content
    was = NOW + timedelta(days=14)  # S1E02, a week after S1E01
    moved = (NOW + timedelta(days=10, hours=3)).replace(microsecond=0)
    tvmaze.move_episode(4, 401_002, moved)

    def dms() -> list[str]:
        channel = double.dm_channels.get(fan.id)
        return [m.content for m in double.channel_messages(channel) if m.interaction_id is None] if channel else []

    await eventually(lambda: len(dms()) == 1, 25, "the DM after a scheduled sync")
    await asyncio.sleep(8)  # another scheduled sync (every 7.2 s) finds nothing new to tell
    old, new = int(was.timestamp()), int(moved.timestamp())
    assert dms() == [f"📅 **Undated Saga S1E02** — ||“Episode 2”|| in **{guild.name}** moved: was <t:{old}:F>, now <t:{new}:F> "
                     f"(<t:{new}:R>). Your /remindme DM comes at the new time."]


async def test_a_rating_changed_on_tvmaze_is_kept_by_the_sync_and_announces_nothing(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    """TVmaze's episode ratings come with the show (null while unrated), and a scheduled sync that
    finds only ratings changed updates them without a move notice to a channel reminded of every episode."""
    guild = await double.add_guild(channels=("episodes",))
    mod = double.add_member(guild, "mod", permissions=MOD)
    await say(double, mod, "fandom add", {"show": "1"})
    channel = guild.channel("episodes")
    await say(double, mod, "reminders subscribe", {"channel": channel, "offsets": "0", "episodes": True})

    def ratings() -> dict[str, float | None]:
        with sqlite3.connect(bot.database) as conn:
            rows = conn.execute(
                "SELECT r.key, r.rating FROM releases r JOIN packs p ON p.id = r.pack_id "
                "WHERE p.key = 'tvmaze-1' AND r.kind = 'episode' AND r.season_number = 1"
            )
            return {key.rsplit("/", 1)[-1]: rating for key, rating in rows}

    assert [ratings()[f"e10100{n}"] for n in range(1, 6)] == [8.1, 7.6, 9.0, None, None]
    tvmaze.rate_episode(1, 101_005, 7.9)  # next week's episode, within the reminders' reach
    tvmaze.rate_episode(1, 101_001, None)
    await eventually(lambda: ratings()["e101005"] == 7.9, 25, "the new rating after a scheduled sync")
    assert [ratings()[f"e10100{n}"] for n in range(1, 6)] == [None, 7.6, 9.0, None, 7.9]
    await asyncio.sleep(8)  # another scheduled sync (every 7.2 s) has nothing to tell either
    assert [m.content for m in double.channel_messages(channel) if m.interaction_id is None] == []


async def test_ratings_show_tvmazes_own_episode_rating_beside_the_servers(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    from db import Store  # the test stores stars as the watch-along's buttons do

    guild, mod, fan = await new_guild(double)
    await say(double, mod, "fandom add", {"show": "1"})
    async with Store.open(bot.database_url) as store:
        series = next(s for s in await store.series.summaries(guild.id) if s.title == "Severance")
        season = [r for r in await store.releases.for_series(series.id, guild.id) if r.season_number == 1 and r.episode]
        await store.watchalong_threads.plan(guild.id, season[0].id, 1, NOW, NOW + timedelta(days=30))  # open for stars
        await store.episode_ratings.rate(guild.id, season[0].id, 7, 5, NOW)
    # TVmaze's averages as the store holds them now (another test of this module re-rates episodes).
    theirs = {r.episode: r.rating for r in season if r.rating is not None and r.episode is not None}
    assert theirs, "the TVmaze double rates some of Severance's first season"
    reply = await say(double, fan, "ratings", {"series": "Severance", "season": 1})
    lines = reply.embeds[0]["description"].splitlines()
    expected = sorted(set(theirs) | {1})
    assert [line.split("**")[1] for line in lines] == [f"S01E{n:02d}" for n in expected], lines
    for number, line in zip(expected, lines, strict=True):
        ours = "⭐ 5.0 (1)" if number == 1 else "⭐ not rated here"
        tail = f" · TVmaze {theirs[number]:.1f}" if number in theirs else ""
        assert line.endswith(f"— {ours}{tail}"), line


async def test_a_series_alias_finds_a_show_on_the_bot_in_fandom_add_and_series_autocomplete(
    double: DiscordDouble, bot: BotProcess
) -> None:
    """TVmaze's search knows no fan initialism; the bot's packs may ("GoT"): the hand-written pack of show 2
    calls Harbor Lights "HLX", so /fandom add offers it for "hlx" in any case, before TVmaze's other hits."""
    _, mod, fan = await new_guild(double)
    for typed in ("hlx", "HLX", "Hlx"):
        choices = await double.autocomplete(mod, "fandom add", {"show": typed}, "show")
        assert choices[:1] == [{"name": "Harbor Lights (on this bot)", "value": "2"}], typed
    # TVmaze's own hits stay, with the show on the bot named once.
    choices = await double.autocomplete(mod, "fandom add", {"show": "Harbor Lights"}, "show")
    assert [c["value"] for c in choices].count("2") == 1
    added = await say(double, mod, "fandom add", {"show": "2"})
    assert "(`harbor-wiki`)" in added.embeds[0]["description"]
    offered = await double.autocomplete(fan, "series", {"title": "hlx"}, "title")
    assert offered and offered[0]["name"].startswith("Harbor Lights")
    card = await say(double, fan, "series", {"title": "HLX"})
    assert card.embeds and card.embeds[0]["title"].startswith("Harbor Lights")
