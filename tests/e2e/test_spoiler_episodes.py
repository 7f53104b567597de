"""/episodes under spoiler positions: an episode after the channel's position keeps its number and air
time, its title only inside spoiler bars. The bot runs with tests/packs/spoilers.yaml (The Show: season
1 listed — Pilot, Turn, Loss, airing in 2030 — and season 2 a count of ten)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": str(PACK), "TVMAZE_IMPORTS": "off"}
    process = BotProcess(double, tmp_path_factory.mktemp("spoiler-episodes"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def server(double: DiscordDouble) -> tuple[FakeGuild, FakeMember, FakeMember]:
    guild = await double.add_guild(channels=("general", "spoilers"))
    return guild, double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")


async def season_one(double: DiscordDouble, fan: FakeMember, channel: FakeChannel | None = None) -> list[str]:
    reply = await (await double.command(fan, "episodes", {"series": "The Show", "season": 1}, channel=channel)).reply()
    assert not reply.ephemeral and reply.embeds[0]["title"] == "The Show — season 1"
    return list(reply.embeds[0]["description"].splitlines())


async def test_episodes_bar_titles_past_the_servers_setting_and_a_channel_override_lifts_it(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, mod, fan = await server(double)
    other, _, stranger = await server(double)
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E02"})
    lines = await season_one(double, fan)
    assert lines[0].startswith("**E01** — “Pilot” — <t:") and lines[1].startswith("**E02** — “Turn” — <t:")
    assert lines[2].startswith("**E03** — ||“Loss”|| — <t:") and "Loss" not in lines[2].replace("||“Loss”||", "")
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    assert all("||" not in line for line in await season_one(double, fan, guild.channel("spoilers")))
    assert (await season_one(double, fan))[2].startswith("**E03** — ||“Loss”||")  # general keeps the server's setting
    # Another server is at the default, aired + 7d: The Show airs in 2030, so every title is barred.
    elsewhere = await season_one(double, stranger)
    assert [line[:16] for line in elsewhere] == ["**E01** — ||“Pil", "**E02** — ||“Tur", "**E03** — ||“Los"]
    assert other.id != guild.id


async def test_series_names_its_next_episode_only_inside_spoiler_bars_past_the_channels_position(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, mod, fan = await server(double)

    async def next_episode(channel: FakeChannel | None = None) -> str:
        reply = await (await double.command(fan, "series", {"title": "The Show"}, channel=channel)).reply()
        return str(next(f["value"] for f in reply.embeds[0]["fields"] if f["name"] == "Next episode"))

    assert (await next_episode()).startswith("**The Show S1E01** — ||“Pilot”|| — <t:")  # the default: not aired yet
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    assert (await next_episode(guild.channel("spoilers"))).startswith("**The Show S1E01 — “Pilot”** — <t:")


async def test_countdown_bars_an_episode_title_past_the_channels_position(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)

    async def countdown(options: dict[str, object], channel: FakeChannel | None = None) -> str:
        reply = await (await double.command(fan, "countdown", options, channel=channel)).reply()
        assert not reply.ephemeral
        return str(reply.content)

    # The default, aired + 7d: The Show airs in 2030, so its titles are not yet public.
    line = await countdown({"release": "The Show s1e3"})
    assert "**The Show S1E03** — ||“Loss”||" in line and "Loss" not in line.replace("||“Loss”||", "")
    assert "**The Show S1E01** — ||“Pilot”||" in await countdown({})  # the next thing airing
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    spoilers = guild.channel("spoilers")
    assert "**The Show S1E03 — “Loss”**" in (line := await countdown({"release": "The Show s1e3"}, spoilers)) and "||" not in line
    assert "**The Show S1E01 — “Pilot”**" in await countdown({}, spoilers)


async def test_releases_bars_an_episode_title_past_the_channels_position(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)

    async def coming_up(channel: FakeChannel | None = None) -> str:
        reply = await (await double.command(fan, "releases", {}, channel=channel)).reply()
        return str(next(f["value"] for f in reply.embeds[0]["fields"] if f["name"] == "Coming up"))

    assert "**The Show S1E01** — ||“Pilot”|| — <t:" in await coming_up()
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    shown = await coming_up(guild.channel("spoilers"))
    assert "**The Show S1E01 — “Pilot”** — <t:" in shown and "||" not in shown


async def test_release_autocomplete_leaves_out_titles_past_the_readers_own_position(double: DiscordDouble, bot: BotProcess) -> None:
    _, mod, fan = await server(double)

    async def offered(member: FakeMember) -> list[str]:
        return [c["name"] for c in await double.autocomplete(member, "countdown", {"release": "the show s1"}, "release")]

    # The default (aired + 7d): nothing of The Show has aired, so no title is offered — code and time only.
    names = await offered(fan)
    assert names[0].startswith("The Show S1E01 · ") and not any(t in n for n in names for t in ("Pilot", "Turn", "Loss"))
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S01E02"})
    names = await offered(fan)
    assert names[0].startswith("The Show S1E01 — “Pilot” · ") and names[1].startswith("The Show S1E02 — “Turn” · ")
    assert names[2].startswith("The Show S1E03 · ") and "Loss" not in names[2]
    assert not any("Pilot" in n for n in await offered(mod))  # another member: still the channel's position
    # A title past the reader's position does not find its episode (that would name it); one watched does.
    assert [c["value"] for c in await double.autocomplete(fan, "countdown", {"release": "Turn"}, "release")] == ["The Show S1E02"]
    assert not await double.autocomplete(fan, "countdown", {"release": "Loss"}, "release")
