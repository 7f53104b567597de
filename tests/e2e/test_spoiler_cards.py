"""Cards under spoiler positions, as members see them: a character card leaves out what its channel has
not watched and says how much it held back, with a "Show what I've watched" button that answers each
presser privately at their own progress; /series leaves later cast out, /ship info and a ship poll's card
later lines and names. The bot runs with tests/packs/spoilers.yaml: The Show (season 1 listed, airing in
2030, so the default — aired + 7d — has watched nothing; season 2 a count of ten) and The Spinoff; Ada
with a later alias, codename, spinoff appearance and two events; Bram known from S01E02, recast in
season 2 from S02E01; their romance told at S02E10, their ship Adram named at S01E03."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES
BUTTON = "Show what I've watched"


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": str(PACK), "TVMAZE_IMPORTS": "off"}
    process = BotProcess(double, tmp_path_factory.mktemp("spoiler-cards"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def server(double: DiscordDouble) -> tuple[FakeGuild, FakeMember, FakeMember]:
    guild = await double.add_guild(channels=("general", "spoilers"))
    return guild, double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")


async def ask(
    double: DiscordDouble, who: FakeMember, command: str, options: dict[str, Any], channel: FakeChannel | None = None
) -> FakeMessage:
    return await (await double.command(who, command, options, channel=channel)).reply()


async def card(double: DiscordDouble, who: FakeMember, name: str = "Ada Vale", channel: FakeChannel | None = None) -> FakeMessage:
    reply = await ask(double, who, "character", {"name": name}, channel)
    assert not reply.ephemeral and reply.embeds, reply.content
    return reply


def field(embed: dict[str, Any], name: str) -> str | None:
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == name), None)


def footer(message: FakeMessage) -> str:
    return str(message.embeds[0].get("footer", {}).get("text", ""))


def labels(message: FakeMessage) -> list[str]:
    return [b.get("label", "") for b in message.buttons()]


async def test_at_the_default_a_card_leaves_out_every_later_fact_and_offers_the_button(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan = await server(double)
    shown = await card(double, fan)
    text = shown.text
    for later in ("The Heir", "Kestrel", "The Spinoff", "Dies in the fire", "Is the heir", "Bram", "marry"):
        assert later not in text, later
    assert field(shown.embeds[0], "Also known as") is not None and "Ada" in str(field(shown.embeds[0], "Also known as"))
    assert field(shown.embeds[0], "Events") is None and field(shown.embeds[0], "Relationships") is None
    assert footer(shown) == "6 facts held back — beyond what this channel has watched"
    assert labels(shown) == [BUTTON]
    refused = await say(double, fan, "character", {"name": "Bram Holt"})  # not yet known here: not found, not named
    assert refused.ephemeral and "Bram" not in refused.content.replace("“Bram Holt”", "")


async def test_a_server_setting_shows_facts_up_to_its_episode(double: DiscordDouble, bot: BotProcess) -> None:
    _, mod, fan = await server(double)
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E03"})
    shown = await card(double, fan)
    events = str(field(shown.embeds[0], "Events"))
    assert events.startswith("S01E03 · Dies in the fire") and "heir" not in events
    assert "The Heir" not in shown.text and "Kestrel" not in shown.text and "marry" not in shown.text
    assert footer(shown) == "5 facts held back — beyond what this channel has watched" and labels(shown) == [BUTTON]


async def test_a_channel_override_of_all_shows_everything_without_a_button(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)
    room = guild.channel("spoilers")
    for series in ("The Show", "The Spinoff"):
        await say(double, mod, "spoilers channel", {"channel": room, "series": series, "upto": "all"})
    shown = await card(double, fan, channel=room)
    for fact in ("The Heir", "Kestrel", "The Spinoff", "S01E03 · Dies in the fire", "S02E05 · Is the heir", "They marry."):
        assert fact in shown.text, fact
    assert footer(shown) == "" and labels(shown) == []
    assert footer(await card(double, fan)) == "6 facts held back — beyond what this channel has watched"  # general: the default


async def test_the_button_shows_each_presser_their_own_card_and_the_public_one_stays(double: DiscordDouble, bot: BotProcess) -> None:
    guild, _, fan = await server(double)
    ahead = double.add_member(guild, "ahead")
    await say(double, ahead, "progress set", {"series": "The Show", "episode": "S02E05"})
    public = await card(double, fan)
    before = (list(public.embeds), list(public.components))

    theirs = await (await double.press(ahead, public, BUTTON)).reply()
    assert theirs.ephemeral and theirs.buttons() == []
    assert "The Heir" in theirs.text and "S02E05 · Is the heir" in theirs.text and "S01E03 · Dies in the fire" in theirs.text
    assert "marry" not in theirs.text and "The Spinoff" not in theirs.text  # S02E10; the spinoff at the channel's none
    assert footer(theirs) == "2 facts held back — beyond what you have watched"
    assert "/progress set" not in theirs.content

    mine = await (await double.press(fan, public, BUTTON)).reply()
    assert mine.ephemeral and mine.buttons() == [] and "/progress set" in mine.content
    assert "The Heir" not in mine.text and footer(mine) == "6 facts held back — beyond what this channel has watched"

    assert (public.embeds, public.components) == before and public.edits == 0


async def test_the_button_on_a_card_of_an_unfollowed_fandom_explains_privately(double: DiscordDouble, bot: BotProcess) -> None:
    _, mod, fan = await server(double)
    public = await card(double, fan)
    assert "no longer follows" in (await say(double, mod, "fandom unfollow", {"fandom": "spoilers"})).content
    answer = await (await double.press(fan, public, BUTTON)).reply()
    assert answer.ephemeral and "no longer in the fandoms this server follows" in answer.content


async def test_series_cast_leaves_out_a_character_and_a_recast_actor_not_yet_watched(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)

    async def cast(channel: FakeChannel | None = None) -> str:
        reply = await ask(double, fan, "series", {"title": "The Show"}, channel)
        return str(field(reply.embeds[0], "Cast") or "")

    assert "Bram" not in await cast() and "Kestrel" not in await cast()
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E02"})
    shown = await cast()
    assert "Bea Actor as Bram Holt — season 1" in shown and "Cal Recast" not in shown
    await say(double, mod, "spoilers channel", {"channel": guild.channel("spoilers"), "series": "The Show", "upto": "all"})
    everything = await cast(guild.channel("spoilers"))
    assert "Bea Actor (season 1), Cal Recast (season 2) as Bram Holt — seasons 1–2" in everything
    assert "Ada Vale (Kestrel)" in everything


async def test_ship_info_and_a_ship_poll_show_lines_and_names_only_once_watched(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, fan = await server(double)
    room = guild.channel("spoilers")
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E02"})
    pair = {"first": "Ada Vale", "second": "Bram Holt"}
    early = await ask(double, fan, "ship info", pair)
    assert "Adram" not in early.text and "marry" not in early.text and "2 facts held back" in early.text
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E03"})
    named = await ask(double, fan, "ship info", pair)
    assert "**Adram**" in named.text and "marry" not in named.text and "1 fact held back" in named.text
    poll = await ask(double, mod, "poll ship", {"first": "Adram"})
    assert "Ship name: **Adram**" in poll.text and "Canon so far — Nothing known, as far as this channel has watched." in poll.text
    await say(double, mod, "spoilers channel", {"channel": room, "series": "The Show", "upto": "all"})
    told = await ask(double, fan, "ship info", pair, room)
    assert "They marry." in told.text and "held back" not in told.text
    open_poll = await ask(double, mod, "poll ship", {"first": "Adram"}, room)
    assert "Canon so far — On screen: romance (married)" in open_poll.text


async def test_another_servers_setting_changes_nothing_here(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan = await server(double)
    _, other_mod, stranger = await server(double)
    for series in ("The Show", "The Spinoff"):
        await say(double, other_mod, "spoilers server", {"series": series, "upto": "all"})
    assert labels(await card(double, stranger)) == []
    here = await card(double, fan)
    assert footer(here) == "6 facts held back — beyond what this channel has watched" and "The Heir" not in here.text


async def test_a_pairing_poll_names_no_partner_the_channel_has_not_reached(double: DiscordDouble, bot: BotProcess) -> None:
    guild, mod, _ = await server(double)
    room = guild.channel("spoilers")
    await say(double, mod, "spoilers server", {"series": "The Show", "upto": "S01E03"})
    refused = await say(double, mod, "poll pairing", {"character": "Ada Vale"})
    assert refused.ephemeral and "nobody is linked romantically" in refused.content and "Bram" not in refused.content
    await say(double, mod, "spoilers channel", {"channel": room, "series": "The Show", "upto": "all"})
    told = await ask(double, mod, "poll pairing", {"character": "Ada Vale"}, room)
    assert told.ephemeral and "only Bram Holt is linked romantically" in told.content
