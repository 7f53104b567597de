"""Guilds are separate worlds: what guild A's members create, guild B can't see, list, complete, close,
edit or delete — even a member of B with every permission, sending what Discord would never send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record
from tests.tvmaze_double import serving_catalogue


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


async def test_a_show_one_server_adds_is_followed_there_only_and_leaves_that_servers_defaults(
    fresh_double: DiscordDouble, database_url: str | None, tmp_path: Path
) -> None:
    """Item 1, with the shipped defaults (DEFAULT_FANDOMS=all, TVMAZE_IMPORTS=on, the bundled pack):
    server A adds a TVmaze show. Server B, which never chose, sees nothing of it — lookups, /releases,
    its episode reminders — and A, whose add was its choice, no longer sees the bundled pack and is told
    so, with how to follow it back."""
    double = fresh_double
    async with serving_catalogue(datetime.now(UTC)) as tvmaze:
        bot = BotProcess(double, tmp_path / "bot", database_url=database_url, env={"TVMAZE_API_BASE": tvmaze.base_url})
        await bot.start()
        try:
            a, b = await double.add_guild("Guild A", channels=("episodes",)), await double.add_guild("Guild B", channels=("episodes",))
            mod_a, mod_b = (double.add_member(g, "mod", permissions=ALL) for g in (a, b))
            fan_a, fan_b = (double.add_member(g, "fan") for g in (a, b))
            for mod, guild in ((mod_a, a), (mod_b, b)):
                await say(double, mod, "reminders subscribe", {"channel": guild.channel("episodes"), "offsets": "0", "episodes": True})
            assert "Punisher" in (await say(double, fan_a, "releases")).text  # both follow the bundled pack by default
            airs = (datetime.now(UTC) + timedelta(seconds=20)).replace(microsecond=0)
            tvmaze.move_episode(1, 101_004, airs)  # Severance S1E04, soon

            added = await say(double, mod_a, "fandom add", {"show": "1"})
            card = added.embeds[0]
            assert "added to this bot and followed here" in card["description"]
            [dropped] = [f for f in card.get("fields", []) if f["name"] == "No longer followed here"]
            assert "/fandom follow" in dropped["value"] and "**Marvel's Netflix \"Defenders\" universe** (`defenders`)" in dropped["value"]

            # Server A follows what it chose: the show, and no longer the bundled pack.
            assert (await say(double, fan_a, "character", {"name": "Mark Lead"})).embeds[0]["title"] == "Mark Lead"
            for name in ("Matt Murdock", "Danny"):
                assert (await say(double, fan_a, "character", {"name": name})).ephemeral, name
            releases_a = (await say(double, fan_a, "releases")).text
            assert "Severance" in releases_a and "Punisher" not in releases_a
            # Server B, which never chose, sees nothing of A's show.
            assert (await say(double, fan_b, "character", {"name": "Mark Lead"})).ephemeral
            assert await double.autocomplete(fan_b, "character", {"name": "Helly"}, "name") == []
            assert (await say(double, fan_b, "character", {"name": "Matt Murdock"})).embeds[0]["title"] == "Matt Murdock"
            releases_b = (await say(double, fan_b, "releases")).text
            assert "Severance" not in releases_b and "Punisher" in releases_b
            assert "No release matches" in (await say(double, fan_b, "countdown", {"release": "Severance S1E04"})).content

            def posts(guild: FakeGuild) -> list[str]:
                return [m.content for m in double.channel_messages(guild.channel("episodes")) if m.interaction_id is None]

            await eventually(lambda: any("Severance S1E04" in p for p in posts(a)), 40, "server A's episode reminder")
            await asyncio.sleep(1.0)
            assert posts(b) == []

            # A follows the bundled pack back with the command the reply named.
            assert "now follows" in (await say(double, mod_a, "fandom follow", {"fandom": "defenders"})).content
            assert (await say(double, fan_a, "character", {"name": "Matt Murdock"})).embeds[0]["title"] == "Matt Murdock"
        finally:
            await bot.stop()
