"""Reminders, move notices and /remindme under spoiler positions (issue 25): an episode past the position
of who reads — a channel's for its posts, a member's own (else the default) for their DMs and replies —
is named by its code, its title only inside spoiler bars. /countdown never finds or suggests such an
episode by its own title.

The bot runs with tests/packs/spoilers.yaml (The Show: season 1 listed — Pilot, Turn, Loss, airing in
2030). A test brings S1E03 near with `/release set` (this server's own date) or, for a move notice, a
copy of the pack whose S1E03 airs in days, then moves it there and re-imports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
BARRED = "**The Show S1E03** — ||“Loss”||"
PLAIN = "**The Show S1E03 — “Loss”**"


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": str(PACK), "TVMAZE_IMPORTS": "off"}
    process = BotProcess(double, tmp_path_factory.mktemp("spoiler-reminders"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


def at(seconds: float) -> datetime:
    """An instant `seconds` from now, whole seconds."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)


def typed(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def about_the_show(double: DiscordDouble, channel: FakeChannel, mark: str) -> list[FakeMessage]:
    """What the bot posted in `channel` on its own (not a reply) about The Show, starting with `mark`
    (🎬 a reminder, 📅 a move: /release set also posts that the date changed here, naming no title)."""
    return [m for m in double.channel_messages(channel) if m.interaction_id is None and m.content.startswith(f"{mark} ")
            and "The Show" in m.content]


def direct_messages(double: DiscordDouble, member: FakeMember) -> list[FakeMessage]:
    channel = double.dm_channels.get(member.id)
    return [m for m in double.channel_messages(channel) if m.interaction_id is None] if channel else []


async def server(double: DiscordDouble) -> tuple[FakeGuild, FakeMember]:
    guild = await double.add_guild(channels=("general", "spoilers"))
    return guild, double.add_member(guild, "mod", permissions=MOD)


async def test_a_channel_reminder_bars_the_title_past_the_servers_setting_and_a_channel_override_lifts_it(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, mod = await server(double)
    general, spoilers = guild.channel("general"), guild.channel("spoilers")
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E02"})
    await say(double, mod, "spoilers channel", {"channel": spoilers, "series": "The Show", "upto": "all"})
    for channel in (general, spoilers):
        await say(double, mod, "reminders subscribe", {"channel": channel, "offsets": "0", "episodes": True})
    airs = at(6)
    moved = await say(double, mod, "release set", {"title": "The Show s1e3", "date": typed(airs), "timezone": "UTC"})
    assert "2 reminder(s) scheduled" in moved.content and "Loss" not in moved.content, moved.content

    await eventually(lambda: len(about_the_show(double, general, "🎬")) == 1 and len(about_the_show(double, spoilers, "🎬")) == 1,
                     20, "the two reminders")
    await asyncio.sleep(1)
    [barred], [plain] = about_the_show(double, general, "🎬"), about_the_show(double, spoilers, "🎬")
    assert barred.content == f"🎬 {BARRED} airs now! <t:{stamp(airs)}:F>.", barred.content
    assert plain.content == f"🎬 {PLAIN} airs now! <t:{stamp(airs)}:F>.", plain.content


async def test_a_move_notice_bars_the_title_past_the_channels_position(
    double: DiscordDouble, tmp_path: Path
) -> None:
    """The pack moves S1E03 within the reminder horizon: #general (the default, aired + 7d) is told with
    the title barred, #spoilers (override `all`) plainly."""
    was, now_at = at(10 * 86400), at(12 * 86400)
    pack = tmp_path / "spoilers.yaml"
    original = PACK.read_text(encoding="utf-8")
    assert 'date: "2030-01-19"' in original
    pack.write_text(original.replace('date: "2030-01-19"', f'date: "{typed(was)}"'), encoding="utf-8")
    bot = BotProcess(double, tmp_path / "bot", env={"FACT_PACKS": str(pack), "TVMAZE_IMPORTS": "off"})
    await bot.start()
    try:
        guild, mod = await server(double)
        general, spoilers = guild.channel("general"), guild.channel("spoilers")
        await say(double, mod, "spoilers channel", {"channel": spoilers, "series": "The Show", "upto": "all"})
        for channel in (general, spoilers):
            await say(double, mod, "reminders subscribe", {"channel": channel, "offsets": "0", "episodes": True})
        pack.write_text(original.replace('date: "2030-01-19"', f'date: "{typed(now_at)}"'), encoding="utf-8")
        status, out = await bot.db_cli("import", str(pack))
        assert status == 0, out

        await eventually(lambda: bool(about_the_show(double, general, "📅") and about_the_show(double, spoilers, "📅")), 20,
                         "the move notices")
        when = f"was <t:{stamp(was)}:F>, now <t:{stamp(now_at)}:F> (<t:{stamp(now_at)}:R>)"
        assert [m.content for m in about_the_show(double, general, "📅")] == [f"📅 {BARRED} moved: {when}"]
        assert [m.content for m in about_the_show(double, spoilers, "📅")] == [f"📅 {PLAIN} moved: {when}"]
    finally:
        await bot.stop()


async def test_remindme_follows_the_members_own_progress_else_the_default_and_its_reply_the_readers_position(
    double: DiscordDouble, bot: BotProcess
) -> None:
    """Three members ask /remindme for S1E03. The confirmation (only they see it) follows their own
    progress, else the channel's position; the DMs (no channel) their own progress, else the default."""
    guild, mod = await server(double)
    general, spoilers = guild.channel("general"), guild.channel("spoilers")
    await say(double, mod, "spoilers channel", {"channel": spoilers, "series": "The Show", "upto": "all"})
    fan, lurker, watcher = (double.add_member(guild, name) for name in ("fan", "lurker", "watcher"))
    await say(double, watcher, "progress set", {"series": "The Show", "episode": "S01E03"})
    first = at(10 * 86400)
    await say(double, mod, "release set", {"title": "The Show s1e3", "date": typed(first), "timezone": "UTC"})

    async def remindme(member: FakeMember, channel: FakeChannel) -> str:
        reply = await (await double.command(member, "remindme", {"release": "The Show s1e3"}, channel=channel)).reply()
        assert reply.ephemeral
        return str(reply.content)

    assert (await remindme(fan, general)).startswith(f"I'll DM you when {BARRED} starts: <t:{stamp(first)}:F>")
    assert (await remindme(lurker, spoilers)).startswith(f"I'll DM you when {PLAIN} starts")  # the channel's `all`
    assert (await remindme(watcher, general)).startswith(f"I'll DM you when {PLAIN} starts")  # their own progress
    assert (await remindme(fan, general)).startswith(f"You're already set: I'll DM you when {BARRED} starts")

    airs = at(8)
    await say(double, mod, "release set", {"title": "The Show s1e3", "date": typed(airs), "timezone": "UTC"})
    members = (fan, lurker, watcher)
    await eventually(lambda: all(len(direct_messages(double, m)) == 2 for m in members), 25, "a move DM and a reminder DM each")
    await asyncio.sleep(1)
    moved = f" in **{guild.name}** moved: was <t:{stamp(first)}:F>, now <t:{stamp(airs)}:F> (<t:{stamp(airs)}:R>)."
    now = f" airs now — <t:{stamp(airs)}:F>. (You asked me with /remindme.)"
    for member, shown in ((fan, BARRED), (lurker, BARRED), (watcher, PLAIN)):  # a DM has no channel: the default
        texts = [m.content for m in direct_messages(double, member)]
        assert texts[0].startswith(f"📅 {shown}{moved}"), (member.user.username, texts)
        assert texts[1] == f"🎬 {shown}{now}", (member.user.username, texts)


async def test_countdown_neither_finds_nor_suggests_an_unwatched_episode_by_its_own_title(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, _ = await server(double)
    fan, watcher = double.add_member(guild, "fan"), double.add_member(guild, "watcher")
    await say(double, watcher, "progress set", {"series": "The Show", "episode": "S01E03"})
    for title in ("Loss", "loss", "Los", "Turn"):
        refused = await say(double, fan, "countdown", {"release": title})
        assert refused.ephemeral and refused.content.startswith("No release matches"), (title, refused.content)
        assert "S1E0" not in refused.content and "Pilot" not in refused.content, (title, refused.content)
    # The code still finds it, its title barred (the channel's position, the default: nothing aired).
    found = await say(double, fan, "countdown", {"release": "The Show s1e3"})
    assert not found.ephemeral and BARRED in found.content
    # A member who has watched it finds it by its title; the public reply still bars it for the channel.
    found = await say(double, watcher, "countdown", {"release": "Loss"})
    assert not found.ephemeral and BARRED in found.content, found.content
