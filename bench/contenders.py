"""The two processes a benchmark compares: the floor (a bare discord.py bot) and fandex itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.double.server import DiscordDouble

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REPO = Path(__file__).resolve().parents[1]
PROFILE_DIR = "BENCH_PROFILE_DIR"  # set by `python -m bench --profile DIR` for its scenario processes


@dataclass
class Contender:
    """`python -m <module>` started against a double, with its own working directory and store."""

    name: str
    module: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    profiler: asyncio.subprocess.Process | None = None
    started_at: float = 0.0

    @property
    def database(self) -> Path:
        return self.workdir / "fandex.sqlite3"

    @property
    def store(self) -> Path | str:
        """Where its store is: the DATABASE_URL it was given (PostgreSQL), else its SQLite file."""
        return self.env.get("DATABASE_URL", self.database)

    async def start(self, double: DiscordDouble, *, wait: bool = True, timeout: float = 120.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_URL", "FACT_PACK", "DEV_GUILD", "SHARD_"))}
        env |= {
            "DISCORD_TOKEN": double.token,
            "DISCORD_API_BASE": double.api_base,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),  # the floor bot lives in bench/, which is not installed
            "IDENTIFY_WINDOW": str(max(double.sharding.identify_window, 0.01)),  # the double's, as on Discord
        } | self.env
        sessions = len(double.sessions)
        log = (self.workdir / f"{self.name}.log").open("ab")
        self.started_at = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.module, cwd=self.workdir, env=env, stdout=log, stderr=log,
        )
        log.close()
        if os.environ.get(PROFILE_DIR):
            await self._attach_profiler(Path(os.environ[PROFILE_DIR]))
        if wait:
            await double.wait_for_session(timeout, after=sessions)

    async def _attach_profiler(self, directory: Path) -> None:
        """py-spy sampling this process from outside, so the figures' own code paths stay untouched;
        it writes a speedscope file when the process exits."""
        assert self.process is not None
        directory.mkdir(parents=True, exist_ok=True)
        output = directory / f"{self.workdir.parent.name}-{self.name}-{self.process.pid}.speedscope.json"
        self.profiler = await asyncio.create_subprocess_exec(
            Path(sys.executable).with_name("py-spy"), "record", "--pid", str(self.process.pid), "--rate", "250",
            "--format", "speedscope", "--output", str(output), "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self.profiler is not None:
            await asyncio.wait_for(self.profiler.wait(), 30)
            self.profiler = None

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far, from /proc."""
        assert self.process is not None
        return self.cpu_of(self.process.pid)

    @staticmethod
    def cpu_of(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_bytes(self) -> int:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")


@contextlib.asynccontextmanager
async def side_by_side(double: DiscordDouble, *contenders: Contender) -> AsyncIterator[None]:
    """All of them running at once, for figures one process cannot skew in another (idle CPU, RSS)."""
    try:
        for contender in contenders:
            await contender.start(double)
        yield
    finally:
        for contender in contenders:
            await contender.stop()


def floor(workdir: Path) -> Contender:
    return Contender("floor", "bench.floor_bot", workdir / "floor")


def fandex(workdir: Path, **env: str) -> Contender:
    return Contender("fandex", "bot", workdir / "fandex", dict(env))
