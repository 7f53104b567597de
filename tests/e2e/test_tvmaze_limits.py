"""TVmaze's answers and TVmaze's rate limit, end to end: the real bot against a TVmaze double that is
slow (0.1 s an answer) and limits calls as TVmaze does (20 in any 10 s, then 429).

A show whose answer never ends is refused with a clear reply once the bot has read its limit, nothing
is imported or cached, and the bot's memory stays flat. Sixty quick autocomplete keystrokes do not
hold up the `/fandom add` that follows, and most of them never reach TVmaze.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, Permissions
from tests.e2e.bot_process import BotProcess
from tests.figures import record
from tests.tvmaze_double import HugeBody, TvmazeDouble, serving_catalogue

MB = 1024 * 1024
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
TYPED = "harborlightsandthelongsagaofthelighthousekeeperwhonevertalks"  # 60 keystrokes, 60 different queries


@pytest.fixture(scope="module")
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue() as double:
        double.delay, double.rate_limit = 0.1, (20, 10.0)
        yield double


@pytest.fixture(scope="module")
async def bot(double: DiscordDouble, tvmaze: TvmazeDouble, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    env = {"DEFAULT_FANDOMS": "none", "TVMAZE_API_BASE": tvmaze.base_url}
    process = BotProcess(double, tmp_path_factory.mktemp("tvmaze-limits"), env=env)
    await process.start()
    yield process
    if process.running:
        await process.stop()


async def moderator(double: DiscordDouble) -> FakeMember:
    return double.add_member(await double.add_guild(), "mod", permissions=MOD)


def packs_in(bot: BotProcess) -> set[str]:
    with sqlite3.connect(bot.database) as conn:
        return {row[0] for row in conn.execute("SELECT key FROM packs")}


def memory_kib(pid: int, field: str) -> int:
    """`VmRSS` (resident now) or `VmHWM` (the peak since start, or since `reset_peak`) of a process."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith(f"{field}:"))
    return int(line.split()[1])


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # Linux: VmHWM starts again from VmRSS


async def test_a_show_whose_answer_never_ends_is_refused_clearly_and_nothing_is_imported_or_cached(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    mod = await moderator(double)
    tvmaze.huge["/shows/7"] = HugeBody(256 * MB)  # chunked: no Content-Length to refuse it by
    assert bot.process is not None
    pid = bot.process.pid
    reset_peak(pid)
    before = memory_kib(pid, "VmRSS")
    refused = await (await double.command(mod, "fandom add", {"show": "7"})).reply(timeout=60)
    grown_mb = (memory_kib(pid, "VmHWM") - before) / 1024
    record("RSS growth of the bot refusing a 256 MB TVmaze answer (MiB)", grown_mb)
    assert refused.ephemeral
    assert refused.content == ("Could not add the show: TVmaze sent more than 32 MB for show 7, more than fandex accepts. "
                               "Nothing was changed.")
    assert grown_mb < 96  # the bot read at most its 32 MB limit of the 256 MB
    assert tvmaze.streamed["/shows/7"] < 96 * MB
    assert "tvmaze-7" not in packs_in(bot)
    again = await (await double.command(mod, "fandom add", {"show": "7"})).reply(timeout=60)
    assert again.content == refused.content
    assert tvmaze.requests["/shows/7"] == 2  # asked again: the refused answer was not cached
    assert "Something went wrong" not in bot.log()[-5000:] and "Traceback" not in bot.log()


async def test_an_add_after_sixty_quick_keystrokes_is_answered_at_once(
    double: DiscordDouble, bot: BotProcess, tvmaze: TvmazeDouble
) -> None:
    mod = await moderator(double)
    searched = tvmaze.requests["/search/shows"]
    keystrokes = []
    for end in range(1, len(TYPED) + 1):
        keystrokes.append(await double.send_autocomplete(mod, "fandom add", {"show": TYPED[:end]}, "show"))
        await asyncio.sleep(0.02)
    started = time.monotonic()
    added = await (await double.command(mod, "fandom add", {"show": "2"})).reply(timeout=60)
    waited = time.monotonic() - started
    record("/fandom add right after 60 autocomplete keystrokes: reply (s)", waited)
    assert "Harbor Lights" in added.text and "added to this bot and followed here" in added.text
    sent = tvmaze.requests["/search/shows"] - searched
    record("TVmaze searches sent for 60 autocomplete keystrokes", sent)
    assert waited < 3.0
    assert sent <= 15  # the searches' share of TVmaze's 20 calls in 10 s
    for keystroke in keystrokes:  # every keystroke was answered in Discord's time, from TVmaze or from the cache
        await keystroke.acked()
        assert keystroke.choices is not None and not keystroke.rejected_callbacks
