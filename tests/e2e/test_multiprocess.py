"""Three bot processes over six shards on one PostgreSQL store, with processes killed and restarted.

What scale-out promises, proven with the real bot, the real store and a double that shards as Discord
does: every reminder is posted exactly once (counted by nonce at the double), every confirmed vote is
stored once and counted in the final tally, no tally edit goes backwards, and start-up work (command
sync, pack import) is done once per deployment, not once per process.
"""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from tests.conftest import PostgresDatabases
from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import new_double
from tests.e2e.waiting import eventually
from tests.figures import record

pytestmark = pytest.mark.slow

SHARDS = 6
SHARD_IDS = ("0-1", "2-3", "4-5")
GUILDS_PER_SHARD = 2


@dataclass
class Deployment:
    double: DiscordDouble
    bots: list[BotProcess]
    url: str
    guilds: list[FakeGuild]

    def bot_for(self, guild: FakeGuild) -> BotProcess:
        shard = (guild.id >> 22) % SHARDS
        return self.bots[shard // 2]

    async def restart(self, index: int, sig: signal.Signals = signal.SIGKILL) -> None:
        bot = self.bots[index]
        await bot.stop(sig)
        await bot.start(wait=False)
        await every_shard_served(self.double)


def served_shards(double: DiscordDouble) -> set[int]:
    return {s.shard[0] for s in double.sessions if s.open and s.ready.is_set() and s.shard[1] == SHARDS}


async def every_shard_served(double: DiscordDouble, timeout: float = 60) -> None:
    await eventually(lambda: served_shards(double) == set(range(SHARDS)), timeout, f"all {SHARDS} shards connected")


@pytest.fixture
async def deployment(postgres_databases: PostgresDatabases, tmp_path: Path) -> AsyncIterator[Deployment]:
    double = await new_double(shards=SHARDS, max_concurrency=2)
    url = await postgres_databases.fresh(migrated=False)
    bots = [
        BotProcess(double, tmp_path / f"process-{i}", env={"SHARD_COUNT": str(SHARDS), "SHARD_IDS": ids}, database_url=url)
        for i, ids in enumerate(SHARD_IDS)
    ]
    try:
        await asyncio.gather(*(bot.start(wait=False) for bot in bots))
        await every_shard_served(double)
        guilds = [await double.add_guild(shard=shard) for shard in range(SHARDS) for _ in range(GUILDS_PER_SHARD)]
        yield Deployment(double, bots, url, guilds)
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots if bot.running), return_exceptions=True)
        await double.close()
        await postgres_databases.drop(url)


def reminder_posts(double: DiscordDouble, channel: FakeChannel) -> list[FakeMessage]:
    return [m for m in double.channel_messages(channel) if m.interaction_id is None and "🎬" in m.content]


async def test_start_up_work_is_done_once_per_deployment(deployment: Deployment) -> None:
    identifies = deployment.double.sharding.identifies
    assert {r.shard[0] for r in identifies} == set(range(SHARDS))
    assert all(r.outcome == "ready" for r in identifies), "three processes took IDENTIFY turns in the store: no op 9"
    syncs = [r for r in deployment.double.requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert len(syncs) == 1, f"commands synced {len(syncs)} times by 3 processes"
    imports = sum(len(re.findall(r"fact pack: pack `\S+`: \d+ rows added", bot.log())) for bot in deployment.bots)
    assert imports == 1, f"the bundled pack was imported {imports} times"
    await deployment.restart(1, signal.SIGTERM)
    assert len([r for r in deployment.double.requests if r.method == "PUT" and r.path.endswith("/commands")]) == 1


async def test_reminders_are_posted_exactly_once_while_a_process_is_killed_and_restarted(deployment: Deployment) -> None:
    double = deployment.double
    channels: dict[int, FakeChannel] = {}
    due: dict[int, datetime] = {}
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
    for n, guild in enumerate(deployment.guilds):
        moderator = double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
        channel = guild.channel("premieres")
        await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": "0"})
        moment = start + timedelta(seconds=2 * n)  # due one after another while a process is down
        await say(double, moderator, "release set", {"title": f"Premiere {n}", "date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
        channels[guild.id], due[guild.id] = channel, moment
    await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 4)
    await deployment.restart(1)  # killed while reminders of every shard fall due, then back
    await asyncio.sleep(6)
    await deployment.restart(2)
    last = max(due.values())
    await eventually(
        lambda: all(reminder_posts(double, c) for c in channels.values()), (last - datetime.now(UTC)).total_seconds() + 60,
        "a reminder in every guild",
    )
    await asyncio.sleep(3)  # a duplicate would arrive now
    posts = {gid: reminder_posts(double, channel) for gid, channel in channels.items()}
    assert {gid: len(found) for gid, found in posts.items()} == dict.fromkeys(channels, 1)
    nonces = Counter(m.nonce for found in posts.values() for m in found)
    assert len(nonces) == len(channels) and set(nonces.values()) == {1}, "every post has its own nonce, once"
    lateness = sorted((datetime.fromisoformat(p[0].created_at) - due[gid]).total_seconds() for gid, p in posts.items())
    for late in lateness:
        record("multi-process: reminder lateness with kills, s", late)
    assert lateness[0] >= 0


def votes_field(message: FakeMessage, embeds: list[dict] | None = None) -> str:
    embed = (embeds or message.embeds)[0]
    return next(f["value"] for f in embed["fields"] if f["name"] in ("Votes", "Final result"))


def final_card_shown(poll: FakeMessage) -> bool:
    return "Final result" in str(poll.embeds[0]["fields"])


def counts(text: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r"^(.+?) — (\d+) votes? \(", text, re.M)}


async def test_votes_across_processes_are_stored_once_and_tallied_exactly(deployment: Deployment) -> None:
    double = deployment.double
    labels = ["Yes", "No", "Maybe"]
    poll_guilds = [deployment.guilds[i] for i in (0, 4, 8, 11)]  # shards 0, 2, 4 and 5: every process
    polls: list[FakeMessage] = []
    members: dict[int, list[FakeMember]] = {}
    authors: dict[int, FakeMember] = {}
    for guild in poll_guilds:
        author = authors[guild.id] = double.add_member(guild, "author")
        polls.append(await say(double, author, "poll create", {"question": f"Poll in {guild.id}?", "options": "Yes; No; Maybe"}))
        members[guild.id] = [double.add_member(guild, f"fan{i}") for i in range(130)]
    confirmed: dict[tuple[int, int], str] = {}
    presses = 0
    for wave in range(4):
        sends = []
        for poll, guild in zip(polls, poll_guilds, strict=True):
            for i, member in enumerate(members[guild.id]):
                choice = labels[(i + wave * (i % 2 + 1)) % 3]
                sends.append((poll, member, choice, double.send_press(member, poll, choice)))
        records = await asyncio.gather(*(s[3] for s in sends))
        replies = await asyncio.gather(*(r.reply() for r in records), return_exceptions=True)
        for (poll, member, choice, _), reply in zip(sends, replies, strict=True):
            presses += 1
            if isinstance(reply, FakeMessage) and reply.content.startswith(f"Your vote: **{choice}**"):
                confirmed[(poll.id, member.id)] = choice
        if wave < 3:
            await deployment.restart(wave % 3)  # a kill between waves: the next wave meets a fresh process
    assert presses >= 2000 and len(members) * 130 >= 500
    assert len(confirmed) == sum(len(m) for m in members.values()), "every press was confirmed"

    stored = await deployment.bots[0].query("SELECT p.message_id, v.user_id, o.label FROM votes v "
                                            "JOIN polls p ON p.id = v.poll_id "
                                            "JOIN poll_options o ON o.poll_id = v.poll_id AND o.position = v.position")
    by_member = Counter((row[0], row[1]) for row in stored)
    assert set(by_member.values()) == {1}, "one stored vote per member per poll"
    assert {(row[0], row[1]): row[2] for row in stored} == confirmed

    for poll, guild in zip(polls, poll_guilds, strict=True):
        expected = Counter(choice for (pid, _), choice in confirmed.items() if pid == poll.id)
        number = re.search(r"Poll #(\d+)", poll.embeds[0]["footer"]["text"])
        assert number
        closing = await say(double, authors[guild.id], "poll close", {"poll": number.group(1)})
        assert closing.content.startswith("Closed"), closing.content
        await eventually(partial(final_card_shown, poll), 20, "the final card")
        final = counts(votes_field(poll))
        assert final == {label: expected.get(label, 0) for label in labels}
        shown = [sum(counts(votes_field(poll, embeds)).values()) for embeds in poll.history]
        assert shown == sorted(shown), f"a tally edit went backwards: {shown}"
        assert "Final result" in str(poll.history[-1][0]["fields"]), "the final card is the last edit"
        record("multi-process: tally edits per poll for 520 presses", len(poll.history))


async def test_the_launcher_runs_three_processes_on_postgresql(postgres_databases: PostgresDatabases, tmp_path: Path) -> None:
    """`python -m bot launch --processes 3`: six shards split 0-1 / 2-3 / 4-5, every guild answered."""
    double = await new_double(shards=SHARDS, max_concurrency=2)
    url = await postgres_databases.fresh(migrated=False)
    launcher = BotProcess(double, tmp_path / "launcher", args=("launch", "--processes", "3"), database_url=url)
    try:
        await launcher.start(wait=False)
        await every_shard_served(double)
        for shard in range(SHARDS):
            guild = await double.add_guild(shard=shard)
            fan = double.add_member(guild, "fan")
            reply = await say(double, fan, "character", {"name": "Jessica Jones"})
            assert reply.embeds and "Jessica Jones" in reply.embeds[0]["title"]
        log = launcher.log()
        for ids in SHARD_IDS:
            assert f"(shards {ids})" in log
        assert await launcher.stop() == 0
    finally:
        if launcher.running:
            await launcher.stop(signal.SIGKILL)
        await double.close()
        await postgres_databases.drop(url)
