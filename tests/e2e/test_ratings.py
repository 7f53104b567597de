"""/ratings as a member sees it: this server's average and count per episode, a chart, titles past the
channel's position only inside spoiler bars, refusals, and another server's ratings never shown. The
bot runs with tests/packs/spoilers.yaml (The Show airs in 2030: under the default no title is watched);
ratings are stored as the watch-along's star buttons store them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import Store
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": str(PACK), "TVMAZE_IMPORTS": "off"}
    process = BotProcess(double, tmp_path_factory.mktemp("ratings"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def rated(bot: BotProcess, guild: FakeGuild, stars: dict[int, list[int]]) -> None:
    """Store members' stars for The Show's episodes (episode number → stars), as the buttons do."""
    async with Store.open(bot.database_url) as store:
        series = next(s for s in await store.series.summaries(None) if s.title == "The Show")
        episodes = {r.episode: r.id for r in await store.releases.for_series(series.id) if r.episode}
        for number, given in stars.items():
            # The episode's thread, open: stars are taken only while its rating is.
            await store.watchalong_threads.plan(guild.id, episodes[number], 1, NOW, NOW + timedelta(days=30))
            for user, value in enumerate(given, start=1):
                await store.episode_ratings.rate(guild.id, episodes[number], user, value, NOW)


async def test_ratings_per_episode_with_a_chart_and_titles_barred_past_the_channels_position(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild = await double.add_guild(channels=("general", "spoilers"))
    mod, fan = double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")
    other = await double.add_guild(channels=("general",))
    stranger = double.add_member(other, "stranger")
    await rated(bot, guild, {1: [4, 5, 3], 3: [2]})
    reply = await say(double, fan, "ratings", {"series": "The Show"})
    assert not reply.ephemeral
    card = reply.embeds[0]
    assert card["title"] == "Ratings — The Show"
    assert card["description"].splitlines() == ["**S01E01** ||“Pilot”|| — ⭐ 4.0 (3)", "**S01E03** ||“Loss”|| — ⭐ 2.0 (1)"]
    name = card["image"]["url"].removeprefix("attachment://")
    assert name.startswith("ratings-") and reply.files[name].startswith(b"\x89PNG\r\n\x1a\n")
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    plain = await (await double.command(fan, "ratings", {"series": "The Show", "season": 1}, channel=guild.channel("spoilers"))).reply()
    assert plain.embeds[0]["description"].splitlines()[0] == "**S01E01** “Pilot” — ⭐ 4.0 (3)"
    none_yet = await say(double, fan, "ratings", {"series": "The Show", "season": 2})
    assert "No episode of **The Show, season 2** has been rated in this server yet" in none_yet.embeds[0]["description"]
    refused = await say(double, fan, "ratings", {"series": "The Show", "season": 7})
    assert refused.ephemeral and "has no season 7; its seasons are 1, 2" in refused.content
    elsewhere = await say(double, stranger, "ratings", {"series": "The Show"})
    assert "has been rated in this server yet" in elsewhere.embeds[0]["description"]  # another server's stars stay there
