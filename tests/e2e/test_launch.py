"""`python -m bot launch`: the real launcher supervising real bot processes connected to the Discord double."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from pathlib import Path

from tests.double.server import DiscordDouble
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record

LAUNCH_ONE = ("launch", "--processes", "1")


async def run_launcher(cwd: Path, env: dict[str, str], args: tuple[str, ...], timeout: float = 60) -> tuple[int, str, str]:
    """`python -m bot <args>` to its end; its exit status, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def shell_free(**ours: str) -> dict[str, str]:
    """The test's environment without a developer's fandex settings, plus `ours`."""
    prefixes = ("DISCORD_", "DATABASE_URL", "DEV_GUILD", "FACT_PACK", "SHARD_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)} | ours


def child_pids(launcher: BotProcess) -> list[int]:
    """Every child the launcher started, in order, from its "started, pid N" lines."""
    return [int(pid) for pid in re.findall(r"\) started, pid (\d+)", launcher.log())]


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def environment_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode(errors="replace").partition("=")[::2] for p in pairs if p)


async def answers(double: DiscordDouble, who: str) -> str:
    guild = await double.add_guild()
    member = double.add_member(guild, who)
    reply = await (await double.command(member, "character", {"name": "Trish"})).reply()
    return str(reply.embeds[0]["title"])


async def test_a_launched_bot_answers_is_restarted_after_sigkill_and_stops_on_sigterm(
    fresh_double: DiscordDouble, tmp_path: Path
) -> None:
    launcher = BotProcess(fresh_double, tmp_path, args=LAUNCH_ONE)
    await launcher.start()
    assert await answers(fresh_double, "jess") == "Trish Walker"
    log = launcher.log()
    assert "launching 1 process(es) over 1 shard(s) (GET /gateway/bot recommends 1): process 0 (shard 0)" in log
    [first] = child_pids(launcher)
    env = environment_of(first)
    assert (env["SHARD_COUNT"], env["SHARD_IDS"]) == ("1", "0")
    assert "[p0] " in log and "INFO" in log  # the child's own lines, marked with whose they are

    sessions = len(fresh_double.sessions)
    killed_at = time.monotonic()
    os.kill(first, signal.SIGKILL)
    await eventually(lambda: len(child_pids(launcher)) == 2, 15, "the launcher to restart its child")
    assert "process 0 (shard 0) exited with code -9 (SIGKILL); restarting in 1.0 s" in launcher.log()
    await fresh_double.wait_for_session(30, after=sessions)
    record("launch: SIGKILLed child to a new gateway session (s)", time.monotonic() - killed_at)
    assert await answers(fresh_double, "malcolm") == "Trish Walker"
    assert not alive(first) and launcher.running

    stopping = time.monotonic()
    assert await launcher.stop(signal.SIGTERM, timeout=15) == 0
    took = time.monotonic() - stopping
    record("launch: SIGTERM to all stopped (s)", took)
    assert took < 15
    assert not [pid for pid in child_pids(launcher) if alive(pid)]
    log = launcher.log()
    assert "SIGTERM received; stopping 1 process(es)" in log
    assert "[p0] " in log and "store closed" in log  # the child closed cleanly, not killed
    assert "process 0 (shard 0) stopped with code 0" in log


async def test_sigint_stops_the_launch_like_sigterm(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    launcher = BotProcess(fresh_double, tmp_path, args=LAUNCH_ONE, env={"SHARD_COUNT": "1"})
    await launcher.start()
    [child] = child_pids(launcher)
    stopping = time.monotonic()
    assert await launcher.stop(signal.SIGINT, timeout=15) == 0
    record("launch: SIGINT to all stopped (s)", time.monotonic() - stopping)
    assert not alive(child)
    assert "SIGINT received; stopping 1 process(es)" in launcher.log()
    assert "process 0 (shard 0) stopped with code 0" in launcher.log()
    assert "over 1 shard(s) (SHARD_COUNT)" in launcher.log()


async def test_a_child_that_ignores_sigterm_is_killed_and_the_launcher_still_exits_0_within_15_s(
    fresh_double: DiscordDouble, tmp_path: Path
) -> None:
    launcher = BotProcess(fresh_double, tmp_path, args=LAUNCH_ONE, env={"SHARD_COUNT": "1"})
    await launcher.start()
    [child] = child_pids(launcher)
    os.kill(child, signal.SIGSTOP)  # hung: SIGTERM stays pending, only SIGKILL ends it
    stopping = time.monotonic()
    assert await launcher.stop(signal.SIGTERM, timeout=15) == 0
    took = time.monotonic() - stopping
    record("launch: SIGTERM with a hung child, to all stopped (s)", took)
    assert 11 < took < 15
    assert not alive(child)
    log = launcher.log()
    assert "process 0 (shard 0) did not stop within 12 s of SIGTERM; killing it" in log
    assert "process 0 (shard 0) stopped with code -9 (SIGKILL)" in log


async def test_a_second_signal_kills_at_once(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    launcher = BotProcess(fresh_double, tmp_path, args=LAUNCH_ONE, env={"SHARD_COUNT": "1"})
    await launcher.start()
    [child] = child_pids(launcher)
    os.kill(child, signal.SIGSTOP)
    assert launcher.process is not None
    stopping = time.monotonic()
    launcher.process.send_signal(signal.SIGINT)
    await asyncio.sleep(0.5)
    assert await launcher.stop(signal.SIGINT, timeout=5) == 0  # Ctrl-C twice
    assert time.monotonic() - stopping < 3
    assert not alive(child)
    assert "SIGINT received again; killing every process now" in launcher.log()
    assert "process 0 (shard 0) stopped with code -9 (SIGKILL)" in launcher.log()


async def test_more_than_one_process_on_sqlite_is_refused_with_one_line_and_nothing_started(
    fresh_double: DiscordDouble, tmp_path: Path
) -> None:
    env = BotProcess(fresh_double, tmp_path).environment()
    status, out, err = await run_launcher(tmp_path, env, ("launch", "--processes", "2"))
    assert status == 2
    assert err == (
        "fandex: --processes 2 needs PostgreSQL; SQLite serves one process — "
        "set DATABASE_URL=postgresql://… (see README, Scaling out)\n"
    )
    assert out == ""
    assert fresh_double.requests == [] and fresh_double.sessions == []
    assert not list(tmp_path.glob("fandex.sqlite3*"))


async def test_a_bad_process_count_exits_2_with_a_usage_line(tmp_path: Path) -> None:
    status, _, err = await run_launcher(tmp_path, shell_free(), ("launch", "--processes", "0"))
    assert status == 2
    assert err.splitlines() == [
        "usage: python -m bot launch [-h] [--processes N]",
        "python -m bot launch: error: argument --processes: must be a whole number of 1 or more, not '0'",
    ]


async def test_a_child_with_a_configuration_error_stops_the_launch_with_exit_2_without_restarts(
    fresh_double: DiscordDouble, tmp_path: Path
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("format: 1\npack: {id: x, title: X}\nsources: {a: {title: A}}\ncharacters:\n  c: {name: C, source: b}\n")
    env = BotProcess(fresh_double, tmp_path).environment() | {"FACT_PACK": str(pack), "SHARD_COUNT": "1"}
    status, _, err = await run_launcher(tmp_path, env, LAUNCH_ONE)
    assert status == 2
    assert f"[p0]   {pack}:5: characters.c.source: unknown source `b`" in err  # the child's reason, passed through
    assert "process 0 (shard 0) exited with code 2, a configuration error" in err
    assert err.count("started, pid") == 1 and "restarting" not in err
    assert "Traceback" not in err


async def test_an_unreachable_discord_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = shell_free(DISCORD_TOKEN="MTkabc.def.ghi", DISCORD_API_BASE="http://127.0.0.1:9/api/v10", DATABASE_URL=f"sqlite:///{tmp_path}/s.db")
    status, _, err = await run_launcher(tmp_path, env, LAUNCH_ONE)
    assert status == 1
    assert err.startswith("fandex: could not ask Discord how many shards to run (GET http://127.0.0.1:9/api/v10/gateway/bot: ")
    assert err.rstrip().endswith("set SHARD_COUNT to launch without asking") and err.count("\n") == 1
