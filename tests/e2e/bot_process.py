"""The real bot, `python -m bot`, in its own process, pointed at the double and at its store: a SQLite
file in its work folder (the default) or a PostgreSQL database the test made for it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from db.backends.database_url import PostgresTarget, parse_database_url
from db.backends.sql_text import Params
from db.store import Store
from tests.double.server import DiscordDouble

# Settings a developer's shell might carry; the bot under test must see only what the test gives it.
_OURS = (
    "DISCORD_TOKEN", "DATABASE_URL", "DISCORD_API_BASE", "DEV_GUILD_ID", "FACT_PACK", "FACT_PACKS", "DEFAULT_FANDOMS",
    "LOG_LEVEL", "SHARD_COUNT", "SHARD_IDS", "IDENTIFY_WINDOW", "TVMAZE_API_BASE", "TVMAZE_IMPORTS", "TVMAZE_SYNC_HOURS",
    "WIKIDATA_API_BASE", "WIKIDATA_ALIASES", "DOCS_URL", "SUPPORT_URL",
)


class BotProcess:
    def __init__(
        self,
        double: DiscordDouble,
        workdir: Path,
        *,
        env: dict[str, str] | None = None,
        unset: tuple[str, ...] = (),
        database_url: str | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.double = double
        self.workdir = workdir
        self.database = workdir / "fandex.sqlite3"  # the SQLite file, when database_url names none
        self.database_url = database_url or f"sqlite:///{self.database}"
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
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
            # The bot keeps the double's window (Discord's is 5 s), so a quick restart waits as little.
            "IDENTIFY_WINDOW": str(max(self.double.sharding.identify_window, 0.01)),
            # Never the real TVmaze from a test: a closed local port, unless a test starts the TVmaze double.
            "TVMAZE_API_BASE": "http://127.0.0.1:9",
            "WIKIDATA_API_BASE": "http://127.0.0.1:9",  # and never the real Wikidata
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
            raise AssertionError(f"the bot did not exit within {timeout:g} s of {sig.name}; its log ends:\n{self.log()[-4000:]}") from None
        await self.assert_token_secret()
        return status

    async def db_cli(self, *args: str, env_file: bool = False) -> tuple[int, str]:
        """`python -m db ARGS` against this bot's store, as an operator runs it: its exit status and
        output. `env_file`: DATABASE_URL from a `.env` in the bot's folder rather than the environment."""
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if env_file:
            (self.workdir / ".env").write_text(f"DATABASE_URL={self.database_url}\n", encoding="utf-8")
        else:
            env["DATABASE_URL"] = self.database_url
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "db", *args, cwd=self.workdir, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode()

    @property
    def on_postgres(self) -> bool:
        return isinstance(parse_database_url(self.database_url), PostgresTarget)

    async def assert_token_secret(self) -> None:
        """The bot token and every interaction token the double issued (each answers as the bot for 15
        minutes) appear in no log line and nowhere in the store: every run of the suite greps."""
        token, log = self.double.token, self.log()
        assert token not in log, f"the bot token leaked into {self.log_path}"
        leaked = [t for t in self.double.by_token if t in log]
        assert not leaked, f"{len(leaked)} interaction token(s) leaked into {self.log_path}, e.g. …{leaked[0][-8:]}"
        if self.on_postgres:
            stores = [(f"table {table}", text.encode()) for table, text in await self._postgres_tables()]
        else:  # the file's bytes, WAL included: freed pages and unchecked journals too
            stores = [(str(path), path.read_bytes()) for path in self.workdir.glob("fandex.sqlite3*")]
        for where, stored in stores:
            assert token.encode() not in stored, f"the bot token leaked into {where}"
            assert not [t for t in self.double.by_token if t.encode() in stored], f"an interaction token leaked into {where}"

    async def _postgres_tables(self) -> list[tuple[str, str]]:
        """Every table of the bot's PostgreSQL database, each as the text of all its rows."""
        tables = await self.query(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        found = []
        for (table,) in tables:  # a name the catalog quoted, never a value
            rows = await self.query(f"SELECT t::text FROM {table} t")
            found.append((table, "\n".join(row[0] for row in rows)))
        return found

    async def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Rows of the bot's store (see `query_store`)."""
        return await query_store(self.database_url, sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Change the bot's store in one transaction (shared SQL); returns how many rows changed. Compute
        instants in Python (db.facts.instants.to_text): the backends' date functions differ."""
        async with Store.open(self.database_url) as store, store.transaction() as conn:
            return await conn.execute(sql, params)

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


async def query_store(database_url: str, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
    """Rows of a store, in the store's shared SQL (db/backends/sql_text.py), as plain tuples: a test looks inside
    the store the same way on either backend. Instants come back as the store's UTC text."""
    async with Store.open(database_url) as store:
        return [tuple(row) for row in await store.fetch_all(sql, params)]
