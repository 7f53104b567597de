"""/character, /series and /about through the double, as a member sees them."""

from __future__ import annotations

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, FakeUser, snowflake


def field(embed: dict, name: str) -> str:
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)


async def test_character_card_shows_actor_names_series_relationships_and_sources(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember
) -> None:
    record = await double.command(member, "character", {"name": "daredevil"})
    reply = await record.reply()
    assert not reply.ephemeral and reply in double.channel_messages(guild.text_channel)
    embed = reply.embeds[0]
    assert embed["title"] == "Matt Murdock"
    assert field(embed, "Played by").startswith("Charlie Cox")
    assert "Daredevil (hero name)" in field(embed, "Also known as")
    assert "Marvel's Daredevil — seasons 1–2" in field(embed, "Appears in")
    assert "**Elektra** · romance · on screen" in field(embed, "Relationships")
    sources = field(embed, "Sources")
    assert sources.startswith("\\[1\\] ") and "\\[3\\] ComicBook.com" in sources
    # "Murdock" is not in the articles: that source is shown by its own title and the pack's note on it.
    assert "“Common knowledge, not from the articles” — Added only where the pack needs it" in sources
    assert record.latency is not None and record.latency < 3.0


async def test_a_card_lists_events_oldest_first_with_their_episode(double: DiscordDouble, member: FakeMember) -> None:
    embed = (await (await double.command(member, "character", {"name": "Elektra"})).reply()).embeds[0]
    death, reveal = field(embed, "Events").split("\n")
    assert death.startswith("S01E01 · Dies; her death makes Matt give up his vigilante life.")
    assert reveal.startswith("S01E08 · The Hand resurrects her")
    matt = (await (await double.command(member, "character", {"name": "Matt Murdock"})).reply()).embeds[0]
    assert "Events" not in [f["name"] for f in matt["fields"]]  # no events, no field: the card is as it was


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("daredevil", "Matt Murdock"),
        ("Krysten Ritter", "Jessica Jones"),
        ("Lukke Cage", "Luke Cage"),
        ("ÉLEKTRA", "Elektra"),
        ("iron fist", "Danny Rand"),
        ("The Punisher", "Frank Castle"),
        ("Carrie-Ann Moss", "Jeri Hogarth"),
        ("  jessika   jnes ", "Jessica Jones"),
    ],
)
async def test_matching_forgives_case_accents_typos_and_finds_actors(
    double: DiscordDouble, member: FakeMember, typed: str, expected: str
) -> None:
    reply = await (await double.command(member, "character", {"name": typed})).reply()
    assert reply.embeds[0]["title"] == expected


async def test_a_rumoured_character_says_so(double: DiscordDouble, member: FakeMember) -> None:
    reply = await (await double.command(member, "character", {"name": "Moon Knight"})).reply()
    assert "Rumoured — not confirmed" in reply.embeds[0]["description"]


async def test_no_match_is_an_ephemeral_did_you_mean(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    record = await double.command(member, "character", {"name": "Wilson Fisk"})
    reply = await record.reply()
    assert reply.ephemeral
    assert "No character matches “Wilson Fisk”" in reply.content and "Did you mean" in reply.content
    assert double.channel_messages(guild.text_channel) == []  # nothing public


async def test_nothing_close_says_what_to_type(double: DiscordDouble, member: FakeMember) -> None:
    reply = await (await double.command(member, "character", {"name": "zzzzzzzz"})).reply()
    assert reply.ephemeral and "another name they go by" in reply.content and "Daredevil" not in reply.content


@pytest.mark.parametrize("typed", ["   ", "x" * 101, "\u200b\u200b", "\x00\x07"])
async def test_bad_names_are_refused_ephemerally(double: DiscordDouble, guild: FakeGuild, member: FakeMember, typed: str) -> None:
    reply = await (await double.command(member, "character", {"name": typed})).reply()
    assert reply.ephemeral and "1–100 visible characters" in reply.content
    assert double.channel_messages(guild.text_channel) == []


async def test_mention_syntax_is_echoed_without_pinging(double: DiscordDouble, member: FakeMember) -> None:
    reply = await (await double.command(member, "character", {"name": "@everyone <@&123> <@456>"})).reply()
    assert reply.ephemeral and reply.pings == []
    assert "\\@everyone \\<@&123\\> \\<@456\\>" in reply.content  # shown literally: escaped, never a mention


async def test_autocomplete_is_ranked_bounded_and_fast(double: DiscordDouble, member: FakeMember) -> None:
    choices = await double.autocomplete(member, "character", {"name": "dare"}, "name")
    assert choices[0]["value"] == "Matt Murdock" and "Daredevil" in choices[0]["name"]
    defaults = await double.autocomplete(member, "character", {"name": ""}, "name")
    assert 1 <= len(defaults) <= 25 and defaults[0]["value"] == "Luke Cage"  # billed main, then seen in the most series
    typo = await double.autocomplete(member, "character", {"name": "lukke"}, "name")
    assert typo[0]["value"] == "Luke Cage"
    for typed in ("", "j", "a", "x" * 100, "@everyone", "'; DROP TABLE characters; --"):
        choices = await double.autocomplete(member, "character", {"name": typed}, "name")
        assert len(choices) <= 25 and all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    latencies = [r.latency for r in double.interactions.values() if r.type == 4 and r.latency is not None]
    assert max(latencies) < 3.0


async def test_series_card_shows_seasons_at_their_precision_cast_and_production(
    double: DiscordDouble, member: FakeMember
) -> None:
    reply = await (await double.command(member, "series", {"title": "Defenders"})).reply()
    embed = reply.embeds[0]
    assert embed["title"] == "Marvel's The Defenders"
    seasons = field(embed, "Seasons")
    assert "8 episodes" in seasons and "released 18 August 2017" in seasons
    assert "2017 (approximate)" in seasons and "summer 2017 (approximate)" in seasons  # the earlier announcements
    assert "Charlie Cox as Matt Murdock (Daredevil)" in field(embed, "Cast")
    assert "Jon Bernthal as Frank Castle (The Punisher) *(rumoured)*" in field(embed, "Cast")
    behind = field(embed, "Behind the scenes")
    assert "Group Therapy" in behind and "Douglas Petrie" in behind


async def test_series_without_a_date_and_with_an_approximate_one(double: DiscordDouble, member: FakeMember) -> None:
    punisher = (await (await double.command(member, "series", {"title": "punisher"})).reply()).embeds[0]
    assert "no date announced" in field(punisher, "Seasons") or "expected 2017 (approximate)" in field(punisher, "Seasons")
    jessica = (await (await double.command(member, "series", {"title": "Jessica Jones"})).reply()).embeds[0]
    assert "expected 2018 (approximate)" in field(jessica, "Seasons")
    choices = await double.autocomplete(member, "series", {"title": "iron"}, "title")
    assert choices[0]["value"] == "Marvel's Iron Fist"


async def test_unknown_series_is_an_ephemeral_did_you_mean(double: DiscordDouble, member: FakeMember) -> None:
    reply = await (await double.command(member, "series", {"title": "Daredevils"})).reply()
    assert reply.embeds[0]["title"] == "Marvel's Daredevil"  # close enough to be sure
    reply = await (await double.command(member, "series", {"title": "Agents of SHIELD"})).reply()
    assert reply.ephemeral and "No series matches" in reply.content


async def test_about_shows_this_servers_fandoms_then_the_bots_totals_and_the_sources(
    double: DiscordDouble, member: FakeMember
) -> None:
    embed = (await (await double.command(member, "about")).reply()).embeds[0]
    assert embed["title"].startswith("fandex ")
    assert [f["name"] for f in embed["fields"]][:3] == ["This server's fandoms", "Here", "On this bot"]
    assert "(`defenders`) — 23 characters, 6 series" in field(embed, "This server's fandoms")
    assert "23 characters · 6 series" in field(embed, "Here")
    assert "1 fandom · 23 characters" in field(embed, "On this bot")
    sources = field(embed, "Data sources")
    assert sources.count("\n") >= 4 and "Inquisitr" in sources and "“Common knowledge, not from the articles” — Added" in sources


async def test_lookup_works_in_a_direct_message(double: DiscordDouble, bot: object) -> None:
    user = FakeUser(snowflake(), "matt")
    reply = await (await double.command(user, "character", {"name": "Foggy"})).reply()
    assert reply.embeds[0]["title"] == "Foggy Nelson"
