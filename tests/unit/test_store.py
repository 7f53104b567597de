"""The store file: pragmas, numbered migrations in one transaction each, the version kept in the file."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from db import Store
from db.backends.database_url import DatabaseUrlError, PostgresTarget, parse_database_url, sqlite_path
from db.backends.protocol import Plan, Statement
from db.backends.sqlite import READER_CACHE_KIB, IncompatibleDriver, apply_migrations, check_worker_hook, connect, schema_version
from db.migrations import Migration, MigrationError, bundled_migrations


async def test_open_sets_wal_foreign_keys_and_busy_timeout(sqlite_store: Store) -> None:
    assert await sqlite_store.fetch_value("PRAGMA journal_mode") == "wal"
    assert await sqlite_store.fetch_value("PRAGMA foreign_keys") == 1
    assert await sqlite_store.fetch_value("PRAGMA busy_timeout") == 5000


async def test_migrations_are_numbered_and_recorded(store: Store) -> None:
    migrations = bundled_migrations(store.dialect)
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    recorded = "PRAGMA user_version" if store.dialect == "sqlite" else "SELECT max(version) FROM fandex_schema"
    assert await store.fetch_value(recorded) == migrations[-1].version
    assert await store.migrate() == migrations[-1].version  # a second run applies nothing


def test_both_backends_have_every_migration() -> None:
    """A step written for one dialect only would leave the other behind."""
    sqlite, postgresql = bundled_migrations("sqlite"), bundled_migrations("postgresql")
    assert [m.version for m in sqlite] == [m.version for m in postgresql]
    assert [m.name.split(".")[0] for m in sqlite] == [m.name.split(".")[0] for m in postgresql]


async def test_a_failing_migration_leaves_the_last_complete_version(tmp_path: Path) -> None:
    async with Store.open(tmp_path / "s.sqlite3") as store:
        conn = store.backend.raw_writer  # type: ignore[attr-defined]  # the SQLite runner works on the raw connection
        good = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
        bad = Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")
        with pytest.raises(MigrationError, match=r"0002_b\.sql"):
            await apply_migrations(conn, [good, bad])
        assert await schema_version(conn) == 1
        tables = {r[0] for r in await store.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "a" in tables and "b" not in tables


async def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    async with Store.open(tmp_path / "s.sqlite3") as store:
        await store.backend.raw_writer.execute("PRAGMA user_version = 999")  # type: ignore[attr-defined]  # SQLite only
        with pytest.raises(MigrationError, match="newer"):
            await store.migrate()


async def test_the_store_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "fandex.sqlite3"
    async with Store.open(path) as store:
        await store.migrate()
    assert path.exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [("sqlite:///data/fandex.sqlite3", Path("data/fandex.sqlite3")), ("sqlite:////var/lib/f.db", Path("/var/lib/f.db"))],
)
def test_database_urls(url: str, expected: Path) -> None:
    assert sqlite_path(url) == expected


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://relative", "sqlite:///", "data/fandex.sqlite3", "postgresql://host"])
def test_unsupported_database_urls_name_the_accepted_forms(url: str) -> None:
    with pytest.raises(DatabaseUrlError, match=r"sqlite:///relative/path.*postgresql://user:password@host:port/dbname"):
        parse_database_url(url)


@pytest.mark.parametrize("url", ["postgresql://fan:s3cret@db.example:5433/fandex", "postgres://fan:s3cret@db.example:5433/fandex"])
def test_postgres_urls_and_their_description_without_the_password(url: str) -> None:
    target = parse_database_url(url)
    assert isinstance(target, PostgresTarget) and target.dsn == url
    assert "s3cret" not in target.describe() and "fan@db.example:5433/fandex" in target.describe()


async def test_meta_values_round_trip(store: Store) -> None:
    assert await store.meta.get("k") is None
    await store.meta.set("k", "1")
    await store.meta.set("k", "2")
    assert await store.meta.get("k") == "2"


async def test_a_plan_commits_or_rolls_back_as_one_transaction(store: Store) -> None:
    def write() -> Plan[str]:
        yield Statement("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "1"))
        rows = yield Statement("SELECT value FROM meta WHERE key = ANY(?)", (["a", "z"],))
        return f"done: {[r[0] for r in rows]}"

    def fail() -> Plan[None]:
        yield Statement("INSERT INTO meta (key, value) VALUES (?, ?)", ("b", "2"))
        raise ValueError("boom")

    assert await store.run_plan(write) == "done: ['1']"
    with pytest.raises(ValueError, match="boom"):
        await store.run_plan(fail)
    assert await store.meta.get("a") == "1" and await store.meta.get("b") is None


async def test_a_cancellation_during_begin_leaves_no_transaction_open(store: Store) -> None:
    """A task cancelled while its BEGIN IMMEDIATE is on the database thread must not leave the
    connection inside a transaction: every later write would fail."""
    for yields in range(6):  # cancel at each point the writing task can be suspended
        writing = asyncio.create_task(store.meta.set("interrupted", str(yields)))
        for _ in range(yields):
            await asyncio.sleep(0)
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing
        await store.meta.set("after", str(yields))
        assert await store.meta.get("after") == str(yields)


async def test_a_use_case_is_one_transaction_all_or_nothing(store: Store) -> None:
    """Repository writes inside `transaction()` join it: they commit together or not at all."""

    async def move_then_fail() -> None:
        async with store.transaction():
            await store.meta.set("release", "moved")
            await store.meta.set("timers", "re-planned")
            assert await store.meta.get("release") == "moved"  # the use case reads its own writes
            raise RuntimeError("the re-plan failed")

    with pytest.raises(RuntimeError, match="re-plan failed"):
        await asyncio.wait_for(move_then_fail(), 5)
    assert await store.meta.get("release") is None and await store.meta.get("timers") is None
    async with store.transaction():
        await store.meta.set("release", "moved")
        await store.meta.set("timers", "re-planned")
    assert (await store.meta.get("release"), await store.meta.get("timers")) == ("moved", "re-planned")


async def test_readers_never_see_a_write_before_it_commits(store: Store) -> None:
    """A use case's half-done writes are invisible to everyone else (e.g. a /countdown meanwhile)."""
    written, release = asyncio.Event(), asyncio.Event()

    async def slow_use_case() -> None:
        async with store.transaction():
            await store.meta.set("k", "uncommitted")
            written.set()
            await release.wait()

    task = asyncio.create_task(slow_use_case())
    await asyncio.wait_for(written.wait(), 5)
    assert await store.meta.get("k") is None
    release.set()
    await task
    assert await store.meta.get("k") == "uncommitted"


async def test_an_aiosqlite_without_the_worker_hook_is_refused_with_what_to_install(sqlite_store: Store) -> None:
    await check_worker_hook(sqlite_store.backend.raw_writer)  # type: ignore[attr-defined]  # the installed one passes
    with pytest.raises(IncompatibleDriver, match=r"install aiosqlite>=0\.20,<0\.23"):
        await check_worker_hook(object())  # type: ignore[arg-type]  # what a release without the hook looks like


async def test_a_deployment_lock_is_never_waited_for_inside_a_transaction(store: Store) -> None:
    """Waiting for it while holding the transaction's connection could wait on its own holder: refused."""
    async with store.transaction():
        with pytest.raises(RuntimeError, match="inside a transaction"):
            async with store.deployment_lock("start-up"):
                pass
    async with store.deployment_lock("start-up"), store.transaction() as conn:  # the right order
        await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    assert await store.meta.get("k") == "v"


async def test_the_read_connection_keeps_a_small_page_cache(tmp_path: Path) -> None:
    """The reader's SQLite cache is capped (it held the pages of the whole facts build for a process's
    life); the writer keeps SQLite's default for imports."""
    reader = await connect(tmp_path / "s.sqlite3", read_only=True)
    writer = await connect(tmp_path / "s.sqlite3")
    try:
        sizes: list[int] = []
        for conn in (reader, writer):
            async with conn.execute("PRAGMA cache_size") as cur:
                sizes += [row[0] for row in await cur.fetchall()]
        assert sizes == [-READER_CACHE_KIB, -2000]
    finally:
        await reader.close()
        await writer.close()
