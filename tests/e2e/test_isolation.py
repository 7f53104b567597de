"""Guilds are separate worlds: what guild A's members create, guild B can't see, list, complete, close,
edit or delete — even a member of B with every permission, sending what Discord would never send."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.figures import record


def tokyo(year: int, month: int, day: int) -> int:
    """09:00 in Tokyo that day, as a Unix time."""
    return int(datetime(year, month, day, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp())


BACKENDS = ("sqlite", "postgresql")  # the same tests on each store (tests/e2e/conftest.py)
ALL = Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES | Permissions.ADMINISTRATOR



async def test_guild_b_can_reach_nothing_of_guild_a(double: DiscordDouble, bot: BotProcess) -> None:
    a = await double.add_guild("Guild A")
    b = await double.add_guild("Guild B")
    mod_a = double.add_member(a, "mod-a", permissions=ALL)
    rival = double.add_member(b, "rival", permissions=ALL)
    attempts = 0

    # Guild A's objects: a release, a setting, a subscription, a poll with a vote, a personal reminder.
    await say(double, mod_a, "settings timezone", {"zone": "Asia/Tokyo"})
    await say(double, mod_a, "release set", {"title": "A Only Premiere", "date": "2031-05-05 09:00"})
    await say(double, mod_a, "reminders subscribe", {"channel": a.channel("premieres"), "offsets": "1d"})
    poll = await say(double, mod_a, "poll create", {"question": "A's secret question?", "options": "Yes; No"})
    await (await double.press(mod_a, poll, "Yes")).reply()
    await say(double, mod_a, "remindme", {"release": "A Only Premiere"})
    [(poll_id,)] = await bot.query("SELECT id FROM polls WHERE guild_id = ?", (a.id,))
    [(a_before,)] = await bot.query("SELECT count(*) FROM timers WHERE guild_id = ? AND state = 'pending'", (a.id,))

    async def refused(command: str, options: dict | None = None) -> str:
        nonlocal attempts
        attempts += 1
        reply = await say(double, rival, command, options)
        assert reply.ephemeral, f"/{command} answered publicly in guild B"
        return reply.content

    # Releases: not found, not listed, not completed, not removable; setting one in B is B's own.
    assert "No release matches" in await refused("countdown", {"release": "A Only Premiere"})
    assert "No release matches" in await refused("remindme", {"release": "A Only Premiere"})
    assert "No release in this server" in await refused("release remove", {"title": "A Only Premiere"})
    releases_b = await say(double, rival, "releases")
    assert "A Only Premiere" not in str(releases_b.embeds[0])
    for command, option in (("countdown", "release"), ("release set", "title"), ("release remove", "title")):
        choices = await double.autocomplete(rival, command, {option: "A Only"}, option)
        assert not any("A Only" in c["name"] for c in choices), command
        attempts += 1
    await say(double, rival, "release set", {"title": "A Only Premiere", "date": "2032-01-01"})
    countdown_a = await say(double, mod_a, "countdown", {"release": "A Only Premiere"})
    assert f"<t:{tokyo(2031, 5, 5)}:" in countdown_a.content  # still 2031-05-05 09:00 Tokyo in guild A

    # The setting: B's zone is B's.
    await say(double, rival, "settings timezone", {"zone": "Europe/Paris"})
    await say(double, mod_a, "release set", {"title": "Zone Probe", "date": "2031-06-01 09:00"})
    assert f"<t:{tokyo(2031, 6, 1)}:" in (await say(double, mod_a, "countdown", {"release": "Zone Probe"})).content

    # Subscriptions: not listed, not unsubscribable.
    assert "None yet" in (await say(double, rival, "reminders list")).embeds[0]["description"]
    attempts += 1
    content = await refused("reminders unsubscribe", {"channel": a.channel("premieres")})
    assert "not a valid value" in content or "no reminders to stop" in content

    # The poll: not completed, not readable, not closable, and its buttons refuse B's members.
    assert await double.autocomplete(rival, "poll results", {"poll": ""}, "poll") == []
    attempts += 1
    assert "No poll in this server" in await refused("poll results", {"poll": str(poll_id)})
    assert "No poll in this server" in await refused("poll close", {"poll": str(poll_id)})
    attempts += 1
    cross = await (await double.press(rival, poll, "No")).reply()  # a press "from" guild B on A's message
    assert cross.ephemeral and "another server" in cross.content
    assert "no ship polls" in (await say(double, rival, "ship leaderboard")).embeds[0]["description"].lower()

    votes = await bot.query("SELECT user_id, position FROM votes WHERE poll_id = ?", (poll_id,))
    [(state,)] = await bot.query("SELECT state FROM polls WHERE id = ?", (poll_id,))
    [(a_after,)] = await bot.query("SELECT count(*) FROM timers WHERE guild_id = ? AND state = 'pending'", (a.id,))
    assert votes == [(mod_a.id, 0)] and state == "open"
    # B touched none of A's; Zone Probe (2031) adds none: it is beyond the 35-day reminder horizon.
    assert a_after == a_before
    assert "✅" in (await say(double, mod_a, "reminders list")).embeds[0]["description"]
    record("guild isolation: cross-guild attempts refused or invisible", attempts)


async def test_member_ids_never_show_in_poll_results(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    creator = double.add_member(guild, "asker")  # the card names who asked; a voter is never shown
    poll = await say(double, creator, "poll create", {"question": "Anonymous?", "options": "Yes; No"})
    await (await double.press(member, poll, "Yes")).reply()
    await say(double, creator, "poll close", {"poll": "anonymous"})
    seen = "\n".join(m.text for m in double.channel_messages(guild.text_channel))
    assert str(member.id) not in seen and member.user.username not in seen
    assert f"<@{creator.id}>" in seen
