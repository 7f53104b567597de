"""The real bot, `python -m bot`, in its own process, pointed at the double."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.double.server import DiscordDouble

# Settings a developer's shell might carry; the bot under test must see only what the test gives it.
_OURS = (
    "DISCORD_TOKEN", "DATABASE_URL", "DISCORD_API_BASE", "DEV_GUILD_ID", "FACT_PACK", "FACT_PACKS", "DEFAULT_FANDOMS",
    "LOG_LEVEL", "SHARD_COUNT", "SHARD_IDS", "IDENTIFY_WINDOW",
)


class BotProcess:
    def __init__(
        self, double: DiscordDouble, workdir: Path, *, env: dict[str, str] | None = None, unset: tuple[str, ...] = (),
        args: tuple[str, ...] = (),
    ) -> None:
        self.double = double
        self.workdir = workdir
        self.database = workdir / "fandex.sqlite3"
        self.extra_env = env or {}
        self.unset = unset  # settings to leave out of the environment, e.g. to read them from .env
        self.args = args  # after `python -m bot`, e.g. ("launch", "--processes", "1")
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.log_path = workdir / "bot.log"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _OURS}
        env |= {
            "DISCORD_TOKEN": self.double.token,
            "DISCORD_API_BASE": self.double.api_base,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
            # The bot keeps the double's window (Discord's is 5 s), so a quick restart waits as little.
            "IDENTIFY_WINDOW": str(max(self.double.sharding.identify_window, 0.01)),
        }
        return {k: v for k, v in (env | self.extra_env).items() if k not in self.unset}

    async def start(self, *, wait: bool = True, timeout: float = 30.0, shards: int = 1) -> None:
        """Start the bot; with `wait`, return once `shards` of its shards identified and got their guilds."""
        sessions_before = len(self.double.sessions)
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        log.write(f"\n===== start {self.starts + 1} =====\n".encode())
        log.flush()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.args, cwd=self.workdir, env=self.environment(),
            stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
        )
        log.close()
        self.starts += 1
        if wait:
            waiter = asyncio.ensure_future(self.double.wait_for_session(timeout, after=sessions_before, shards=shards))
            exited = asyncio.ensure_future(self.process.wait())
            done, _ = await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited in done:
                waiter.cancel()
                raise RuntimeError(f"the bot exited with {self.process.returncode} before connecting:\n{self.log()[-3000:]}")
            exited.cancel()
            await waiter

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Signal the bot and wait for it to exit; returns its exit status. Then check the token stayed secret."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            status = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise
        self.assert_token_secret()
        return status

    def assert_token_secret(self) -> None:
        """The bot token and every interaction token the double issued (each answers as the bot for 15
        minutes) appear in no log line and nowhere in the store: every run of the suite greps."""
        token, log = self.double.token, self.log()
        assert token not in log, f"the bot token leaked into {self.log_path}"
        leaked = [t for t in self.double.by_token if t in log]
        assert not leaked, f"{len(leaked)} interaction token(s) leaked into {self.log_path}, e.g. …{leaked[0][-8:]}"
        for path in self.workdir.glob("fandex.sqlite3*"):
            stored = path.read_bytes()
            assert token.encode() not in stored, f"the bot token leaked into {path}"
            assert not [t for t in self.double.by_token if t.encode() in stored], f"an interaction token leaked into {path}"

    async def exited(self, timeout: float = 30.0) -> int:
        """Wait for a bot that stops on its own (bad settings, a refused shard); its exit status."""
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a crash."""
        await self.stop(signal.SIGKILL)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
