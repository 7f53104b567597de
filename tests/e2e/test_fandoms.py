"""Many fandoms on one bot: each server follows its own, sees only those, and loses nothing when a
pack goes. Runs the real bot with the bundled pack and a second, made-up one (tests/packs/harbor.yaml)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import bundled_packs_dir
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually

HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"


def packs_in_horizon(folder: Path) -> str:
    """FACT_PACKS: the bundled pack and harbor.yaml with its exact dates moved to 10 and 20 days from now,
    inside the 35-day horizon reminders are planned over."""
    folder.mkdir(parents=True, exist_ok=True)
    text = HARBOR.read_text(encoding="utf-8")
    for exact, days in (("2031-03-01 20:00", 10), ("2031-09-12 20:00", 20)):
        text = text.replace(exact, (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d 20:00"))
    (folder / "harbor.yaml").write_text(text, encoding="utf-8")
    return f"{bundled_packs_dir()},{folder / 'harbor.yaml'}"
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    work = tmp_path_factory.mktemp("fandoms")
    # An operator who turned TVmaze imports off: the hand-written packs are all this bot offers.
    env = {"FACT_PACKS": packs_in_horizon(work / "packs"), "TVMAZE_IMPORTS": "off"}
    process = BotProcess(double, work, env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()



async def guild_following(double: DiscordDouble, *keys: str) -> tuple[FakeGuild, FakeMember, FakeMember]:
    """A new server whose moderator made it follow exactly `keys`; returns it, the moderator, a member."""
    guild = await double.add_guild()
    mod = double.add_member(guild, "mod", permissions=MOD)
    fan = double.add_member(guild, "fan")
    for key in ("defenders", "harbor"):
        if key not in keys:
            reply = await say(double, mod, "fandom unfollow", {"fandom": key})
            assert "no longer follows" in reply.content
    return guild, mod, fan


def pending_reminders(bot: BotProcess, guild: FakeGuild) -> list[str]:
    with sqlite3.connect(bot.database) as conn:
        rows = conn.execute(
            "SELECT payload FROM timers WHERE guild_id = ? AND state = 'pending' AND kind = 'reminder'", (guild.id,)
        ).fetchall()
    return [r[0] for r in rows]


async def test_fandom_list_shows_every_fandom_with_its_size_and_marks_those_followed(
    double: DiscordDouble, bot: BotProcess
) -> None:
    _, mod, fan = await guild_following(double, "defenders")
    listed = await say(double, fan, "fandom list")
    assert not listed.ephemeral
    lines = listed.embeds[0]["fields"][0]["value"].splitlines()
    assert lines[0].startswith("✅ **Marvel's Netflix \"Defenders\" universe** (`defenders`) — 23 characters, 6 series")
    assert lines[1].startswith("▫️ **Harbor Lights** (`harbor`) — 3 characters, 1 series, 2 releases")
    assert "follows 1 of 2" in listed.embeds[0]["description"]
    choices = await double.autocomplete(mod, "fandom follow", {"fandom": "har"}, "fandom")
    assert choices == [{"name": "Harbor Lights", "value": "harbor"}]


async def test_two_servers_following_different_fandoms_see_nothing_of_the_other(
    double: DiscordDouble, bot: BotProcess
) -> None:
    a, mod_a, fan_a = await guild_following(double, "defenders")
    b, mod_b, fan_b = await guild_following(double, "harbor")

    assert (await say(double, fan_a, "character", {"name": "daredevil"})).embeds[0]["title"] == "Matt Murdock"
    missing = await say(double, fan_a, "character", {"name": "Mara Quill"})
    assert missing.ephemeral and "No character matches" in missing.content
    mara = await say(double, fan_b, "character", {"name": "Mara Quill"})
    assert mara.embeds[0]["title"] == "Mara Quill" and "Harbor Lights" in mara.embeds[0]["description"]
    assert (await say(double, fan_b, "character", {"name": "daredevil"})).ephemeral

    a_names = [c["name"] for c in await double.autocomplete(fan_a, "character", {"name": "ma"}, "name")]
    b_names = [c["name"] for c in await double.autocomplete(fan_b, "character", {"name": "ma"}, "name")]
    assert "Matt Murdock" in a_names and not any("Mara" in n for n in a_names)
    assert "Mara Quill" in b_names and not any("Matt" in n for n in b_names)

    assert "Harbor Lights season 1" not in (await say(double, fan_a, "releases")).text
    assert "Harbor Lights season 1" in (await say(double, fan_b, "releases")).text

    # Ship records: B's poll about its pair is nowhere in A.
    poll = await say(double, mod_b, "poll ship", {"first": "Mara Quill", "second": "Jonah Pike"})
    await (await double.press(fan_b, poll, "Yes")).reply()
    info = await say(double, fan_b, "ship info", {"first": "Mara", "second": "Jonah Pike"})
    assert info.embeds[0]["title"] == "Mara Quill × Jonah Pike"
    assert "No ship polls" in (await say(double, fan_a, "ship leaderboard")).text
    assert (await say(double, fan_a, "ship info", {"first": "Mara Quill", "second": "Jonah Pike"})).ephemeral

    # Reminders: a subscription covers the followed fandoms only; following extends it, unfollowing ends it.
    await say(double, mod_a, "reminders subscribe", {"channel": a.channel("premieres"), "offsets": "1d"})
    await say(double, mod_b, "reminders subscribe", {"channel": b.channel("premieres"), "offsets": "1d"})
    assert pending_reminders(bot, a) == []  # the Defenders seasons are all out
    assert len(pending_reminders(bot, b)) == 2  # Harbor Lights seasons 1 and 2
    assert "now follows **Harbor Lights**" in (await say(double, mod_a, "fandom follow", {"fandom": "harbor"})).content
    assert len(pending_reminders(bot, a)) == 2
    await say(double, mod_a, "fandom unfollow", {"fandom": "harbor"})
    assert pending_reminders(bot, a) == [] and len(pending_reminders(bot, b)) == 2


async def test_a_server_following_two_fandoms_tells_namesakes_apart(double: DiscordDouble, bot: BotProcess) -> None:
    _, _, fan = await guild_following(double, "defenders", "harbor")
    choices = await double.autocomplete(fan, "character", {"name": "claire"}, "name")
    claires = [c for c in choices if c["name"].startswith("Claire Temple")]
    assert len(claires) == 2 and len({c["value"] for c in claires}) == 2
    assert {c["name"].split(" — ")[1] for c in claires} >= {"Harbor Lights"}
    harbor = next(c["value"] for c in claires if c["value"].endswith("Harbor Lights"))
    picked = await say(double, fan, "character", {"name": harbor})
    assert picked.embeds[0]["title"] == "Claire Temple" and "night nurse" in picked.embeds[0]["description"]
    assert picked.content == ""
    typed = await say(double, fan, "character", {"name": "Claire Temple"})
    assert typed.embeds[0]["title"] == "Claire Temple"
    assert typed.content.startswith("Also: **Claire Temple — ")
    # The pack's own words: its kind of name, its canon, its web source, its notes.
    assert "Lantern (codename)" in typed.text or "Lantern (codename)" in picked.text
    mara = await say(double, fan, "character", {"name": "Mara Quill"})
    assert "romance · in the novel (engaged)" in mara.text
    assert "[Coastal Gazette, “Harbor Lights renewed for a second season”](<https://example.org/harbor-lights/renewed>)" in mara.text
    assert "“Fan consensus” — What most of the show's fans agree on" in mara.text
    assert "common knowledge" not in mara.text.casefold()
    assert "Narrates the season 1 finale" in picked.text
    series = await say(double, fan, "series", {"title": "HL"})
    assert "Two episodes on the first night" in series.text


async def test_follow_and_unfollow_need_manage_server_and_none_left_says_how_to_add_one(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, mod, fan = await guild_following(double, "defenders", "harbor")
    for command in ("fandom follow", "fandom unfollow"):
        refused = await say(double, fan, command, {"fandom": "harbor"})
        assert refused.ephemeral and "Manage Server" in refused.content
    with sqlite3.connect(bot.database) as conn:
        assert conn.execute("SELECT count(*) FROM guild_fandoms WHERE guild_id = ?", (guild.id,)).fetchone()[0] == 0
    again = await say(double, mod, "fandom follow", {"fandom": "defenders"})
    assert again.ephemeral and "already follows" in again.content
    unknown = await say(double, mod, "fandom follow", {"fandom": "nope"})
    assert unknown.ephemeral and "`defenders`" in unknown.content and "`harbor`" in unknown.content
    await say(double, mod, "fandom unfollow", {"fandom": "harbor"})
    last = await say(double, mod, "fandom unfollow", {"fandom": "defenders"})
    assert "follows no fandom" in last.content
    for command, options in (("character", {"name": "daredevil"}), ("series", {"title": "Daredevil"})):
        empty = await say(double, fan, command, options)
        assert empty.ephemeral and "doesn't follow any fandom yet" in empty.content and "/fandom follow" in empty.content
    assert await double.autocomplete(fan, "character", {"name": "d"}, "name") == []
    about = await say(double, fan, "about")
    assert "None yet" in about.text and "2 fandoms" in about.text


async def test_two_follows_at_once_are_both_kept(double: DiscordDouble, bot: BotProcess) -> None:
    """Item 9: two moderators follow a fandom each at the same moment; the server follows both, as both were told."""
    for round_ in range(4):
        guild, mod, fan = await guild_following(double)
        other_mod = double.add_member(guild, "other-mod", permissions=MOD)
        sent = [await double.send_command(mod, "fandom follow", {"fandom": "defenders"})]
        await asyncio.sleep(round_ * 0.001)  # a different interleaving each round
        sent.append(await double.send_command(other_mod, "fandom follow", {"fandom": "harbor"}))
        replies = await asyncio.gather(*(s.reply() for s in sent))
        assert all("now follows" in r.content for r in replies), [r.content for r in replies]
        listed = await say(double, fan, "fandom list")
        assert "follows 2 of 2" in listed.embeds[0]["description"], f"round {round_}: {listed.embeds[0]['description']}"
        assert (await say(double, fan, "character", {"name": "Mara Quill"})).embeds[0]["title"] == "Mara Quill"
        assert (await say(double, fan, "character", {"name": "Matt Murdock"})).embeds[0]["title"] == "Matt Murdock"


async def test_with_tvmaze_imports_off_fandom_add_offers_nothing_and_names_the_setting(
    double: DiscordDouble, bot: BotProcess
) -> None:
    guild, mod, _ = await guild_following(double, "defenders", "harbor")
    assert await double.autocomplete(mod, "fandom add", {"show": "sever"}, "show") == []  # TVmaze is not even asked
    refused = await say(double, mod, "fandom add", {"show": "1"})
    assert refused.ephemeral and "turned off" in refused.content and "`TVMAZE_IMPORTS`" in refused.content
    with sqlite3.connect(bot.database) as conn:
        assert conn.execute("SELECT count(*) FROM packs WHERE key LIKE 'tvmaze-%'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM guild_fandoms WHERE guild_id = ?", (guild.id,)).fetchone()[0] == 0


async def test_removing_a_pack_in_use_keeps_every_servers_own_data(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    double = fresh_double
    bot = BotProcess(double, tmp_path / "remove", env={"FACT_PACKS": packs_in_horizon(tmp_path / "packs")})
    await bot.start()
    try:
        guild, mod, fan = await guild_following(double, "defenders", "harbor")
        _, chooser, chooser_fan = await guild_following(double, "harbor")  # follows only the pack that goes
        closed = await say(double, mod, "poll ship", {"first": "Mara Quill", "second": "Jonah Pike"})
        await (await double.press(fan, closed, "Yes")).reply()
        poll_id = closed.embeds[0]["footer"]["text"].split("#")[1].split(" ")[0]
        await say(double, mod, "poll close", {"poll": poll_id})
        still_open = await say(double, mod, "poll create", {"question": "Best harbour pub?", "options": "Anchor; Gull"})
        await (await double.press(fan, still_open, "Gull")).reply()
        in_horizon = (datetime.now(UTC) + timedelta(days=25)).strftime("%Y-%m-%d 20:00")
        await say(double, mod, "release set", {"title": "Harbor Lights season 2", "date": in_horizon})
        await say(double, mod, "reminders subscribe", {"channel": guild.channel("premieres"), "offsets": "1d"})
        await say(double, fan, "remindme", {"release": "Harbor Lights season 2"})

        status, out = await bot.db_cli("remove", "harbor", env_file=True)  # DATABASE_URL from .env, as an operator has it
        assert status == 1 and "would remove pack `harbor`" in out and "--yes" in out
        status, out = await bot.db_cli("remove", "harbor", "--yes", env_file=True)
        assert status == 0 and "removed pack `harbor`" in out and "1 server date(s)" in out, out

        async def gone() -> bool:
            return (await say(double, fan, "character", {"name": "Mara Quill"})).ephemeral

        for _ in range(40):  # the running bot notices within seconds, without a restart
            if await gone():
                break
            await asyncio.sleep(0.5)
        assert await gone()
        results = await say(double, fan, "poll results", {"poll": poll_id})
        assert "Mara Quill" in results.text and "1 voter" in results.text
        releases = await say(double, fan, "releases")
        assert "Harbor Lights season 2" in releases.text and "Harbor Lights season 1" not in releases.text
        with sqlite3.connect(bot.database) as conn:
            assert conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 2
            assert conn.execute("SELECT count(*) FROM subscriptions WHERE guild_id = ?", (guild.id,)).fetchone()[0] == 1
            own = conn.execute("SELECT id FROM releases WHERE guild_id = ? AND title = 'Harbor Lights season 2'", (guild.id,)).fetchall()
            assert len(own) == 1
            assert conn.execute("SELECT count(*) FROM personal_reminders WHERE release_id = ?", own[0]).fetchone()[0] == 1
        await eventually(lambda: len(pending_reminders(bot, guild)) == 1, 10, "reminders re-planned for what is left")
        # Item 11: choices made while the pack is away leave its follow alone.
        assert "now follows" in (await say(double, chooser, "fandom follow", {"fandom": "defenders"})).content
        assert "no longer follows" in (await say(double, chooser, "fandom unfollow", {"fandom": "defenders"})).content
        status, out = await bot.db_cli("packs", env_file=True)
        assert status == 0 and "defenders" in out and "harbor" not in out

        # A restart skips the unchanged pack without parsing it, and brings the removed one back.
        await bot.stop()
        await bot.start()
        restarted = bot.log().rsplit("===== start 2 =====", 1)[1]
        assert "pack `defenders`: file unchanged since it was imported; not parsed" in restarted
        assert "pack `harbor`: " in restarted and "rows added" in restarted
        assert (await say(double, fan, "character", {"name": "Mara Quill"})).embeds[0]["title"] == "Mara Quill"
        kept = await say(double, chooser_fan, "character", {"name": "Mara Quill"})
        assert kept.embeds and kept.embeds[0]["title"] == "Mara Quill", f"the follow of the removed pack was lost: {kept.content}"
        assert (await say(double, chooser_fan, "character", {"name": "Matt Murdock"})).ephemeral  # unfollowed meanwhile
    finally:
        await bot.stop()
