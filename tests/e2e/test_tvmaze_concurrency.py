"""TVmaze fandoms under concurrency, on PostgreSQL: many moderators at once, and two bot processes at once.

Fifty adds and refreshes at the same instant, each followed by a re-plan of reminders, must all be
answered: no use case may hold a pooled connection while it waits for another. The same show added
in two processes at once is imported once; the second add joins the first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import PostgresDatabases
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import new_double
from tests.figures import record
from tests.tvmaze_double import TvmazeDouble, serving_catalogue, weekly_show

NOW = datetime.now(UTC).replace(microsecond=0)
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
SHOWS = range(101, 111)  # ten small weekly shows, with episodes within the reminders' horizon
PER_SHOW = 4  # servers adding each of them at once, besides the one refreshing it
LONG_SHOW = 120  # long enough that one process is still importing it when the other's add arrives


@pytest.fixture
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        for show_id in SHOWS:
            double.add(weekly_show(show_id, f"Show {show_id}", seasons=1, episodes=6, first=NOW - timedelta(weeks=2)))
        double.add(weekly_show(LONG_SHOW, "Long Running", seasons=12, episodes=100, first=NOW - timedelta(days=8000),
                               every=timedelta(days=7)))
        yield double


@pytest.fixture
async def postgres_url(postgres_databases: PostgresDatabases) -> AsyncIterator[str]:
    url = await postgres_databases.fresh(migrated=False)
    yield url
    await postgres_databases.drop(url)


def tvmaze_bot(double: DiscordDouble, workdir: Path, url: str, tvmaze: TvmazeDouble) -> BotProcess:
    env = {"TVMAZE_API_BASE": tvmaze.base_url, "DEFAULT_FANDOMS": "none", "TVMAZE_SYNC_HOURS": "12"}
    return BotProcess(double, workdir, env=env, database_url=url)


async def subscribed_moderator(double: DiscordDouble) -> tuple[FakeGuild, FakeMember]:
    """A server whose moderator has every episode reminded in #premieres: each follow re-plans real work."""
    guild = await double.add_guild()
    mod = double.add_member(guild, "mod", permissions=MOD)
    await say(double, mod, "reminders subscribe", {"channel": guild.channel("premieres"), "offsets": "0,1h", "episodes": True})
    return guild, mod


async def test_fifty_concurrent_adds_and_refreshes_on_postgresql_are_all_answered(
    fresh_double: DiscordDouble, tvmaze: TvmazeDouble, postgres_url: str, tmp_path: Path
) -> None:
    """Ten refreshes that move an episode (each re-plans every server following the show) and forty adds
    of the same shows, sent at once to one process with a 10-connection pool."""
    double = fresh_double
    bot = tvmaze_bot(double, tmp_path / "bot", postgres_url, tvmaze)
    await bot.start()
    try:
        refreshers = []
        for show_id in SHOWS:
            _, mod = await subscribed_moderator(double)
            added = await say(double, mod, "fandom add", {"show": str(show_id)})
            assert "added to this bot and followed here" in added.embeds[0]["description"], added.text
            refreshers.append((mod, show_id))
        adders = [(await subscribed_moderator(double))[1] for _ in range(PER_SHOW * len(SHOWS))]
        for show_id in SHOWS:  # each refresh brings a change: its re-plan has work in every follower
            tvmaze.move_episode(show_id, show_id * 100_000 + 1005, NOW + timedelta(days=3, hours=show_id % 7))
        await asyncio.sleep(10)  # TVmaze's token bucket (20 calls per 10 s) full again: the refreshes go at once

        started = time.monotonic()
        sent = [double.send_command(mod, "fandom refresh", {"fandom": f"tvmaze-{show_id}"}) for mod, show_id in refreshers]
        sent += [double.send_command(mod, "fandom add", {"show": str(SHOWS[n % len(SHOWS)])}) for n, mod in enumerate(adders)]
        records = await asyncio.gather(*sent)
        replies = await asyncio.gather(*(r.reply(timeout=60) for r in records), return_exceptions=True)
        took = time.monotonic() - started
        unanswered = [r for r in replies if isinstance(r, BaseException)]
        assert not unanswered, f"{len(unanswered)} of {len(replies)} got no reply: {unanswered[0]!r}\n{bot.log()[-3000:]}"
        refreshed = [r.content for r in replies[: len(refreshers)] if not isinstance(r, BaseException)]
        assert all("is refreshed from TVmaze: updated; 1 episode date moved" in text for text in refreshed), refreshed
        follows = [r.embeds[0]["description"] for r in replies[len(refreshers):] if not isinstance(r, BaseException)]
        assert all("is followed here" in text for text in follows), follows
        record("50 concurrent /fandom add and refresh on PostgreSQL: seconds until all answered", took)
        assert "Traceback" not in bot.log()
    finally:
        await bot.stop()


async def test_the_same_show_added_in_two_processes_at_once_is_imported_once_and_followed_by_both(
    tvmaze: TvmazeDouble, postgres_url: str, tmp_path: Path
) -> None:
    """Two processes (one shard each) on one PostgreSQL; a moderator on each shard adds the same new show
    at the same instant. Both get the normal reply, the show is one fandom, and both servers follow it."""
    double = await new_double(shards=2)
    bots = [
        BotProcess(double, tmp_path / f"process-{shard}", database_url=postgres_url, env={
            "TVMAZE_API_BASE": tvmaze.base_url, "DEFAULT_FANDOMS": "none", "SHARD_COUNT": "2", "SHARD_IDS": str(shard),
        })
        for shard in (0, 1)
    ]
    try:
        for bot in bots:  # one after the other: the first migrates and syncs commands
            await bot.start()
        mods = []
        for shard in (0, 1):
            guild = await double.add_guild(shard=shard)
            mods.append(double.add_member(guild, "mod", permissions=MOD))
        records = await asyncio.gather(*(double.send_command(mod, "fandom add", {"show": str(LONG_SHOW)}) for mod in mods))
        replies = [await r.reply(timeout=60) for r in records]
        texts = [r.embeds[0]["description"] if r.embeds else r.content for r in replies]
        assert all("**Long Running** (`tvmaze-120`) is" in text for text in texts), texts
        assert sorted("added to this bot" in text for text in texts) == [False, True], texts  # one import, one join
        assert await bots[0].query("SELECT count(*) FROM packs WHERE key = 'tvmaze-120'") == [(1,)]
        for mod in mods:
            listed = await say(double, mod, "fandom list")
            assert "✅ **Long Running** (`tvmaze-120`)" in listed.text, listed.text
        for bot in bots:
            assert "Traceback" not in bot.log(), bot.log()[-3000:]
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots if bot.running), return_exceptions=True)
        await double.close()
