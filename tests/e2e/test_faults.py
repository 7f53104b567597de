"""Faults injected by the double — 5xx bursts, 429s, lost channels, slow answers, gateway trouble — and
the bot coming through each: retrying where Discord says to, without storms, logging every fault."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record

CALLBACK = r"/interactions/\d+/[^/]+/callback$"


@pytest.fixture(autouse=True)
async def faults_cleared(double: DiscordDouble) -> AsyncIterator[None]:
    before = len(double.injected)
    yield
    record("faults injected by the double (and survived)", len(double.injected) - before)
    double.clear_faults()


async def lookup(double: DiscordDouble, member: FakeMember, name: str = "Foggy") -> str:
    return (await (await double.command(member, "character", {"name": name})).reply()).embeds[0]["title"]


def moderator_of(double: DiscordDouble, guild: FakeGuild) -> FakeMember:
    return double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)


def in_seconds(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def reminders(double: DiscordDouble, guild: FakeGuild, title: str) -> list:
    return [m for m in double.channel_messages(guild.channel("premieres")) if title in m.content and m.interaction_id is None]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_on_the_interaction_reply_is_retried_within_the_window(
    double: DiscordDouble, bot: BotProcess, member: FakeMember, status: int
) -> None:
    fault = double.inject(CALLBACK, status=status)
    record_ = await double.command(member, "character", {"name": "Karen"})
    assert (await record_.reply()).embeds[0]["title"] == "Karen Page"
    assert len(fault.hits) == 1 and record_.latency is not None and record_.latency < 3.0
    await eventually(lambda: f"Discord answered {status}" in bot.log(), 5, "the fault's log line")


async def test_a_5xx_burst_longer_than_the_window_costs_one_reply_not_the_bot(
    double: DiscordDouble, bot: BotProcess, member: FakeMember
) -> None:
    double.inject(CALLBACK, status=503, count=3)  # retried after 1 s and 3 s: past Discord's 3 s
    lost = await double.send_command(member, "character", {"name": "Karen"})
    await eventually(lambda: len(lost.rejected_callbacks) >= 1 or lost.callback is not None, 10, "the late retry")
    assert lost.callback is None and lost.rejected_callbacks == [404]  # Discord says: too late
    assert await lookup(double, member) == "Foggy Nelson"  # the next member is answered as usual
    attempts = [r for r in double.requests if r.path.endswith("/callback") and str(lost.id) in r.path]
    assert len(attempts) == 4  # three 503s, one late try: no storm


async def test_a_429_on_the_reply_is_waited_out(double: DiscordDouble, bot: BotProcess, member: FakeMember) -> None:
    double.inject(CALLBACK, status=429, retry_after=0.6)
    started = time.monotonic()
    assert await lookup(double, member, "Trish") == "Trish Walker"
    assert 0.5 < time.monotonic() - started < 3.0
    await eventually(lambda: "Discord answered 429" in bot.log() and "is rate limited" in bot.log(), 5, "the rate-limit log lines")


async def test_a_global_429_on_a_reminder_post_delays_it_but_posts_once(
    double: DiscordDouble, bot: BotProcess, guild: FakeGuild
) -> None:
    mod = moderator_of(double, guild)
    await (await double.command(mod, "reminders subscribe", {"channel": guild.channel("premieres"), "offsets": "0"})).reply()
    double.inject(r"/channels/\d+/messages$", method="POST", status=429, retry_after=1.0, is_global=True)
    await (await double.command(mod, "release set", {"title": "Global Limit", "date": in_seconds(2)})).reply()
    await eventually(lambda: len(reminders(double, guild, "Global Limit")) == 1, 15, "the rate-limited reminder")
    await asyncio.sleep(1.5)
    assert len(reminders(double, guild, "Global Limit")) == 1
    assert "Global rate limit has been hit" in bot.log()


async def test_a_503_on_a_reminder_post_is_retried_with_backoff_and_posted_once(
    double: DiscordDouble, bot: BotProcess, guild: FakeGuild
) -> None:
    mod = moderator_of(double, guild)
    channel = guild.channel("premieres")
    await (await double.command(mod, "reminders subscribe", {"channel": channel, "offsets": "0"})).reply()
    fault = double.inject(rf"/channels/{channel.id}/messages$", method="POST", status=503, count=1)
    await (await double.command(mod, "release set", {"title": "Flaky Post", "date": in_seconds(2)})).reply()
    await eventually(lambda: len(reminders(double, guild, "Flaky Post")) == 1, 20, "the retried reminder")
    assert len(fault.hits) == 1
    posts = [r for r in double.requests if r.method == "POST" and r.path.endswith(f"/channels/{channel.id}/messages")]
    assert [r.status for r in posts[-2:]] == [503, 200] and posts[-1].at - posts[-2].at >= 4.5  # backed off
    assert "retrying at" in bot.log()


async def test_a_deleted_channel_disables_its_subscription(double: DiscordDouble, bot: BotProcess, guild: FakeGuild) -> None:
    mod = moderator_of(double, guild)
    channel = guild.channel("premieres")
    await (await double.command(mod, "reminders subscribe", {"channel": channel, "offsets": "0"})).reply()
    del double.channels[channel.id]  # the channel is gone: Discord answers 404 Unknown Channel
    await (await double.command(mod, "release set", {"title": "Gone Channel", "date": in_seconds(2)})).reply()
    await eventually(lambda: "disabled reminder subscription" in bot.log(), 10, "the subscription to be disabled")
    listing = (await (await double.command(mod, "reminders list")).reply()).embeds[0]["description"]
    assert "**disabled**" in listing and "404" in listing


async def test_slow_answers_are_waited_for(double: DiscordDouble, bot: BotProcess, member: FakeMember) -> None:
    double.inject(CALLBACK, status=0, delay=2.0)
    started = time.monotonic()
    assert await lookup(double, member, "Claire") == "Claire Temple"
    assert time.monotonic() - started >= 2.0


async def test_a_dropped_gateway_connection_resumes(double: DiscordDouble, bot: BotProcess, member: FakeMember) -> None:
    session = double.live_session()
    resumes = session.resumes
    await double.drop_gateway()
    await eventually(lambda: session.resumes == resumes + 1 and session.open, 20, "the bot to resume")
    assert await lookup(double, member) == "Foggy Nelson"
    assert "lost the gateway connection" in bot.log() and "successfully RESUMED" in bot.log()


async def test_op7_reconnect_resumes(double: DiscordDouble, bot: BotProcess, member: FakeMember) -> None:
    session = double.live_session()
    resumes = session.resumes
    await double.request_reconnect()
    await eventually(lambda: session.resumes == resumes + 1 and session.open, 20, "the bot to resume")
    assert await lookup(double, member) == "Foggy Nelson"


async def test_op9_invalid_session_identifies_afresh(double: DiscordDouble, bot: BotProcess, member: FakeMember) -> None:
    sessions = len(double.sessions)
    await double.invalidate_session(resumable=False)
    await double.wait_for_session(20, after=sessions)
    assert len(double.sessions) == sessions + 1  # a new session, not a resume
    assert await lookup(double, member) == "Foggy Nelson"
    assert "session has been invalidated" in bot.log()


async def test_delayed_heartbeat_acks_do_not_stop_the_bot(double: DiscordDouble, bot: BotProcess, member: FakeMember) -> None:
    double.heartbeat_ack_delay = 2.0
    assert await lookup(double, member) == "Foggy Nelson"


@pytest.mark.slow
async def test_a_silent_gateway_without_heartbeat_acks_is_abandoned_and_resumed(fresh_double: DiscordDouble, tmp_path) -> None:
    fresh_double.heartbeat_interval_ms = 1000
    bot = BotProcess(fresh_double, tmp_path)
    await bot.start()
    session = fresh_double.live_session()
    fresh_double.drop_heartbeat_acks = True  # a zombie connection: nothing comes back
    await eventually(lambda: session.resumes >= 1, 90, "the bot to give up on the silent connection")
    fresh_double.drop_heartbeat_acks = False
    assert "lost the gateway connection" in bot.log() and "gateway session resumed" in bot.log()
    guild = await fresh_double.add_guild()
    member = fresh_double.add_member(guild, "m")
    assert await lookup(fresh_double, member) == "Foggy Nelson"
    await bot.stop()
