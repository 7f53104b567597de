"""fandex installed to a member's own account (issue 29): the read-only commands registered for both
installs and every context, and used where the bot is in no server — the DM with the bot, a private
channel (a group DM: interaction context 2), a server without the bot. There they cover every fandom the
bot holds, read and write no server's data, and go as far as the caller's own /progress (else the
default: aired, a week after). /help lists what can be used where it is asked; /about names the sources
and their licences.

The bot runs with tests/packs/spoilers.yaml (The Show, season 1 airing in 2030: the default has watched
nothing; Ada Vale's card holds six later facts back) and DEFAULT_FANDOMS=none: a server of the bot follows
no fandom until a moderator chooses one, so what answers outside it comes from a fandom no server of the
member follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeMember, FakeMessage, FakeUser, Permissions, snowflake
from tests.e2e.bot_process import BotProcess

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES
USER_INSTALLABLE = ("character", "series", "episodes", "countdown", "releases", "progress", "help", "about")
SERVER_ONLY = ("fandom", "poll", "ship", "release", "reminders", "settings", "spoilers", "watchalong", "ratings", "events")
DM_ONLY = ("remindme", "calendar")  # installed with a server: its channels and the DM with the bot
REFUSED = "That command works only in a server: use it in a channel of a server this bot is in."
SUPPORT = "https://example.org/fandex/issues"
DOCS = "https://example.org/fandex/docs"


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": str(PACK), "TVMAZE_IMPORTS": "off", "DEFAULT_FANDOMS": "none", "WIKIDATA_ALIASES": "on",
           "SUPPORT_URL": SUPPORT, "DOCS_URL": DOCS}
    process = BotProcess(double, tmp_path_factory.mktemp("user-install"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def member(double: DiscordDouble, permissions: int = Permissions.MEMBER) -> FakeMember:
    """A member of a server of the bot that follows no fandom (DEFAULT_FANDOMS=none)."""
    guild = await double.add_guild()
    return double.add_member(guild, "fan", permissions=permissions)


async def ask(double: DiscordDouble, who: FakeMember | FakeUser, command: str, options: dict[str, Any] | None = None,
              channel: FakeChannel | None = None) -> FakeMessage:
    return await (await double.command(who, command, options or {}, channel=channel)).reply()


def field(message: FakeMessage, name: str) -> str | None:
    return next((f["value"] for f in message.embeds[0].get("fields", []) if f["name"] == name), None)


def friend(double: DiscordDouble) -> FakeUser:
    user = FakeUser(snowflake(), "friend")
    double.users[user.id] = user
    return user


async def test_the_registered_surface_offers_each_command_where_its_installs_reach(double: DiscordDouble, bot: BotProcess) -> None:
    """As Discord's client decides from the stored registration (`integration_types`, `contexts`)."""
    fan = await member(double)
    group = double.group_dm(fan.user, friend(double))
    elsewhere = double.server_without_bot()
    for name in USER_INSTALLABLE:
        assert double.offered(name, fan), name
        assert double.offered(name, fan.user), name  # the DM with the bot
        assert double.offered(name, fan.user, group), name
        assert double.offered(name, fan.user, elsewhere), name
    for name in SERVER_ONLY:
        assert double.offered(name, fan), name
        assert not any(double.offered(name, fan.user, where) for where in (None, group, elsewhere)), name
    for name in DM_ONLY:
        assert double.offered(name, fan) and double.offered(name, fan.user), name
        assert not double.offered(name, fan.user, group) and not double.offered(name, fan.user, elsewhere), name


async def test_character_answers_in_a_dm_and_a_private_channel_from_a_fandom_no_server_of_theirs_follows(
    double: DiscordDouble, bot: BotProcess
) -> None:
    fan = await member(double)
    in_server = await ask(double, fan, "character", {"name": "Ada Vale"})
    assert in_server.ephemeral and "doesn't follow any fandom" in in_server.content
    group = double.group_dm(fan.user, friend(double))
    for where in (None, group):
        record = await double.command(fan.user, "character", {"name": "Ada Vale"}, channel=where)
        assert record.payload["context"] == (1 if where is None else 2) and "guild_id" not in record.payload
        reply = await record.reply()
        assert not reply.ephemeral and reply.embeds and reply.embeds[0]["title"].startswith("Ada Vale"), reply.text
        assert reply.guild_id is None and reply.channel_id == (group.id if where else double.dm_channels[fan.user.id].id)
    choices = await double.autocomplete(fan.user, "character", {"name": "ada"}, "name", channel=group)
    assert any(c["name"].startswith("Ada Vale") for c in choices), choices


async def test_outside_a_server_spoilers_follow_the_callers_progress(double: DiscordDouble, bot: BotProcess) -> None:
    fan = await member(double)
    group = double.group_dm(fan.user, friend(double))
    before = await ask(double, fan.user, "character", {"name": "Ada Vale"}, group)
    assert "Dies in the fire" not in before.text  # the default: aired, a week after — nothing of 2030 yet
    await ask(double, fan.user, "progress set", {"series": "The Show", "episode": "S01E03"}, group)
    after = await ask(double, fan.user, "character", {"name": "Ada Vale"}, group)
    assert str(field(after, "Events")).startswith("S01E03 · Dies in the fire") and "The Heir" not in after.text
    shown = await ask(double, fan.user, "progress show")  # their own rows, wherever they were set
    assert "The Show" in shown.text and "1x03" in shown.text.replace("S01E03", "1x03")
    in_server = await ask(double, fan, "character", {"name": "Ada Vale"})
    assert in_server.ephemeral  # the server still follows nothing: its members' progress opens nothing there


async def test_in_a_server_without_the_bot_nothing_of_a_server_is_read_or_written(double: DiscordDouble, bot: BotProcess) -> None:
    mod = await member(double, MOD)
    guild = double.guilds[mod.guild_id]
    await ask(double, mod, "fandom follow", {"fandom": "spoilers"})
    await ask(double, mod, "release set", {"title": "Only here", "date": "2031-05-01"})
    assert "Only here" in (await ask(double, mod, "releases")).text
    elsewhere = FakeChannel(snowflake(), "elsewhere", guild.id)  # the same id, but the member's own install: not the bot's server
    double.channels[elsewhere.id] = elsewhere
    outside = double.server_without_bot()
    for where in (outside, elsewhere):
        record = await double.command(mod.user, "releases", {}, channel=where)
        assert record.payload["context"] == 0 and record.payload["authorizing_integration_owners"] == {"1": str(mod.user.id)}
        listed = await record.reply()
        assert "Only here" not in listed.text and "The Show" in listed.text, listed.text
        about = await ask(double, mod.user, "about", channel=where)
        assert field(about, "Fandoms outside a server") is not None
        refused = await ask(double, mod.user, "release set", {"title": "Sneaked in", "date": "2031-06-01"}, where)
        assert refused.ephemeral and refused.content == REFUSED
    assert "Sneaked in" not in (await ask(double, mod, "releases")).text


async def test_help_lists_what_can_be_used_where_it_is_asked(double: DiscordDouble, bot: BotProcess) -> None:
    mod = await member(double, MOD)
    group = double.group_dm(mod.user, friend(double))
    in_server = await ask(double, mod, "help")
    in_dm = await ask(double, mod.user, "help")
    in_group = await ask(double, mod.user, "help", channel=group)
    for reply in (in_server, in_dm, in_group):
        assert reply.ephemeral and reply.embeds[0]["title"] == "fandex commands"
        assert "`/character`" in reply.text and "`/help`" in reply.text and f"Docs: {DOCS}" in reply.text
        assert sum(len(e.get("title", "")) + len(e.get("description", "")) for e in reply.embeds) + sum(
            len(f["name"]) + len(f["value"]) for e in reply.embeds for f in e.get("fields", [])) <= 6000
    assert "`/fandom follow` — " in in_server.text and "*(Manage Server)*" in in_server.text
    assert "`/release set`" in in_server.text and "`/poll create`" in in_server.text
    for reply in (in_dm, in_group):
        assert "/fandom" not in reply.text and "/release set" not in reply.text and "Manage Server" not in reply.text
    assert "`/remindme`" in in_dm.text and "`/remindme`" not in in_group.text
    names = [f["name"] for f in in_server.embeds[0]["fields"]]
    assert names[0] == "Look-ups" and "Fandoms" in names and "Settings" in names


async def test_about_names_the_version_the_sources_and_their_licences(double: DiscordDouble, bot: BotProcess) -> None:
    fan = await member(double)
    for who in (fan, fan.user):
        about = await ask(double, who, "about")
        assert about.embeds[0]["title"].startswith("fandex ")
        licences = str(field(about, "Licences"))
        assert "TVmaze" in licences and "CC BY-SA 4.0" in licences and "Wikidata" in licences and "CC0" in licences
        assert field(about, "Problems?") == f"Report a problem or ask for help: {SUPPORT}"
    cited = str(field(about, "Data sources"))  # outside a server: every pack's sources (the server follows none)
    assert "“" in cited and cited.startswith("1. ")
