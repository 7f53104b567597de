"""Start-up, command sync, settings and shutdown of the real `python -m bot` process."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.double.contract import Contract
from tests.double.gateway import PRIVILEGED_INTENTS
from tests.double.server import DiscordDouble
from tests.e2e.bot_process import BotProcess


async def test_commands_are_synced_once_and_match_discords_spec(
    fresh_double: DiscordDouble, tmp_path: Path, contract: Contract
) -> None:
    bot = BotProcess(fresh_double, tmp_path)
    await bot.start()
    assert [scope for scope, _ in fresh_double.sync_calls] == ["global"]
    names = {c["name"] for c in fresh_double.commands["global"]}
    assert {"character", "series", "about"} <= names
    assert all(len(c["description"]) <= 100 for c in fresh_double.commands["global"])
    assert fresh_double.violations == []  # every body, the sync included, was checked against the spec
    assert await bot.stop() == 0

    await bot.start()  # same store, same commands: no second sync
    assert [scope for scope, _ in fresh_double.sync_calls] == ["global"]
    assert await bot.stop() == 0


async def test_a_dev_guild_gets_its_own_sync(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    guild = await fresh_double.add_guild("Dev")
    bot = BotProcess(fresh_double, tmp_path, env={"DEV_GUILD_ID": str(guild.id)})
    await bot.start()
    assert [scope for scope, _ in fresh_double.sync_calls] == [guild.id]
    member = fresh_double.add_member(guild, "dev")
    record = await fresh_double.command(member, "character", {"name": "Trish"})
    assert record.payload["data"]["guild_id"] == str(guild.id)  # Discord marks guild commands so
    assert (await record.reply()).embeds[0]["title"] == "Trish Walker"
    assert await bot.stop() == 0


async def test_only_the_guilds_intent_and_the_advertised_gateway(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    bot = BotProcess(fresh_double, tmp_path)
    await bot.start()
    session = fresh_double.sessions[-1]
    assert session.intents is not None
    assert session.intents & 1 == 1  # GUILDS
    assert not [name for bit, name in PRIVILEGED_INTENTS.items() if session.intents & bit]
    assert any(r.method == "GET" and r.path == "/api/v10/gateway/bot" for r in fresh_double.requests)
    await bot.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signals_shut_down_cleanly_within_ten_seconds(
    fresh_double: DiscordDouble, tmp_path: Path, sig: signal.Signals
) -> None:
    bot = BotProcess(fresh_double, tmp_path)
    await bot.start()
    started = time.monotonic()
    assert await bot.stop(sig, timeout=10) == 0
    assert time.monotonic() - started < 10
    assert "store closed" in bot.log()
    # A cleanly closed WAL store folds its log back into the file and removes it.
    assert not Path(f"{bot.database}-wal").exists()
    with sqlite3.connect(bot.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def run_bot_cli(cwd: Path, env: dict[str, str], timeout: float = 30) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_URL", "DEV_GUILD", "FACT_PACK"))}
    return env | extra


async def test_a_missing_token_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=\nLOG_LEVEL=INFO\n")  # copied .env.example, token left blank
    status, out, err = await run_bot_cli(tmp_path, clean_env())
    assert status == 2
    assert err.count("\n") == 1 and "DISCORD_TOKEN" in err and ".env.example" in err
    assert "Traceback" not in err + out


async def test_the_token_can_come_from_dotenv(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={fresh_double.token}\nDISCORD_API_BASE={fresh_double.api_base}\n")
    bot = BotProcess(fresh_double, tmp_path, unset=("DISCORD_TOKEN", "DISCORD_API_BASE"))
    await bot.start()
    assert await bot.stop() == 0


async def test_a_rejected_token_exits_2_without_echoing_it(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    wrong = "MTkwrongwrongwrong.abcde.wrongwrongwrongwrongwrongwro"
    status, out, err = await run_bot_cli(
        tmp_path, clean_env(DISCORD_TOKEN=wrong, DISCORD_API_BASE=fresh_double.api_base, DATABASE_URL=f"sqlite:///{tmp_path}/s.db")
    )
    assert status == 2 and "rejected DISCORD_TOKEN" in err
    assert wrong not in out + err and "Traceback" not in err


async def test_the_token_never_reaches_logs_or_the_store(double: DiscordDouble, bot: BotProcess) -> None:
    guild = await double.add_guild()
    member = double.add_member(guild, "matt")
    await (await double.command(member, "character", {"name": "Matt"})).reply()
    await (await double.command(member, "character", {"name": double.token})).reply()  # even when typed
    log = bot.log()
    assert "DEBUG" in log and double.token not in log
    assert double.token.encode() not in bot.database.read_bytes()


async def test_a_bad_fact_pack_is_refused_with_its_locations(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("format: 1\npack: {id: x, title: X}\nsources: {a: {title: A}}\ncharacters:\n  c: {name: C, source: b}\n")
    env = BotProcess(fresh_double, tmp_path).environment() | {"FACT_PACK": str(pack)}
    status, _, err = await run_bot_cli(tmp_path, env)
    assert status == 2
    assert f"{pack}:5: characters.c.source: unknown source `b`" in err
    with sqlite3.connect(tmp_path / "fandex.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM packs").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("hostile", "says"),
    [("format: 1\npack: " + "[" * 900 + "]" * 900, "nested more than 32 levels deep"),
     ("format: 1\npack: {id: x, title: X}\nsources: {a: {title: A, note: " + "9" * 5000 + "}}\n", "numbers in packs have at most")],
    ids=["900 levels deep", "a 5,000-digit number"],
)
async def test_a_hostile_fact_pack_stops_start_up_with_its_problems(
    fresh_double: DiscordDouble, tmp_path: Path, hostile: str, says: str
) -> None:
    pack = tmp_path / "hostile.yaml"
    pack.write_text(hostile)
    env = BotProcess(fresh_double, tmp_path).environment() | {"FACT_PACK": str(pack)}
    status, _, err = await run_bot_cli(tmp_path, env)
    assert status == 2 and f"{pack}:" in err and says in err
    assert "Traceback" not in err


async def test_several_bad_fact_packs_stop_start_up_with_every_problem_of_every_file(
    fresh_double: DiscordDouble, tmp_path: Path
) -> None:
    good = "format: 1\npack: {id: hawkins, title: Hawkins}\nsources: {wiki: {title: A wiki page}}\n"
    files = {
        "typo.yaml": good.replace("hawkins", "typo") + "series:\n  st:\n    title: ST\n    sorce: wiki\n    source: wiki\n"
        "    seasons:\n      - {number: 1, source: wiki, release: [{date: 2016, source: wiki}]}\n",
        "dangling.yaml": good.replace("hawkins", "dangling") + "characters:\n  eleven: {name: Eleven, source: netflix}\n",
        "hawkins.yaml": good,
        "again.yaml": good + "characters:\n  mike: {name: Mike, source: wiki}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    packs = ",".join(str(tmp_path / name) for name in files)
    env = BotProcess(fresh_double, tmp_path).environment() | {"FACT_PACKS": packs}
    status, _, err = await run_bot_cli(tmp_path, env)
    assert status == 2 and "Traceback" not in err
    typo, dangling, hawkins, again = (tmp_path / name for name in files)
    for line in [
        "fandex: the fact packs (FACT_PACKS) cannot be loaded; nothing was imported:",
        f"2 problem(s) in {typo}:",
        f"  {typo}:7: series.st.sorce: unknown key `sorce`; allowed here: title, aliases, kind, platform, description,",
        f'  {typo}:10: series.st.seasons.0.release.0.date: `date: 2016` must be quoted as text: `date: "2016"`',
        f"1 problem(s) in {dangling}:",
        f"  {dangling}:5: characters.eleven.source: unknown source `netflix`; sources are: wiki",
        f"1 problem(s) in {again}:",
        f"  {again}: pack.id: pack id `hawkins` is also the id in {hawkins}",
    ]:
        assert line in err, err
    with sqlite3.connect(tmp_path / "fandex.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM packs").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM characters").fetchone()[0] == 0


async def test_a_community_pack_replaces_the_bundled_one(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "format: 1\npack: {id: hawkins, title: Hawkins}\nsources: {wiki: {title: A wiki page}}\n"
        "characters:\n  eleven: {name: Eleven, actor: Millie Bobby Brown, source: wiki}\n"
    )
    bot = BotProcess(fresh_double, tmp_path, env={"FACT_PACK": str(pack)})
    await bot.start()
    guild = await fresh_double.add_guild()
    member = fresh_double.add_member(guild, "mike")
    reply = await (await fresh_double.command(member, "character", {"name": "millie bobby brown"})).reply()
    assert reply.embeds[0]["title"] == "Eleven"
    await bot.stop()


async def test_sigterm_stops_promptly_even_while_discord_is_unreachable(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    bot = BotProcess(fresh_double, tmp_path)
    await bot.start()
    await fresh_double.close()  # Discord goes away; discord.py backs off between reconnects
    await asyncio.sleep(4)
    started = time.monotonic()
    assert await bot.stop(signal.SIGTERM, timeout=10) == 0
    assert time.monotonic() - started < 10
    assert "store closed" in bot.log()
