"""Finding by name under spoiler positions: a character or name the reader has not reached is not
found, not completed, not suggested and not named by "not found" — in /character, its autocomplete
and the poll and /ship commands. The bot runs with tests/packs/spoilers.yaml: The Show airs in 2030,
so the default (aired + 7d) has reached nothing; Bram Holt is known from S01E02, Ada's alias "The Heir"
from S02E05, the ship Adram from S01E03."""

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
    process = BotProcess(double, tmp_path_factory.mktemp("spoiler-search"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def server(double: DiscordDouble) -> tuple[FakeGuild, FakeMember, FakeMember, FakeMember]:
    guild = await double.add_guild(channels=("general", "spoilers"))
    return (guild, double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan"),
            double.add_member(guild, "newcomer"))


async def names(double: DiscordDouble, who: FakeMember, typed: str, channel: FakeChannel | None = None) -> list[str]:
    return [c["name"] for c in await double.autocomplete(who, "character", {"name": typed}, "name", channel=channel)]


async def test_a_character_not_yet_reached_is_neither_found_nor_suggested_nor_named(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan, _ = await server(double)
    for typed in ("Bram Holt", "Bram Hol", "Holt", "The Heir", "The Hier"):
        reply = await say(double, fan, "character", {"name": typed})
        assert reply.ephemeral and reply.content.startswith(f"No character matches “{typed}”.")
        assert "Bram" not in reply.content.replace(typed, "") and "Ada" not in reply.content, reply.content
    assert await names(double, fan, "b") == [] and await names(double, fan, "the he") == []
    assert await names(double, fan, "") == ["Ada Vale"]
    card = await say(double, fan, "character", {"name": "Ada"})
    assert not card.ephemeral and card.embeds[0]["title"] == "Ada Vale"


async def test_a_members_progress_shows_them_in_their_autocomplete_only(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan, newcomer = await server(double)
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S02E05"})
    assert await names(double, fan, "b") == ["Bram Holt"]
    assert "Ada Vale (The Heir)" in await names(double, fan, "the he")
    assert await names(double, newcomer, "b") == []
    # The public reply follows the channel, not the member who asked: still not found.
    reply = await say(double, fan, "character", {"name": "Bram Holt"})
    assert reply.ephemeral and "Bram" not in reply.content.replace("“Bram Holt”", "")


async def test_a_server_setting_and_a_channel_override_set_how_far_public_lookups_go(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan, _ = await server(double)
    _, _, stranger, _ = await server(double)
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E02"})
    bram = await say(double, fan, "character", {"name": "Bram Holt"})
    assert not bram.ephemeral and bram.embeds[0]["title"] == "Bram Holt"
    assert (await say(double, fan, "character", {"name": "The Heir"})).ephemeral
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    heir = await (await double.command(fan, "character", {"name": "The Heir"}, channel=guild.channel("spoilers"))).reply()
    assert not heir.ephemeral and heir.embeds[0]["title"] == "Ada Vale"
    assert (await names(double, fan, "the h", guild.channel("spoilers")))[0] == "Ada Vale (The Heir)"
    assert "Ada Vale (The Heir)" not in await names(double, fan, "the h")  # general keeps the server's S01E02
    # Another server is at the default: its lookups reach nothing of this server's settings.
    assert (await say(double, stranger, "character", {"name": "Bram Holt"})).ephemeral
    assert await names(double, stranger, "b") == []


async def test_a_ship_not_yet_reached_is_not_offered_found_or_hinted_at(double: DiscordDouble, bot: BotProcess) -> None:
    _, mod, fan, newcomer = await server(double)
    first = {"first": "Ad"}
    offered = [c["name"] for c in await double.autocomplete(fan, "poll ship", first, "first")]
    assert offered == ["Ada Vale"]  # no "Adram (ship)"
    refused = await say(double, mod, "poll ship", {"first": "Adram"})
    assert refused.ephemeral and refused.content.startswith("No ship name matches “Adram”. Give two characters"), refused.content
    assert "Adram" not in refused.content.replace("“Adram”", "") and "Bram" not in refused.content
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S01E03"})
    offered = [c["name"] for c in await double.autocomplete(fan, "poll ship", first, "first")]
    assert "Adram (ship)" in offered
    assert [c["name"] for c in await double.autocomplete(newcomer, "poll ship", first, "first")] == ["Ada Vale"]
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E03"})
    info = await say(double, fan, "ship info", {"first": "Adram"})
    assert not info.ephemeral, info.content


async def test_did_you_mean_names_only_what_both_the_channel_and_the_member_have_watched(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, mod, fan, newcomer = await server(double)
    spoilers = guild.channel("spoilers")
    await say(double, mod, "spoilers channel", {"channel": spoilers, "series": "The Show", "upto": "all"})
    await say(double, fan, "progress set", {"series": "The Show", "episode": "S01E02"})

    async def missed(who: FakeMember, channel: FakeChannel | None = None) -> str:
        reply = await (await double.command(who, "character", {"name": "Brom Hilt"}, channel=channel)).reply()
        assert reply.ephemeral and reply.content.startswith("No character matches “Brom Hilt”."), reply.content
        return reply.content

    assert "Did you mean **Bram Holt**?" in await missed(fan, spoilers)  # both have watched S01E02
    assert "Did you mean **Bram Holt**?" in await missed(newcomer, spoilers)  # no progress of their own: the channel's
    await say(double, newcomer, "progress set", {"series": "The Show", "episode": "none"})
    assert "Bram" not in await missed(newcomer, spoilers)  # the channel may, the member has not
    assert "Bram" not in await missed(fan)  # the member has, but general is at the default: unusable here
