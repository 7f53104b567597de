"""An operator's pack that syncs a TVmaze show, across restarts, on both stores.

Editing the pack's file between restarts makes the show due each time, yet the bot keeps exactly one
sync timer; and a pack that syncs a show a server already added adopts that fandom at start-up, with
its followers, releases, polls and reminders.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import bundled_pack_path
from db.facts.instants import to_text
from tests.double.server import DiscordDouble
from tests.double.world import Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.tvmaze_double import TvmazeDouble, serving_catalogue

BACKENDS = ("sqlite", "postgresql")
NOW = datetime.now(UTC).replace(microsecond=0)
OVERLAY = """\
format: 1
pack: {{id: harbor-wiki, title: Harbor Lights (fan wiki)}}
sync: {{tvmaze: 2}}
sources:
  fans: {{title: The fan wiki}}
series:
  harbor-lights: {{title: Harbor Lights, aliases: [{aliases}], source: fans}}
characters:
  mark:
    name: Mark Lead
    aliases: [Lighthouse Keeper]
    source: fans
"""


# What `python -m bot draft tvmaze 1` gives, enriched by hand: TVmaze's own keys for the series and the cast.
SEVERANCE_WIKI = """\
format: 1
pack: {id: severance-wiki, title: Severance (fan wiki)}
sync: {tvmaze: 1}
sources:
  fans: {title: The fan wiki}
series:
  severance: {title: Severance, aliases: [Sev], source: fans}
characters:
  mark-lead:
    name: Mark Lead
    aliases: [Innie Mark]
    source: fans
"""
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD


@pytest.fixture
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        yield double


def synced_bot(double: DiscordDouble, workdir: Path, url: str | None, tvmaze: TvmazeDouble, packs: str) -> BotProcess:
    env = {"TVMAZE_API_BASE": tvmaze.base_url, "FACT_PACKS": packs, "DEFAULT_FANDOMS": "none"}
    return BotProcess(double, workdir, env=env, database_url=url)


async def synced(bot: BotProcess, key: str, timeout: float = 30) -> None:
    """Wait until the sync after start-up has merged the pack's file with TVmaze's show, and planned the next."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await bot.query(
            "SELECT t.show_updated FROM tvmaze_shows t JOIN packs p ON p.id = t.pack_id WHERE p.key = ?", (key,)
        )
        later = await bot.query(
            "SELECT count(*) FROM timers WHERE kind = 'tvmaze_sync' AND state = 'pending' AND due_at > ?",
            (to_text(datetime.now(UTC) + timedelta(hours=11)),),
        )
        if rows and rows[0][0] is not None and later[0][0]:
            return
        assert time.monotonic() < deadline, f"{key} was not synced within {timeout} s:\n{bot.log()[-3000:]}"
        await asyncio.sleep(0.1)


def following(listing: str, key: str) -> bool:
    """Whether `/fandom list` marks the fandom `key` as followed here."""
    return any(line.startswith("✅") for line in listing.splitlines() if f"(`{key}`)" in line)


async def test_restarts_after_the_pack_file_changed_keep_exactly_one_sync_timer(
    fresh_double: DiscordDouble, tvmaze: TvmazeDouble, database_url: str | None, tmp_path: Path
) -> None:
    pack = tmp_path / "harbor-wiki.yaml"
    bot = synced_bot(fresh_double, tmp_path / "bot", database_url, tvmaze, str(pack))
    for start, aliases in enumerate(("HLX", "HLX, Harbor", "HLX, Harbor, The Harbor", "HL2")):
        pack.write_text(OVERLAY.format(aliases=aliases), encoding="utf-8")  # each start finds the file changed
        await bot.start()
        try:
            await synced(bot, "harbor-wiki")
            pending = await bot.query("SELECT due_at FROM timers WHERE kind = 'tvmaze_sync' AND state = 'pending'")
            assert len(pending) == 1, f"start {start + 1}: {len(pending)} pending sync timers: {pending}"
        finally:
            await bot.stop()
    assert bot.log().count("TVmaze sync: 1 fandom(s)") == 4  # one pass per start, not one per timer ever planned


async def test_a_pack_that_syncs_a_show_a_server_added_adopts_its_fandom_at_start_up(
    fresh_double: DiscordDouble, tvmaze: TvmazeDouble, database_url: str | None, tmp_path: Path
) -> None:
    """A server adds a show; the operator then ships a pack that syncs the same show. Start-up adopts the
    fandom under the pack's id, saying so in one log line: the server still follows it, and its releases,
    reminders and polls are the same ones, before and after the sync merges the file."""
    double = fresh_double
    bot = synced_bot(double, tmp_path / "bot", database_url, tvmaze, str(bundled_pack_path()))
    await bot.start()
    try:
        guild = await double.add_guild(channels=("episodes",))
        mod, fan = double.add_member(guild, "mod", permissions=MOD), double.add_member(guild, "fan")
        added = await say(double, mod, "fandom add", {"show": "1"})
        assert "(`tvmaze-1`) is added to this bot" in added.embeds[0]["description"]
        await say(double, mod, "reminders subscribe", {"channel": guild.channel("episodes"), "offsets": "0", "episodes": True})
        await say(double, fan, "remindme", {"release": "Severance S1E05"})
        poll = await say(double, mod, "poll ship", {"first": "Mark Lead", "second": "Helly Second"})
        await (await double.press(fan, poll, "Yes")).reply()
        poll_id = poll.embeds[0]["footer"]["text"].split("#")[1].split(" ")[0]
    finally:
        await bot.stop()
    planned = "SELECT id, kind, delivery_key FROM timers WHERE guild_id = ? AND state = 'pending' ORDER BY id"
    before = await bot.query(planned, (guild.id,))
    assert {row[1] for row in before} >= {"reminder", "remindme"}

    pack = tmp_path / "severance-wiki.yaml"
    pack.write_text(SEVERANCE_WIKI, encoding="utf-8")
    bot.extra_env["FACT_PACKS"] = f"{bundled_pack_path()},{pack}"
    await bot.start()
    try:
        started = bot.log().rsplit("===== start 2 =====", 1)[1]
        said = [line for line in started.splitlines() if " DEBUG " not in line and "tvmaze-1" in line]
        assert len(said) == 1 and "pack `severance-wiki` adopted the fandom `tvmaze-1`" in said[0], said
        assert "Traceback" not in started
        listed = await say(double, mod, "fandom list")
        assert following(listed.text, "severance-wiki") and "tvmaze-1" not in listed.text
        assert await bot.query(planned, (guild.id,)) == before  # the same reminders, not cancelled and planned anew
        await synced(bot, "severance-wiki")
        assert "✅ **Severance (fan wiki)** (`severance-wiki`)" in (await say(double, mod, "fandom list")).text  # merged
        mark = await say(double, fan, "character", {"name": "Innie Mark"})  # the file's alias, merged by the sync
        assert mark.embeds[0]["title"] == "Mark Lead" and "Ada Actor" in mark.text
        assert "Severance S1E05" in (await say(double, fan, "countdown", {"release": "Severance S1E05"})).text
        assert await bot.query(planned, (guild.id,)) == before
        results = await say(double, fan, "poll results", {"poll": poll_id})
        assert "Mark Lead" in results.text and "1 voter" in results.text
        info = await say(double, fan, "ship info", {"first": "Mark Lead", "second": "Helly Second"})
        assert "1 poll" in info.text, info.text
    finally:
        await bot.stop()
