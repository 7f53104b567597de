"""Asking the bot something as a member, the way every end-to-end test does."""

from __future__ import annotations

from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, FakeMessage


async def say(double: DiscordDouble, who: FakeMember, command: str, options: dict | None = None) -> FakeMessage:
    """Run `/command` as `who` and return the bot's reply once it is there."""
    return await (await double.command(who, command, options or {})).reply()
