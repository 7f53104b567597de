"""Every Manage Server / Manage Messages command, invoked by a member without it (Discord hides the
command, but a payload can still arrive): refused privately, with nothing changed and nothing posted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record

PRIVILEGED: list[tuple[str, Callable[[FakeGuild], dict[str, Any]], str]] = [
    ("release set", lambda g: {"title": "Sneaky", "date": "2031-01-01"}, "Manage Server"),
    ("release remove", lambda g: {"title": "Marvel's The Defenders"}, "Manage Server"),
    ("settings timezone", lambda g: {"zone": "Europe/Paris"}, "Manage Server"),
    ("reminders subscribe", lambda g: {"channel": g.text_channel}, "Manage Server"),
    ("reminders unsubscribe", lambda g: {"channel": g.text_channel}, "Manage Server"),
    ("reminders list", lambda g: {}, "Manage Server"),
]


def state(bot: BotProcess, guild: FakeGuild) -> list[tuple[Any, ...]]:
    with sqlite3.connect(bot.database) as conn:
        rows = []
        for table in ("releases", "release_dates", "subscriptions", "guild_settings", "polls", "timers"):
            rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} WHERE guild_id = ? ORDER BY 1", (guild.id,))]
    return rows


@pytest.mark.parametrize(("command", "options", "needed"), PRIVILEGED, ids=[c for c, _, _ in PRIVILEGED])
async def test_manage_server_commands_refuse_members(
    double: DiscordDouble, bot: BotProcess, guild: FakeGuild, member: FakeMember, moderator: FakeMember,
    command: str, options: Callable[[FakeGuild], dict[str, Any]], needed: str,
) -> None:
    await (await double.command(moderator, "reminders subscribe", {"channel": guild.text_channel})).reply()
    before, posted = state(bot, guild), len(double.channel_messages(guild.text_channel))
    record_ = await double.command(member, command, options(guild))
    reply = await record_.reply()
    assert reply.ephemeral and f"You need the **{needed}** permission" in reply.content
    assert record_.latency is not None and record_.latency < 3
    assert state(bot, guild) == before and len(double.channel_messages(guild.text_channel)) == posted
    record("permission refusals checked", 1)


async def test_closing_someone_elses_poll_needs_manage_messages(
    double: DiscordDouble, bot: BotProcess, guild: FakeGuild, member: FakeMember, moderator: FakeMember
) -> None:
    poll = await (await double.command(member, "poll create", {"question": "Mine?", "options": "Yes; No"})).reply()
    await eventually(lambda: all(row[4] is not None for row in state(bot, guild) if row[0] == "polls"), 5, "the poll's message id")
    manager_of_server_only = double.add_member(guild, "admin-ish", permissions=moderator.permissions & ~(1 << 13))
    before = state(bot, guild)
    reply = await (await double.command(manager_of_server_only, "poll close", {"poll": "mine"})).reply()
    assert reply.ephemeral and "Manage Messages" in reply.content
    assert state(bot, guild) == before and not any(b.get("disabled") for b in poll.buttons())
    record("permission refusals checked", 1)
