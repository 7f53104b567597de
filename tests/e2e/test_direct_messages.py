"""Direct messages with the bot: the commands that need a server are registered server-only, so Discord
does not offer them there, and are refused cleanly should one arrive anyway; the others answer in a DM
without speaking of a server that isn't there."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeUser, snowflake
from tests.e2e.bot_process import BotProcess

PACKS = Path(__file__).parents[1] / "packs"
BUNDLED = Path(__file__).parents[2] / "db" / "packs"
SERVER_ONLY = {"fandom", "poll", "ship", "release", "reminders", "settings", "spoilers", "watchalong", "ratings", "events"}
USER_INSTALLABLE = {"character", "series", "episodes", "countdown", "releases", "progress", "about", "help"}
ANYWHERE = {"remindme", "calendar"}  # installed with a server, used there or in the DM with the bot
GUILD_INSTALL, USER_INSTALL = 0, 1
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2
SERVER = re.compile(r"\b(?:this|the|your) server\b|\bserver's\b|\bhere\b.{0,40}\bserver\b", re.IGNORECASE)  # one that isn't there

# One invocation of every server-only command and subcommand, as a DM would send it.
SERVER_ONLY_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("fandom list", {}), ("fandom follow", {"fandom": "harbor"}), ("fandom unfollow", {"fandom": "harbor"}),
    ("fandom add", {"show": "1"}), ("fandom refresh", {"fandom": "harbor"}),
    ("poll create", {"question": "Best season?", "options": "One; Two"}), ("poll ship", {"first": "Foggy Nelson", "second": "Karen Page"}),
    ("poll pairing", {"character": "Karen Page"}), ("poll results", {"poll": "1"}), ("poll close", {"poll": "1"}),
    ("ship info", {"first": "Foggy Nelson", "second": "Karen Page"}), ("ship leaderboard", {}),
    ("release set", {"title": "DM release", "date": "2031-01-01"}), ("release remove", {"title": "DM release"}),
    ("reminders list", {}),
    ("settings timezone", {"zone": "Europe/Berlin"}),
    ("spoilers server", {"series": "Harbor Lights", "upto": "all"}), ("spoilers show", {}),
    ("events set", {"series": "Harbor Lights", "scope": "premieres"}), ("events stop", {"series": "Harbor Lights"}),
]


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"FACT_PACKS": f"{BUNDLED},{PACKS / 'harbor.yaml'},{PACKS / 'weekly.yaml'}"}
    process = BotProcess(double, tmp_path_factory.mktemp("dms"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


def stranger(double: DiscordDouble) -> FakeUser:
    """Someone who opens a DM with the bot: no guild, no member."""
    user = FakeUser(snowflake(), "stranger")
    double.users[user.id] = user
    return user


async def test_the_registered_commands_say_which_need_a_server(double: DiscordDouble, bot: BotProcess) -> None:
    """The payload Discord stores (validated against its OpenAPI spec by the double) tells clients where
    to offer each command: server-only ones nowhere but servers."""
    registered = {c["name"]: c for c in double.commands["global"]}
    assert set(registered) == SERVER_ONLY | ANYWHERE | USER_INSTALLABLE
    for name in SERVER_ONLY:
        assert registered[name]["contexts"] == [GUILD] and registered[name]["dm_permission"] is False, name
        assert registered[name]["integration_types"] == [GUILD_INSTALL], name
    for name in ANYWHERE:
        assert registered[name]["contexts"] == [GUILD, BOT_DM] and registered[name]["dm_permission"] is True, name
        assert registered[name]["integration_types"] == [GUILD_INSTALL], name
    for name in USER_INSTALLABLE:
        assert sorted(registered[name]["contexts"]) == [GUILD, BOT_DM, PRIVATE_CHANNEL], name
        assert sorted(registered[name]["integration_types"]) == [GUILD_INSTALL, USER_INSTALL], name


@pytest.mark.parametrize(("command", "options"), SERVER_ONLY_CALLS, ids=[c for c, _ in SERVER_ONLY_CALLS])
async def test_a_server_only_command_from_a_dm_is_refused_cleanly(
    double: DiscordDouble, bot: BotProcess, command: str, options: dict[str, Any]
) -> None:
    logged = len(bot.log())
    reply = await (await double.command(stranger(double), command, options)).reply()
    assert reply.ephemeral and reply.content == "That command works only in a server: use it in a channel of a server this bot is in."
    assert reply.guild_id is None
    log = bot.log()[logged:]
    assert "Traceback" not in log and "AssertionError" not in log


async def test_a_server_only_commands_autocomplete_offers_nothing_in_a_dm(double: DiscordDouble, bot: BotProcess) -> None:
    assert await double.autocomplete(stranger(double), "poll ship", {"first": "foggy"}, "first") == []
    assert await double.autocomplete(stranger(double), "fandom follow", {"fandom": "harb"}, "fandom") == []


async def test_every_command_allowed_in_a_dm_answers_there_without_speaking_of_a_server(
    double: DiscordDouble, bot: BotProcess
) -> None:
    user = stranger(double)
    asked: list[tuple[str, dict[str, Any]]] = [
        ("character", {"name": "Foggy"}), ("series", {"title": "Harbor Lights"}), ("about", {}),
        ("countdown", {}), ("countdown", {"release": "Harbor Lights season 1"}), ("releases", {}),
        ("episodes", {"series": "The Show"}), ("remindme", {"release": "Harbor Lights season 2"}),
        ("remindme", {"release": "Harbor Lights season 2"}),  # asked twice: "already set"
        ("character", {"name": "Nobody Ever Heard Of"}), ("calendar", {}), ("help", {}),
    ]
    for command, options in asked:
        reply = await (await double.command(user, command, options)).reply()
        assert reply.guild_id is None and "Sorry — something went wrong" not in reply.text, (command, reply.text)
        assert not SERVER.search(reply.text), f"/{command} in a DM speaks of a server: {reply.text}"
    shown = await (await double.command(user, "help")).reply()  # no DOCS_URL: the docs shipped with the source
    assert shown.ephemeral and "Docs: `docs/commands.md` in fandex's source." in shown.text and "/fandom" not in shown.text
    about = await (await double.command(user, "about")).reply()
    assert [f["name"] for f in about.embeds[0]["fields"]][:2] == ["Fandoms outside a server", "Here"]
    for command, option, typed in (("character", "name", "fog"), ("series", "title", "harb"), ("countdown", "release", "harbor"),
                                   ("remindme", "release", "harbor"), ("episodes", "series", "show")):
        choices = await double.autocomplete(user, command, {option: typed}, option)
        assert choices and not any(SERVER.search(c["name"]) for c in choices), (command, choices)


async def test_a_dm_sees_every_fandom_whatever_the_servers_defaults(double: DiscordDouble, tmp_path: Path) -> None:
    """DEFAULT_FANDOMS decides what a server follows until it chooses; outside a server every fandom the
    bot holds is looked up (issue 29: it replaced the rule that DMs see the defaults only)."""
    process = BotProcess(double, tmp_path / "bot", env={"DEFAULT_FANDOMS": "none"})
    await process.start()
    try:
        user = stranger(double)
        for command, options in (("character", {"name": "Foggy"}), ("series", {"title": "Daredevil"}),
                                 ("episodes", {"series": "Daredevil"}), ("about", {}), ("countdown", {}), ("releases", {})):
            reply = await (await double.command(user, command, options)).reply()
            assert not SERVER.search(reply.text), f"/{command} in a DM speaks of a server: {reply.text}"
        found = await (await double.command(user, "character", {"name": "Foggy"})).reply()
        assert "Foggy Nelson" in found.text and "nothing to look up" not in found.text
    finally:
        await process.stop()
