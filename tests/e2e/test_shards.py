"""One `python -m bot` process running several gateway shards against the double, which shards as
Discord does: a guild's events reach only the connection of shard `(guild_id >> 22) % count`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path

import pytest

from tests.double.gateway import GatewaySession
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import new_double
from tests.e2e.waiting import eventually

DISCORD_WINDOW = 5.0


@pytest.fixture
async def fresh_double(request: pytest.FixtureRequest) -> AsyncIterator[DiscordDouble]:
    """A double of the test's own, recommending the shards the test asks for (indirect parameter)."""
    d = await new_double(**getattr(request, "param", {}))
    yield d
    await d.close()


def four_shards(**extra: float) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("fresh_double", [{"shards": 4, "max_concurrency": 4} | extra], indirect=True)


async def guilds_on(double: DiscordDouble, shards: range | tuple[int, ...]) -> dict[int, FakeGuild]:
    return {shard: await double.add_guild(f"Shard {shard} fans", shard=shard) for shard in shards}


def ready_sessions(double: DiscordDouble) -> dict[int, GatewaySession]:
    return {s.shard[0]: s for s in double.sessions if s.open and s.ready.is_set()}


def guilds_sent_to(session: GatewaySession) -> set[int]:
    """Guilds the connection was told about: in READY, or as GUILD_CREATE."""
    ids: set[int] = set()
    for payload in session.sent:
        if payload["t"] == "READY":
            ids |= {int(g["id"]) for g in payload["d"]["guilds"]}
        elif payload["t"] == "GUILD_CREATE":
            ids.add(int(payload["d"]["id"]))
    return ids


def interactions_sent_to(session: GatewaySession) -> set[int]:
    return {int(p["d"]["id"]) for p in session.sent if p["t"] == "INTERACTION_CREATE"}


@four_shards()
async def test_each_shard_answers_the_guilds_discord_puts_on_it(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    """SHARD_COUNT unset: the bot runs the 4 shards the double recommends, one connection each."""
    guilds = await guilds_on(fresh_double, range(4))
    bot = BotProcess(fresh_double, tmp_path)
    await bot.start(shards=4)
    assert sorted(r.shard for r in fresh_double.sharding.identifies) == [(0, 4), (1, 4), (2, 4), (3, 4)]
    sessions = ready_sessions(fresh_double)
    assert {shard: guilds_sent_to(s) for shard, s in sessions.items()} == {n: {g.id} for n, g in guilds.items()}

    guilds[4] = await fresh_double.add_guild("Joined later", shard=2)  # its GUILD_CREATE goes to shard 2 only
    assert [shard for shard, s in sessions.items() if guilds[4].id in guilds_sent_to(s)] == [2]
    for shard, guild in guilds.items():
        member = fresh_double.add_member(guild, f"fan{shard}")
        record = await fresh_double.command(member, "character", {"name": "Claire"})
        assert (await record.reply()).embeds[0]["title"] == "Claire Temple"
        owner = sessions[(guild.id >> 22) % 4]
        assert record.id in interactions_sent_to(owner)
        assert all(record.id not in interactions_sent_to(s) for s in sessions.values() if s is not owner)

    dm = await (await fresh_double.command(fresh_double.owner, "character", {"name": "Foggy"})).reply()
    assert dm.guild_id is None and dm.embeds[0]["title"] == "Foggy Nelson"
    assert len(interactions_sent_to(sessions[0])) == 2  # guild 0's command and the direct message

    assert "running shards 0-3 of 4 (every shard; Discord recommends 4)" in bot.log()
    await eventually(lambda: "guilds on shards 0-3 of 4" in bot.log(), 10, "on_ready once every shard has its guilds")
    assert await bot.stop() == 0


@four_shards()
async def test_shard_ids_serve_only_their_shards(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    guilds = await guilds_on(fresh_double, (0, 1, 2))
    bot = BotProcess(fresh_double, tmp_path, env={"SHARD_COUNT": "4", "SHARD_IDS": "0,1"})
    await bot.start(shards=2)
    assert [r.shard for r in fresh_double.sharding.identifies] == [(0, 4), (1, 4)]
    sessions = ready_sessions(fresh_double)
    assert set(sessions) == {0, 1}
    assert all(guilds[2].id not in guilds_sent_to(s) for s in sessions.values())
    for shard in (0, 1):
        reply = await say(fresh_double, fresh_double.add_member(guilds[shard], "fan"), "character", {"name": "Karen"})
        assert reply.embeds[0]["title"] == "Karen Page"
    with pytest.raises(ConnectionError, match=f"guild {guilds[2].id}"):  # nobody runs shard 2 here
        await fresh_double.command(fresh_double.add_member(guilds[2], "unserved"), "character", {"name": "Karen"})
    assert fresh_double.channel_messages(guilds[2].text_channel, include_ephemeral=True) == []
    assert "running shards 0-1 of 4 (SHARD_IDS" in bot.log()
    assert await bot.stop() == 0


@four_shards(max_concurrency=2, identify_window=8.0)
async def test_identifies_keep_to_their_buckets_and_an_early_one_is_retried(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    """max_concurrency 2: shards 0 and 1 identify at once, 2 and 3 five seconds later. The double's
    window is longer than Discord's 5 s, so those are too early: op 9, and the bot identifies again."""
    guilds = await guilds_on(fresh_double, range(4))
    bot = BotProcess(fresh_double, tmp_path, env={"IDENTIFY_WINDOW": "5"})  # Discord's, shorter than this double's
    await bot.start(shards=4, timeout=45)
    records = fresh_double.sharding.identifies
    assert all(r.shard[1] == 4 for r in records)
    assert {r.shard[0] for r in records if r.outcome == "ready"} == {0, 1, 2, 3}
    early = [r for r in records if r.outcome == "invalid session"]
    assert {r.shard[0] for r in early} == {2, 3}
    for bucket in (0, 1):
        mine = [r for r in records if r.shard[0] % 2 == bucket]
        assert all(b.at - a.at >= DISCORD_WINDOW for a, b in pairwise(mine)), "the bot kept Discord's 5 s"
        admitted = [r for r in mine if r.outcome == "ready"]
        assert all(b.at - a.at >= 8.0 for a, b in pairwise(admitted)), "the double kept its window"
    assert "session has been invalidated" in bot.log() and "waited" in bot.log()
    member = fresh_double.add_member(guilds[3], "late fan")
    assert (await say(fresh_double, member, "character", {"name": "Claire"})).embeds[0]["title"] == "Claire Temple"
    assert await bot.stop() == 0


async def test_a_shard_count_too_small_for_the_guilds_exits_2_with_one_line(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    fresh_double.sharding.guilds_per_shard = 1  # Discord's is 2,500
    await fresh_double.add_guild("one")
    await fresh_double.add_guild("two")
    bot = BotProcess(fresh_double, tmp_path, env={"SHARD_COUNT": "1"})
    await bot.start(wait=False)
    assert await bot.exited() == 2
    await bot.assert_token_secret()
    last = bot.log().strip().splitlines()[-1]
    assert last.startswith("fandex: Discord closed shard 0: sharding required (4011)") and "SHARD_COUNT" in last
    assert "Traceback" not in bot.log()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-4"}, "SHARD_IDS names shard 4, but SHARD_COUNT=4 numbers shards 0-3"),
        ({"SHARD_IDS": "0,1"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "first"}, "such as 0-3 or 0,2,5 or 0-2,5"),
    ],
)
async def test_bad_shard_settings_exit_2_with_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    double = DiscordDouble(token="MTk.not.used", contract=None)  # never started: settings fail first
    bot = BotProcess(double, tmp_path, env=env)
    await bot.start(wait=False)
    assert await bot.exited() == 2
    said = bot.log().split("=====\n", 1)[1]
    assert said.count("\n") == 1 and said.startswith("fandex: ") and expected in said
