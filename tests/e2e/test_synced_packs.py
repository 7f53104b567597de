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

from db.instants import to_text
from tests.double.server import DiscordDouble
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
