"""/progress and /spoilers as members use them: a member's own progress set, shown and cleared (in a
server and in DMs alike), episode autocomplete that names no episode past the reader's position, a
server's setting and a channel's override shown by /spoilers show, the refusals, and servers apart.
The bot runs with the bundled pack and tests/packs/weekly.yaml (The Show: season 1 listed, season 2 a count)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess

PACKS = Path(__file__).parents[1] / "packs"
BUNDLED = Path(__file__).parents[2] / "db" / "packs"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": f"{BUNDLED},{PACKS / 'weekly.yaml'}", "TVMAZE_IMPORTS": "off"}
    process = BotProcess(double, tmp_path_factory.mktemp("spoilers"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def server(double: DiscordDouble) -> tuple[FakeGuild, FakeMember, FakeMember]:
    guild = await double.add_guild(channels=("general", "spoilers"))
    return guild, double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")


async def test_progress_is_set_shown_and_cleared_privately(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan = await server(double)
    empty = await say(double, fan, "progress show")
    assert empty.ephemeral and "You have set no progress" in empty.content
    reply = await say(double, fan, "progress set", {"series": "The Show", "episode": "1x02"})
    assert reply.ephemeral and "**The Show**: watched up to S01E02" in reply.content
    shown = await say(double, fan, "progress show")
    assert shown.ephemeral and "**The Show** — watched up to S01E02" in shown.content
    await say(double, fan, "progress set", {"series": "The Show", "episode": "none"})
    assert "**The Show** — not started" in (await say(double, fan, "progress show")).content
    cleared = await say(double, fan, "progress clear", {"series": "The Show"})
    assert cleared.ephemeral and "Cleared your progress in **The Show**" in cleared.content
    assert "You have set no progress" in (await say(double, fan, "progress show")).content


async def test_progress_follows_the_member_into_dms_and_clears_everywhere(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan = await server(double)
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S02E04"})
    in_dm = await (await double.command(fan.user, "progress show")).reply()
    assert in_dm.guild_id is None and "**The Show** — watched up to S02E04" in in_dm.content
    assert "Cleared your progress in 1 series" in (await (await double.command(fan.user, "progress clear")).reply()).content
    assert "You have set no progress" in (await say(double, fan, "progress show")).content


@pytest.mark.parametrize(
    ("episode", "says"),
    [
        ("S05E01", "has no episode S05E01. It has S01E01–S01E03, S02E01–S02E09"),
        ("S01E04", "has no episode S01E04"),
        ("soon", "is not a position. Give an episode code like `S02E05`"),
        ("S٠١E٠١", "is not a position"),
    ],
)
async def test_a_bad_episode_changes_nothing_and_says_what_is_accepted(
    double: DiscordDouble, bot: BotProcess, episode: str, says: str
) -> None:
    _, _, fan = await server(double)
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S01E01"})
    refused = await say(double, fan, "progress set", {"series": "The Show", "episode": episode})
    assert refused.ephemeral and says in refused.content
    assert "watched up to S01E01" in (await say(double, fan, "progress show")).content


async def test_an_unknown_series_is_refused(double: DiscordDouble, bot: BotProcess) -> None:
    _, mod, fan = await server(double)
    refused = await say(double, fan, "progress set", {"series": "Zzzyzx Qqq", "episode": "S01E01"})
    assert refused.ephemeral and "No series matches" in refused.content
    refused = await say(double, mod, "spoilers server", {"series": "Zzzyzx Qqq", "upto": "all"})
    assert refused.ephemeral and "No series matches" in refused.content


async def test_episode_autocomplete_names_no_episode_past_the_readers_position(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan = await server(double)

    async def offered(typed: str = "") -> list[str]:
        choices = await double.autocomplete(fan, "progress set", {"series": "The Show", "episode": typed}, "episode")
        return [c["name"] for c in choices]

    # No progress, and the channel at the default (aired + 7d): The Show airs in 2030, so no titles.
    before = await offered()
    assert before[:4] == ["none — not started", "S01E01", "S01E02", "S01E03"]
    assert not any("Good News" in c or "Half Loop" in c for c in before)
    assert await offered("good") == []  # a hidden title is not even matched
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S01E01"})
    after = await offered("s1")
    assert after[:3] == ["S01E01 · Good News", "S01E02", "S01E03"]
    assert await offered("good") == ["S01E01 · Good News"]
    assert await offered("half") == []


async def test_a_server_setting_and_a_channel_override_are_shown_in_their_server_only(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)
    other, _, stranger = await server(double)
    spoiler_room = guild.channel("spoilers")
    set_server = await say(double, mod, "spoilers server", {"series": "The Show", "upto": "aired", "delay": "2d"})
    assert set_server.ephemeral and "now go: aired + 2d" in set_server.content
    set_channel = await say(double, mod, "spoilers channel", {"channel": spoiler_room, "series": "The Show", "upto": "all"})
    assert set_channel.ephemeral and "now go: all" in set_channel.content
    shown = (await say(double, fan, "spoilers show")).embeds[0]["description"]
    assert "**The Show** server-wide: aired + 2d" in shown
    assert f"**The Show** in <#{spoiler_room.id}>: all" in shown
    assert "Everything else: aired + 7d" in shown
    elsewhere = (await say(double, stranger, "spoilers show")).embeds[0]["description"]
    assert "The Show" not in elsewhere and "Everything else: aired + 7d" in elsewhere
    assert other.id != guild.id


async def test_setting_spoilers_needs_manage_server_and_a_refusal_changes_nothing(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)
    refused = await say(double, fan, "spoilers server", {"series": "The Show", "upto": "all"})
    assert refused.ephemeral and "Manage Server" in refused.content
    refused = await say(double, fan, "spoilers channel", {"channel": guild.text_channel, "series": "The Show", "upto": "all"})
    assert refused.ephemeral and "Manage Server" in refused.content
    bad = await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S09E09"})
    assert bad.ephemeral and "has no episode S09E09" in bad.content
    bad = await say(double, mod, "spoilers server", {"series": "The Show", "upto": "later"})
    assert bad.ephemeral and "is not a reach. Give `aired`" in bad.content and "Nothing was changed" in bad.content
    bad = await say(double, mod, "spoilers server", {"series": "The Show", "upto": "aired", "delay": "a week"})
    assert bad.ephemeral and "is not a delay" in bad.content
    assert "The Show" not in (await say(double, fan, "spoilers show")).embeds[0]["description"]




async def test_without_progress_autocomplete_follows_the_channels_position(double: DiscordDouble, bot: BotProcess) -> None:
    """A member who set no progress sees titles as far as the channel goes: all in the spoiler channel,
    none in general (The Show has not aired by the default's count)."""
    guild, mod, fan = await server(double)
    room = guild.channel("spoilers")
    await say(double, mod, "spoilers channel", {"channel": room, "series": "The Show", "upto": "S01E02"})

    async def offered(channel: FakeChannel) -> list[str]:
        options = {"series": "The Show", "episode": "s1"}
        return [c["name"] for c in await double.autocomplete(fan, "progress set", options, "episode", channel=channel)]

    assert (await offered(room))[:3] == ["S01E01 · Good News", "S01E02 · Half Loop", "S01E03"]
    assert (await offered(guild.text_channel))[:3] == ["S01E01", "S01E02", "S01E03"]
