"""Crash safety under SIGKILL: no confirmed vote lost, no reminder posted twice, no half-done store —
on SQLite and on PostgreSQL (a migration killed mid-way is tested on each backend's own runner)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.double.interactions import InteractionTimeout
from tests.double.server import DiscordDouble
from tests.double.world import FakeMember, FakeMessage, Permissions
from tests.e2e.bot_process import BotProcess, query_store
from tests.e2e.waiting import eventually
from tests.figures import record

pytestmark = pytest.mark.slow
BACKENDS = ("sqlite", "postgresql")  # the same tests on each store (tests/e2e/conftest.py)


async def killer(bot: BotProcess, kills: int, first_after: float, every: tuple[float, float], downtime: float, rng: random.Random) -> int:
    """SIGKILL the bot `kills` times at random moments, restarting it after `downtime` each time."""
    await asyncio.sleep(first_after)
    for _ in range(kills):
        await bot.kill()
        await asyncio.sleep(downtime)
        await bot.start()
        await asyncio.sleep(rng.uniform(*every))
    return kills


async def press_until_answered(double: DiscordDouble, who: FakeMember, poll: FakeMessage, option: str) -> str | None:
    """One member's press; returns the confirmation, or None if none ever reached Discord."""
    for _ in range(50):  # while the bot is down there is no gateway: the member tries again
        try:
            sent = await double.send_press(who, poll, option)
        except ConnectionError:
            await asyncio.sleep(0.2)
            continue
        try:
            return (await sent.reply(timeout=6)).content
        except InteractionTimeout:
            return None  # the bot died holding it: never confirmed
    return None


async def test_a_vote_storm_under_repeated_sigkill_loses_no_confirmed_vote(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    rng = random.Random(2026)
    bot = BotProcess(fresh_double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await fresh_double.add_guild()
    creator = fresh_double.add_member(guild, "creator")
    labels = ["Daredevil", "Jessica Jones", "Luke Cage", "Iron Fist"]
    poll = await (
        await fresh_double.command(
            creator, "poll create", {"question": "Who leads the Defenders?", "options": "; ".join(labels), "duration": "2h"}
        )
    ).reply()
    members = [fresh_double.add_member(guild, f"voter{i}") for i in range(500)]
    plans = {m.id: [rng.choice(labels) for _ in range(4)] for m in members}  # 2,000 presses
    outcomes: dict[int, list[tuple[str, bool]]] = {m.id: [] for m in members}
    slots = asyncio.Semaphore(100)

    async def member_votes(member: FakeMember) -> None:
        for option in plans[member.id]:
            async with slots:
                confirmation = await press_until_answered(fresh_double, member, poll, option)
            confirmed = confirmation is not None and confirmation.startswith(f"Your vote: **{option}**")
            outcomes[member.id].append((option, confirmed))

    started = time.monotonic()
    kills = asyncio.create_task(killer(bot, 3, 1.0, (1.5, 2.5), 0.3, rng))
    await asyncio.gather(*(member_votes(m) for m in members))
    killed = await kills
    elapsed = time.monotonic() - started

    stored = dict(await bot.query("SELECT user_id, position FROM votes WHERE poll_id = 1"))
    [(rows, distinct)] = await bot.query("SELECT count(*), count(DISTINCT user_id) FROM votes WHERE poll_id = 1")
    lost = []
    for member in members:
        presses = outcomes[member.id]
        confirmed_at = [i for i, (_, ok) in enumerate(presses) if ok]
        if not confirmed_at:
            continue
        last = confirmed_at[-1]
        allowed = {labels.index(presses[last][0])} | {labels.index(o) for o, _ in presses[last + 1 :]}
        if stored.get(member.id) not in allowed:
            lost.append(member.id)
    confirmed = sum(ok for presses in outcomes.values() for _, ok in presses)
    record("vote storm: presses sent", sum(len(p) for p in outcomes.values()))
    record("vote storm: presses confirmed", confirmed)
    record("vote storm: SIGKILLs during it", killed)
    record("vote storm: confirmed votes lost", len(lost))
    record("vote storm: seconds", elapsed)
    assert sum(len(p) for p in outcomes.values()) >= 2000 and killed >= 3
    assert confirmed > 1500
    assert lost == []  # every confirmed vote is in the store
    assert rows == distinct  # nobody counted twice

    # The message's tally follows the store: one more vote after the storm, and the edit shows them all.
    counts = Counter(stored.values())
    latecomer = fresh_double.add_member(guild, "latecomer")
    await (await fresh_double.press(latecomer, poll, labels[0])).reply()
    counts[0] += 1
    expected = [f"{label} — {counts.get(i, 0)} vote" for i, label in enumerate(labels)]
    await eventually(lambda: all(e in poll.embeds[0]["fields"][0]["value"] for e in expected), 10, "the final tally")
    await bot.stop()


async def test_reminders_across_repeated_sigkill_are_each_posted_exactly_once(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    rng = random.Random(17)
    bot = BotProcess(fresh_double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await fresh_double.add_guild(channels=("general", "premieres", "spoilers"))
    mod = fresh_double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
    for name in ("premieres", "spoilers"):
        await (await fresh_double.command(mod, "reminders subscribe", {"channel": guild.channel(name), "offsets": "3s,0"})).reply()
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
    titles = [f"Storm {i:02d}" for i in range(25)]
    for i, title in enumerate(titles):
        moment = base + timedelta(seconds=i)
        await (await fresh_double.command(mod, "release set", {"title": title, "date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})).reply()
    due = 2 * 25 * 2  # two channels × 25 releases × two offsets
    kills = asyncio.create_task(killer(bot, 4, 8.0, (3.0, 6.0), 1.0, rng))
    posted = lambda: [m for m in fresh_double.messages.values() if m.interaction_id is None and "Storm" in m.content]  # noqa: E731
    await eventually(lambda: len(posted()) >= due, 90, f"all {due} reminders")
    killed = await kills
    await asyncio.sleep(3)
    keys = Counter((m.channel_id, m.content.split("**")[1], "⏰" in m.content) for m in posted())
    twice = sum(n - 1 for n in keys.values() if n > 1)
    record("reminder storm: reminders due", due)
    record("reminder storm: reminders posted", len(posted()))
    record("reminder storm: SIGKILLs during it", killed)
    record("reminder storm: reminders posted twice", twice)
    record("reminder storm: Discord nonce repeats absorbed", fresh_double.nonce_repeats)
    assert killed >= 3 and len(keys) == due and twice == 0
    await bot.stop()


BIG_PACK_CHARACTERS = 3000


def write_big_pack(path: Path) -> None:
    lines = [
        "format: 1",
        "pack: {id: big, title: Big}",
        "sources: {s: {title: S}}",
        "series:",
        "  show: {title: Show, source: s, seasons: [{number: 1, source: s}]}",
        "characters:",
    ]
    for i in range(BIG_PACK_CHARACTERS):
        lines.append(
            f"  c{i}: {{name: Person {i}, actor: Actor {i}, aliases: [Alias {i}, Nick {i}], source: s, "
            f"appearances: [{{series: show, seasons: [1]}}]}}"
        )
    path.write_text("\n".join(lines) + "\n")


async def run_db(args: list[str], database_url: str, kill_after: float | None) -> int | None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "db",
        "--database-url",
        database_url,
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    if kill_after is not None:
        await asyncio.sleep(kill_after)
        if process.returncode is None:
            process.kill()
    return await process.wait()


async def test_a_kill_during_a_pack_import_leaves_the_store_before_or_after_never_between(
    tmp_path: Path, database_url: str | None
) -> None:
    pack = tmp_path / "big.yaml"
    write_big_pack(pack)
    db = tmp_path / "store.sqlite3"
    url = database_url or f"sqlite:///{db}"
    from db import bundled_pack_path

    assert await run_db(["import", str(bundled_pack_path())], url, None) == 0
    outcomes: Counter[str] = Counter()
    for delay in (0.4, 0.7, 1.0, 1.3, 1.6, 1.9, 2.2, 2.5):
        status = await run_db(["import", str(pack)], url, delay)
        if database_url is None:  # the file itself, page by page
            with sqlite3.connect(db) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        [(big, names, defenders)] = await query_store(
            url,
            """SELECT (SELECT count(*) FROM characters c JOIN packs p ON p.id = c.pack_id WHERE p.key = 'big'),
                      (SELECT count(*) FROM character_names n JOIN packs p ON p.id = n.pack_id WHERE p.key = 'big'),
                      (SELECT count(*) FROM characters c JOIN packs p ON p.id = c.pack_id WHERE p.key = 'defenders')""",
        )
        assert (big, names) in ((0, 0), (BIG_PACK_CHARACTERS, 2 * BIG_PACK_CHARACTERS)), (delay, status, big, names)
        assert defenders == 23
        outcomes["complete" if big else "untouched"] += 1
        if big:
            break
    record("pack import killed mid-way: store untouched", outcomes["untouched"])
    record("pack import killed mid-way: store half-done", 0)
    assert outcomes["untouched"] >= 1


SLOW_MIGRATIONS = """
import asyncio, sys
import aiosqlite
from db.migrations import Migration
from db.backends.sqlite import apply_migrations

async def main():
    conn = await aiosqlite.connect(sys.argv[1], isolation_level=None)
    await conn.execute("PRAGMA journal_mode = WAL")
    first = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    slow = Migration(2, "0002_b.sql",
        "CREATE TABLE b (x INTEGER);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000000000) INSERT INTO b SELECT i FROM n;")
    await apply_migrations(conn, [first, slow])
    await conn.close()

asyncio.run(main())
"""


def _user_version(db: Path) -> int:
    """The migration version a reader sees (WAL: committed ones only); 0 before the file exists."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=0.1) as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.OperationalError:  # the writer is switching the file to WAL
        return 0


async def test_a_kill_during_a_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    db = tmp_path / "migrating.sqlite3"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", SLOW_MIGRATIONS, str(db))
    # 0002 would run for hours, so the kill always lands inside it: wait until 0001 is recorded, then a
    # little longer so 0002 is well under way (a fixed sleep raced a fast machine finishing 0002 first).
    deadline = asyncio.get_running_loop().time() + 30
    while _user_version(db) < 1:
        assert asyncio.get_running_loop().time() < deadline, "0001 was never recorded"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    assert process.returncode is None  # still migrating
    process.kill()
    await process.wait()
    with sqlite3.connect(db) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert version == 1 and tables == {"a"}  # 0002 neither half-applied nor recorded


SLOW_POSTGRES_MIGRATIONS = """
import asyncio, sys
import asyncpg
from db.migrations import Migration
from db.backends.postgres import _apply

async def main():
    conn = await asyncpg.connect(sys.argv[1])
    first = Migration(1, "0001_a.postgresql.sql", "CREATE TABLE a (x BIGINT);")
    slow = Migration(2, "0002_b.postgresql.sql", "CREATE TABLE b (x BIGINT); INSERT INTO b SELECT 1 FROM pg_sleep(60);")
    await _apply(conn, [first, slow])

asyncio.run(main())
"""

MIGRATING = (  # 0002's statement runs on the server (this query's own text excluded)
    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
    "AND query LIKE '%FROM pg_sleep(60)%' AND pid <> pg_backend_pid()"
)


async def test_a_kill_during_a_postgresql_migration_leaves_the_previous_version(postgres_databases) -> None:
    """The PostgreSQL runner (db/backends/postgres.py): one transaction per migration, its version with it."""
    url = await postgres_databases.fresh(migrated=False)
    try:
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", SLOW_POSTGRES_MIGRATIONS, url)
        deadline = time.monotonic() + 30
        while not await query_store(url, MIGRATING):
            assert process.returncode is None and time.monotonic() < deadline, "0002 never started"
            await asyncio.sleep(0.1)
        process.kill()
        await process.wait()
        [(version,)] = await query_store(url, "SELECT max(version) FROM fandex_schema")
        tables = {r[0] for r in await query_store(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
        assert version == 1 and tables == {"a", "fandex_schema"}  # 0002 neither half-applied nor recorded
    finally:
        await postgres_databases.drop(url)
