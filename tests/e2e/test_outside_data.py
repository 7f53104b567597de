"""What comes from TVmaze reaches Discord only in a shape Discord accepts and members can trust.

Addresses: a show page that is `javascript:`, on another host, plain http, or shaped to close a link
and open a masked one is left out of every reply (the /fandom add summary, the cards' sources, a
character's picture); a good one is linked. Lengths: a network or show name too long for an
autocomplete choice is cut on a word boundary — Discord refuses the whole response for one choice
over 100 characters — and a choice whose value would not fit carries a reference the command resolves.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.rendering import renders_masked_link
from tests.tvmaze_double import TvmazeDouble, image, network, serving_catalogue, weekly_show

NOW = datetime.now(UTC).replace(microsecond=0)
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
NETWORK = (
    "The Extraordinarily Long Named Regional Public Broadcasting Corporation of the Northern Territories and Outer Islands"
)
LONG_TITLE = (
    "The Remarkably Protracted Chronicles of the Lighthouse Keepers Who Kept Every Lamp Burning Through the Longest "
    "Winter Ever"
)
# Show id → (its `url`, its `officialSite`): none of these may reach a reply.
HOSTILE: dict[int, tuple[str, str]] = {
    211: ("javascript:alert(document.cookie)", "javascript:alert(1)"),
    212: ("https://evil.example/shows/212/hostile", "https://www.tvmaze.com/x)[Claim free Nitro](https://evil.example"),
    213: ("https://www.tvmaze.com/shows/213/x>)[Claim free Nitro](<https://evil.example", "[Claim free Nitro](https://evil.example)"),
    214: ("http://www.tvmaze.com/shows/214/plain-http", "http://evil.example/"),
    215: ("https://www.tvmaze.com.evil.example/shows/215", "https://evil.example/official"),
    216: ("https://www.tvmaze.com@evil.example/shows/216", "data:text/html,<script>alert(1)</script>"),
}
WORDS = ("One", "Two", "Three", "Four", "Five", "Six")


@pytest.fixture(scope="module")
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        double.add(weekly_show(201, "Quiet Harbour", seasons=1, episodes=3, first=NOW + timedelta(days=1),
                               channel=network(77, NETWORK)))
        double.add(weekly_show(202, LONG_TITLE, seasons=1, episodes=3, first=NOW + timedelta(days=2)))
        for (show_id, (url, official)), word in zip(HOSTILE.items(), WORDS, strict=True):
            show = double.add(weekly_show(show_id, f"Hostile Page {word}", seasons=1, episodes=2, first=NOW + timedelta(days=3)))
            show.body |= {"url": url, "officialSite": official}
            if show.body["network"] is not None:
                show.body["network"] = {**show.body["network"], "officialSite": official}
            for member in show.cast:  # pictures over plain http: shown nowhere
                member["character"]["image"] = {k: v.replace("https://", "http://") for k, v in image("portrait", show_id).items()}
        yield double


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tvmaze: TvmazeDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    process = BotProcess(double, tmp_path_factory.mktemp("outside"), env={"DEFAULT_FANDOMS": "none", "TVMAZE_API_BASE": tvmaze.base_url})
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def moderator(double: DiscordDouble) -> FakeMember:
    return double.add_member(await double.add_guild(), "mod", permissions=MOD)


def everything(message: FakeMessage) -> str:
    """What the message carries: its text, and every address of its embeds (page, picture, links)."""
    return message.content + json.dumps(message.embeds)


async def test_a_long_network_name_is_cut_to_a_choice_discord_accepts(double: DiscordDouble, bot: BotProcess) -> None:
    mod = await moderator(double)
    choices = await double.autocomplete(mod, "fandom add", {"show": "quiet"}, "show")
    assert [c["value"] for c in choices] == ["201"]
    name = choices[0]["name"]
    assert len(name) <= 100 and name.startswith(f"Quiet Harbour ({(NOW + timedelta(days=1)).year}, The Extraordinarily")
    kept = name.removesuffix("…")
    assert name.endswith("…") and NETWORK[len(kept) - len(name.split(", ", 1)[0]) - 2] == " "  # cut between words
    added = await say(double, mod, "fandom add", {"show": choices[0]["value"]})
    assert added.embeds[0]["title"] == "Quiet Harbour"


async def test_a_name_too_long_to_be_a_value_is_picked_by_reference(double: DiscordDouble, bot: BotProcess) -> None:
    mod = await moderator(double)
    await say(double, mod, "fandom add", {"show": "202"})
    series = await double.autocomplete(mod, "series", {"title": "remarkably protracted"}, "title")
    assert len(series) == 1 and series[0]["value"].startswith("series:") and len(series[0]["name"]) <= 100
    card = await say(double, mod, "series", {"title": series[0]["value"]})
    assert card.embeds[0]["title"] == LONG_TITLE
    episodes = await say(double, mod, "episodes", {"series": series[0]["value"]})
    assert episodes.embeds[0]["title"].startswith(LONG_TITLE) and "**E01**" in episodes.text
    releases = await double.autocomplete(mod, "countdown", {"release": "remarkably protracted s1e2"}, "release")
    name = releases[0]["name"] if releases else ""
    assert releases[0]["value"].startswith("release:") and "… S1E02 · " in name and len(name) <= 100
    assert "Episode 2" not in name  # it airs in 8 days, past the default position: its title is left out
    assert name.endswith((" PST · in 8 days", " PDT · in 8 days"))  # the default zone, named
    countdown = await say(double, mod, "countdown", {"release": releases[0]["value"]})
    assert "S1E02" in countdown.text and "<t:" in countdown.text
    remind = await say(double, mod, "remindme", {"release": releases[0]["value"]})
    assert remind.ephemeral and remind.content.startswith("I'll DM you when **The Remarkably Protracted")
    # /release set never takes a stale reference for a new title.
    stale = await say(double, mod, "release set", {"title": "release:999999999", "date": "2031-01-01"})
    assert stale.ephemeral and "no longer listed here" in stale.content


@pytest.mark.parametrize("show_id", list(HOSTILE))
async def test_an_outside_address_that_is_not_plain_https_on_its_host_is_left_out(
    double: DiscordDouble, bot: BotProcess, show_id: int
) -> None:
    mod = await moderator(double)
    added = await say(double, mod, "fandom add", {"show": str(show_id)})
    summary = added.embeds[0]
    assert summary["title"].startswith("Hostile Page") and "url" not in summary
    assert "Show data from [TVmaze](<https://www.tvmaze.com>)" in added.text  # TVmaze itself, not the show's page
    character = await say(double, mod, "character", {"name": "Mark Lead"})
    assert character.embeds[0]["title"] == "Mark Lead" and "thumbnail" not in character.embeds[0]
    assert "Hostile Page" in character.text  # the source is still named, just not linked
    series = await say(double, mod, "series", {"title": "Hostile Page"})
    about = await say(double, mod, "about")
    for reply in (added, character, series, about):
        shown = everything(reply)
        for bad in ("javascript", "evil.example", "data:", "http://", "Nitro"):
            assert bad not in shown, f"{bad!r} in {shown}"
        assert not renders_masked_link(reply.text.replace("[TVmaze](<https://www.tvmaze.com>)", "")
                                       .replace("[CC BY-SA 4.0](<https://creativecommons.org/licenses/by-sa/4.0/>)", ""))


async def test_a_good_tvmaze_address_is_still_linked_and_its_picture_shown(double: DiscordDouble, bot: BotProcess) -> None:
    mod = await moderator(double)
    added = await say(double, mod, "fandom add", {"show": "1"})
    assert added.embeds[0]["url"] == "https://www.tvmaze.com/shows/1/severance"
    assert "[TVmaze](<https://www.tvmaze.com/shows/1/severance>)" in added.text
    character = await say(double, mod, "character", {"name": "Helly Second"})
    assert character.embeds[0]["thumbnail"]["url"].startswith("https://static.tvmaze.com/")
    assert "(<https://www.tvmaze.com/shows/1/severance>)" in character.text
