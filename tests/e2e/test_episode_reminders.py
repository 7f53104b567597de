"""Episode reminders through the real bot: every episode on time and once when a channel asks for them,
premieres only when it does not, and a moved episode re-planned and announced once.

Each test writes its own pack with episodes seconds ahead and starts its own bot on it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record

MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD


def instant(seconds: float) -> datetime:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def pack_text(s1e1: datetime, s1e2: datetime, s2: datetime) -> str:
    """Season 1 has no release of its own (its first episode is its premiere); season 2 has one, at
    the same instant as its first episode."""
    return f"""format: 1
pack: {{id: airing, title: Airing}}
sources:
  a: {{title: An article}}
series:
  show:
    title: Airing Show
    source: a
    seasons:
      - number: 1
        source: a
        episodes:
          - {{number: 1, title: Pilot, date: "{iso(s1e1)}"}}
          - {{number: 2, title: Second Wind, date: "{iso(s1e2)}"}}
      - number: 2
        source: a
        release: [{{date: "{iso(s2)}", source: a}}]
        episodes:
          - {{number: 1, title: Return, date: "{iso(s2)}"}}
"""


async def airing_bot(double: DiscordDouble, tmp_path: Path, text: str) -> tuple[BotProcess, Path, FakeGuild, FakeMember]:
    pack = tmp_path / "airing.yaml"
    pack.write_text(text, encoding="utf-8")
    bot = BotProcess(double, tmp_path / "bot", env={"FACT_PACKS": str(pack)})
    await bot.start()
    guild = await double.add_guild(channels=("general", "episodes", "premieres"))
    return bot, pack, guild, double.add_member(guild, "mod", permissions=MOD)


def posts(double: DiscordDouble, channel: FakeChannel) -> list[FakeMessage]:
    return [m for m in double.channel_messages(channel) if m.interaction_id is None]


def lateness_ms(message: FakeMessage, due: datetime) -> float:
    return (datetime.fromisoformat(message.created_at) - due).total_seconds() * 1000


async def test_every_episode_once_and_on_time_and_premieres_only_without_episodes(
    fresh_double: DiscordDouble, tmp_path: Path
) -> None:
    double = fresh_double
    s1e1, s1e2, s2 = instant(20), instant(23), instant(26)
    bot, _, guild, mod = await airing_bot(double, tmp_path, pack_text(s1e1, s1e2, s2))
    try:
        every, premieres = guild.channel("episodes"), guild.channel("premieres")
        on = await say(double, mod, "reminders subscribe", {"channel": every, "offsets": "0", "episodes": True})
        assert "of every episode" in on.content and "3 reminder(s) scheduled for the next 35 days" in on.content, on.content
        off = await say(double, mod, "reminders subscribe", {"channel": premieres, "offsets": "0"})
        assert "of premieres only" in off.content and "2 reminder(s) scheduled" in off.content, off.content
        listing = (await say(double, mod, "reminders list")).embeds[0]["description"]
        assert f"<#{every.id}> — every episode" in listing and f"<#{premieres.id}> — premieres only" in listing

        await eventually(lambda: len(posts(double, every)) == 3 and len(posts(double, premieres)) == 2, 40, "the reminders")
        await asyncio.sleep(1.5)  # a second post of any of them would land here
        # The channels are at the default position (aired + 7d): an episode airing now is not yet watched,
        # so its own title is only inside spoiler bars (issue 25).
        assert [m.content for m in posts(double, every)] == [
            f"🎬 **Airing Show S1E01** — ||“Pilot”||, the season premiere, airs now! <t:{stamp(s1e1)}:F>.",
            f"🎬 **Airing Show S1E02** — ||“Second Wind”|| airs now! <t:{stamp(s1e2)}:F>.",
            f"🎬 **Airing Show S2E01** — ||“Return”||, the season premiere, airs now! <t:{stamp(s2)}:F>.",
        ]
        assert [m.content for m in posts(double, premieres)] == [
            f"🎬 **Airing Show S1E01** — ||“Pilot”||, the season premiere, airs now! <t:{stamp(s1e1)}:F>.",
            f"🎬 **Airing Show season 2** is out now! Premiered <t:{stamp(s2)}:F>.",
        ]
        for message, due in zip(posts(double, every), (s1e1, s1e2, s2), strict=True):
            late = lateness_ms(message, due)
            record("episode reminder lateness after due, ms", late)
            assert 0 <= late < 1500
        again = await say(double, mod, "reminders subscribe", {"channel": every, "offsets": "1h"})
        assert "of every episode" in again.content  # re-subscribing without the option keeps the choice
    finally:
        await bot.stop()


async def test_a_moved_episode_is_replanned_and_announced_once(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    double = fresh_double
    s1e1, s2 = instant(3 * 86400), instant(20 * 86400)
    s1e2 = instant(7 * 86400)
    bot, pack, guild, mod = await airing_bot(double, tmp_path, pack_text(s1e1, s1e2, s2))
    try:
        every, premieres = guild.channel("episodes"), guild.channel("premieres")
        role = double.add_role(guild, "Watchers")
        await say(double, mod, "reminders subscribe", {"channel": every, "role": role, "offsets": "0", "episodes": True})
        await say(double, mod, "reminders subscribe", {"channel": premieres, "offsets": "0"})
        # The pack moves S1E02 from next week to seconds from now; the running bot re-plans and tells #episodes.
        moved = instant(25)
        pack.write_text(pack_text(s1e1, moved, s2), encoding="utf-8")
        status, out = await bot.db_cli("import", str(pack))
        assert status == 0, out

        notice = (f"📅 **Airing Show S1E02** — ||“Second Wind”|| moved: was <t:{stamp(s1e2)}:F>, "
                  f"now <t:{stamp(moved)}:F> (<t:{stamp(moved)}:R>)")
        await eventually(lambda: any(m.content == notice for m in posts(double, every)), 20, "the move notice")
        await eventually(lambda: len(posts(double, every)) == 2, 40, "the reminder at the new time")
        await asyncio.sleep(1.5)
        first, reminder = posts(double, every)
        assert first.content == notice and first.pings == [] and first.allowed_mentions == {"parse": []}
        assert reminder.content == f"<@&{role.id}> 🎬 **Airing Show S1E02** — ||“Second Wind”|| airs now! <t:{stamp(moved)}:F>."
        record("moved episode reminder lateness after due, ms", lateness_ms(reminder, moved))
        assert 0 <= lateness_ms(reminder, moved) < 1500
        assert posts(double, premieres) == []  # a mid-season episode: neither reminded nor announced there
        rows = await bot.query("SELECT count(*) FROM timers WHERE kind = 'moved' AND state = 'done'")
        assert rows == [(1,)]
    finally:
        await bot.stop()
