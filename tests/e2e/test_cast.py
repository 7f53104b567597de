"""What a pack says of its cast, as members see it: a ship name typed in place of a pair, a card's
picture, billing, and a role recast between seasons. Runs the real bot with the bundled pack and the
made-up tests/packs/harbor.yaml, which uses every one of these fields."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db import bundled_packs_dir
from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess

HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    process = BotProcess(double, tmp_path_factory.mktemp("cast"), env={"FACT_PACKS": f"{bundled_packs_dir()},{HARBOR}"})
    await process.start()
    yield process
    if process.running:
        await process.stop()



def field(embed: dict, name: str) -> str:
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)


async def fan(double: DiscordDouble, *unfollow: str) -> FakeMember:
    """A member of a new server that follows every fandom but those named."""
    guild = await double.add_guild()
    mod = double.add_member(guild, "mod", permissions=MOD)
    for key in unfollow:
        assert "no longer follows" in (await say(double, mod, "fandom unfollow", {"fandom": key})).content
    return double.add_member(guild, "fan")


async def test_ship_info_takes_a_ship_name_in_place_of_the_pair(double: DiscordDouble, bot: BotProcess) -> None:
    member = await fan(double)
    for typed in ("Quillpike", "quillpike", "Quilpike", "JONARA"):
        info = await say(double, member, "ship info", {"first": typed})
        assert not info.ephemeral, (typed, info.content)
        embed = info.embeds[0]
        assert embed["title"] == "Mara Quill × Jonah Pike"
        assert re.search(r"Ship names: \*\*Quillpike\*\* \\?\[\d\\?\] · \*\*Jonara\*\* \\?\[\d\\?\]", embed["description"]), embed
        assert "engaged" in field(embed, "In the novel")
    by_pair = (await say(double, member, "ship info", {"first": "Jonah Pike", "second": "Mara"})).embeds[0]
    assert by_pair["title"] == "Jonah Pike × Mara Quill" and "**Quillpike**" in by_pair["description"]
    plain = (await say(double, member, "ship info", {"first": "Jessica Jones", "second": "Luke"})).embeds[0]
    assert "Ship name" not in (plain.get("description") or "")  # the bundled pack names no ships


async def test_a_ship_name_that_cannot_be_used_gets_a_plain_private_answer(double: DiscordDouble, bot: BotProcess) -> None:
    member = await fan(double)
    cases = {
        ("Mara Quill", None): "“Mara Quill” is Mara Quill, a character: name the other one in `second`.",
        ("Zorblax", None): (
            "No ship name matches “Zorblax”. Give two characters, `first` and `second`, or a ship name such as **Quillpike**"
        ),
        ("Quellpoke", None): "No ship name matches “Quellpoke”. Did you mean **Quillpike**?",
        ("Quillpike", "Jonah Pike"): "“Quillpike” is a ship name: leave `second` empty to use it",
    }
    for (first, second), expected in cases.items():
        options = {"first": first} | ({"second": second} if second else {})
        for command in ("ship info", "poll ship"):
            reply = await say(double, member, command, options)
            assert reply.ephemeral and expected in reply.content, (command, options, reply.content)
    defenders_only = await fan(double, "harbor")
    reply = await say(double, defenders_only, "ship info", {"first": "Quillpike"})
    assert reply.ephemeral and "the fandoms this server follows name no ships" in reply.content
    nothing = await fan(double, "harbor", "defenders")
    reply = await say(double, nothing, "poll ship", {"first": "Quillpike"})
    assert reply.ephemeral and "doesn't follow any fandom yet" in reply.content


async def test_poll_ship_takes_a_ship_name_and_its_card_shows_the_names(double: DiscordDouble, bot: BotProcess) -> None:
    member = await fan(double)
    poll = await say(double, member, "poll ship", {"first": "Jonara"})
    assert not poll.ephemeral
    description = poll.embeds[0]["description"]
    assert "Will Mara Quill and Jonah Pike end up together?" in description
    assert "Ship names: **Quillpike**, **Jonara**" in description and "In the novel: romance (engaged)" in description
    assert [b["label"] for b in poll.buttons()] == ["Yes", "No", "It's complicated"]
    info = await say(double, member, "ship info", {"first": "Quillpike"})
    assert "1 poll;" in field(info.embeds[0], "Polls in this server")


async def test_the_first_option_offers_ship_names_beside_characters(double: DiscordDouble, bot: BotProcess) -> None:
    member = await fan(double)
    for command in ("ship info", "poll ship"):
        choices = await double.autocomplete(member, command, {"first": "quill"}, "first")
        assert {"name": "Quillpike (ship)", "value": "Quillpike"} in choices, choices
        assert choices[0]["value"] == "Quillpike" or choices[0]["value"].startswith("Mara Quill")
        jonara = await double.autocomplete(member, command, {"first": "jonar"}, "first")
        assert jonara[0] == {"name": "Quillpike (ship, Jonara)", "value": "Quillpike"}
        empty = await double.autocomplete(member, command, {"first": ""}, "first")
        assert empty and not any("(ship" in c["name"] for c in empty)
    second = await double.autocomplete(member, "ship info", {"first": "Mara Quill", "second": "quill"}, "second")
    assert not any("(ship" in c["name"] for c in second)


async def test_a_card_shows_its_picture_billing_and_who_played_a_recast_role(double: DiscordDouble, bot: BotProcess) -> None:
    member = await fan(double, "defenders")
    claire = (await say(double, member, "character", {"name": "Claire Temple"})).embeds[0]
    assert claire["thumbnail"]["url"] == "https://example.org/harbor-lights/claire-temple.png"
    assert field(claire, "Appears in").startswith("Harbor Lights — seasons 1–2 (recurring)")
    for typed in ("Ruth Ellery", "Dana Holt", "ruth elery"):
        mara = (await say(double, member, "character", {"name": typed})).embeds[0]
        assert mara["title"] == "Mara Quill", typed
    played = field(mara, "Played by")
    assert re.fullmatch(r"Dana Holt \(season 1\) \\?\[\d\\?\] · Ruth Ellery \(season 2\) \\?\[\d\\?\]", played), played
    assert field(mara, "Appears in").startswith("Harbor Lights — seasons 1–2 (main)")
    assert "thumbnail" not in mara
    jonah = (await say(double, member, "character", {"name": "Jonah Pike"})).embeds[0]
    assert "(guest)" in field(jonah, "Appears in") and field(jonah, "Played by").startswith("Theo Brandt ")
    series = (await say(double, member, "series", {"title": "Harbor Lights"})).embeds[0]
    assert "Dana Holt (season 1), Ruth Ellery (season 2) as Mara Quill — seasons 1–2" in field(series, "Cast")
    assert "Ines Marlow as Claire Temple (Lantern) — seasons 1–2" in field(series, "Cast")
    seasons = field(series, "Seasons")
    assert "date unknown" in seasons and "September 2031" in seasons  # announced as "TBA" and "Sept 2031"
    defaults = await double.autocomplete(member, "character", {"name": ""}, "name")
    assert [c["value"] for c in defaults] == ["Mara Quill", "Claire Temple", "Jonah Pike"]  # main, recurring, guest


async def test_the_bundled_pack_bills_its_title_characters(double: DiscordDouble, bot: BotProcess) -> None:
    member = await fan(double, "harbor")
    jessica = (await say(double, member, "character", {"name": "Jessica Jones"})).embeds[0]
    appears = field(jessica, "Appears in")
    assert "Marvel's Jessica Jones — seasons 1–2 (main)" in appears and "Marvel's The Defenders (main)" in appears
    defaults = await double.autocomplete(member, "character", {"name": ""}, "name")
    assert {c["value"] for c in defaults[:4]} == {"Matt Murdock", "Jessica Jones", "Luke Cage", "Danny Rand"}
