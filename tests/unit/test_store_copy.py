"""`python -m db copy`: a whole store moved between SQLite and PostgreSQL, row for row, ids kept.

Real stores on both sides: a SQLite file filled through the store's own API, a fresh database on the
test PostgreSQL server. After the copy the target is compared table by table and then used.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from db import Store, bundled_pack_path
from db.backends.copy import TABLES, CopyError, copy_store, copy_urls
from db.backends.database_url import PostgresTarget, StoreUnavailable
from db.facts.dates import parse_partial_date
from db.migrations import MigrationError
from db.packs.check import check_pack_text
from db.repos.events.made import MadeEvent
from db.repos.events.settings import EventSeries
from db.repos.packs.wikidata import WikidataName
from db.repos.polls import NewPoll, PollOption
from db.repos.timers import TimerSpec, TimerState
from db.repos.viewers.progress import StoredProgress
from db.repos.viewers.reach import StoredReach
from db.repos.votes import VoteOutcome
from db.repos.watchalong.settings import WatchAlong
from tests.conftest import PostgresDatabases

HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"
WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
NOW = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
GUILD = 1_184_000_000_000_000_001  # snowflake-sized: 64-bit integers survive both ways
Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Filled:
    """Ids of what `fill` made, to find it again in the target."""

    open_poll: int
    closed_poll: int
    own_release: int
    character: int


async def fill(store: Store) -> Filled:
    """Every kind of data a running bot keeps: packs, a guild's own dates, reminders, polls, timers, follows."""
    await store.packs.import_file(bundled_pack_path())
    await store.packs.import_file(HARBOR)  # ships, ship names, recasts
    await store.meta.set("command_hash", "3f2a")
    # episodes and specials, one with TVmaze's rating (a REAL column: a float copied exactly)
    await store.packs.import_checked(check_pack_text(WEEKLY.read_text().replace("runtime: 57,", "runtime: 57, rating: 8.3,"),
                                                     str(WEEKLY)))
    spoilers = HARBOR.parent / "spoilers.yaml"  # since: and events:, and a pack's own prominence
    await store.packs.import_checked(check_pack_text(
        spoilers.read_text().replace("    name: Ada Vale\n", "    name: Ada Vale\n    prominence: 7\n", 1), str(spoilers)
    ))
    # A TVmaze-synced fandom's state: synced, refreshed by a moderator, then failed once.
    await store.tvmaze_shows.register("weekly", 44778, overlay="format: 1", show_updated=1_700_000_000, now=NOW)
    assert await store.tvmaze_shows.take_refresh("weekly", NOW) is None
    await store.tvmaze_shows.mark_failed("weekly", "TVmaze did not answer", NOW)
    # What Wikidata gave for that show (its names are matched again at each import).
    await store.wikidata_names.save(44778, "Q1", (WikidataName("Q2", "character", "alias", "Ned", "en"),), NOW)
    assert await store.identify_turns.take(1, NOW, timedelta(seconds=5)) is None
    await store.guild_settings.set_timezone(GUILD, "Europe/Paris", NOW)
    await store.fandoms.set_following(GUILD, frozenset({"defenders", "harbor"}), 7, NOW)
    pack_release = (await store.releases.visible(GUILD))[0]
    await store.release_writer.set_date(
        GUILD, pack_release.title, parse_partial_date("2031-06-01 20:00", "Europe/Paris"), 7, NOW, pack_release.id
    )
    own = await store.release_writer.set_date(GUILD, "Watch party", parse_partial_date("summer 2031"), 7, NOW, None)
    await store.subscriptions.upsert(GUILD, 555, 666, (86_400, 3_600), 7, NOW)
    await store.subscriptions.upsert(GUILD, 556, None, (3_600,), 7, NOW)
    await store.personal_reminders.add(GUILD, 42, own, NOW)
    await store.personal_reminders.add(None, 42, pack_release.id, NOW)
    a_series = (await store.series.summaries(GUILD))[0].id
    await store.viewer_progress.set(42, StoredProgress(a_series, 2, 5), NOW)
    await store.spoiler_reach.set(GUILD, StoredReach(a_series, None, "aired", 86_400), 7, NOW)
    await store.spoiler_reach.set(GUILD, StoredReach(a_series, 555, "episode", 604_800, 1, 3), 7, NOW)
    await store.watchalongs.set(WatchAlong(GUILD, a_series, 555, 666, True, 7, 7, NOW))
    await store.watchalong_threads.plan(GUILD, pack_release.id, 555, NOW, NOW + timedelta(days=7))
    assert await store.watchalong_threads.claim(GUILD, pack_release.id, NOW)
    await store.watchalong_threads.record_posted(GUILD, pack_release.id, 9_100, 9_100)
    await store.watchalong_threads.plan(GUILD, own, 556, NOW, NOW + timedelta(days=1))
    assert await store.watchalong_threads.claim(GUILD, own, NOW)
    assert await store.watchalong_threads.mark_closed(GUILD, own, NOW + timedelta(days=1))
    assert await store.episode_ratings.rate(GUILD, pack_release.id, 42, 4, NOW) is None
    await store.event_series.set(EventSeries(GUILD, a_series, "episodes", 7, NOW))
    await store.made_events.record(MadeEvent(GUILD, a_series, "season-1", 9_200, NOW + timedelta(days=2), "shape"))
    await store.made_events.record(MadeEvent(GUILD, a_series, "release-e2", None, NOW + timedelta(days=3), "shape"))
    first, second = (await store.characters.summaries(GUILD))[:2]
    ship = NewPoll(GUILD, 555, 7, "ship", f"{first.name} × {second.name}?", [PollOption(0, "Yes"), PollOption(1, "No")],
                   NOW + timedelta(days=1), first_character_id=first.id, second_character_id=second.id)
    open_poll = await store.polls.create(ship, "poll_close", NOW)
    await store.polls.set_message(open_poll.id, 9_001)
    for user, position in ((1, 0), (2, 0), (3, 1)):
        assert (await store.votes.record(open_poll.id, user, position, NOW)).outcome is VoteOutcome.RECORDED
    custom = NewPoll(GUILD, 555, 7, "custom", "Best pub?", [PollOption(0, "Anchor"), PollOption(1, "Gull")],
                     NOW + timedelta(hours=1), hide_results=True, picks=2, role_id=9_200, voters="shown")
    closed = await store.polls.create(custom, "poll_close", NOW)
    await store.votes.cast(closed.id, 1, [1, 0], NOW)
    pairing = NewPoll(GUILD, 556, 8, "pairing", "Who leads?", [PollOption(0, first.name, first.id), PollOption(1, second.name, second.id)],
                      NOW + timedelta(days=3))
    await store.votes.record((await store.polls.create(pairing, "poll_close", NOW)).id, 5, 1, NOW)
    later = NewPoll(GUILD, 556, 8, "custom", "Tomorrow?", [PollOption(0, "Yes"), PollOption(1, "No")],
                    NOW + timedelta(days=2), ranked=True, picks=2, opens_at=NOW + timedelta(days=1))
    await store.polls.create(later, "poll_close", NOW)
    assert await store.polls.close(closed.id, NOW + timedelta(minutes=5), 7)
    await store.timers.add(TimerSpec("reminder", "reminder:a", NOW + timedelta(hours=2), {"release": own}, GUILD), NOW)
    await store.timers.add(TimerSpec("reminder", "reminder:b", NOW, {"release": own}, GUILD), NOW)
    done = (await store.timers.of_guild(GUILD, "reminder"))[-1]
    assert await store.timers.claim(done.id, NOW)
    await store.timers.attempting(done.id, NOW)
    await store.timers.finish(done.id, TimerState.DONE, "posted", NOW + timedelta(seconds=1))
    held = (await store.timers.claim_due(NOW + timedelta(hours=3), 10, kinds=["reminder", "poll_close"]))[0]
    assert held.state is TimerState.CLAIMED  # claimed by a process, under its lease
    assert await store.polls.take_edit(open_poll.id, NOW, timedelta(seconds=5))
    await store.polls.set_result_message(closed.id, 9_002)
    assert await store.subscriptions.disable((await store.subscriptions.of_guild(GUILD))[-1].id, "channel gone", NOW)
    return Filled(open_poll.id, closed.id, own, first.id)


async def rows_of(store: Store) -> Rows:
    """Every row of every table, in key order, as column → value."""
    out: Rows = {}
    for table in TABLES:
        rows = await store.fetch_all(f"SELECT * FROM {table.name} ORDER BY {', '.join(table.key)}")
        out[table.name] = [dict(zip(row.keys(), row, strict=True)) for row in rows]
    return out


async def instant_columns(pg: Store) -> set[tuple[str, str]]:
    """The columns PostgreSQL keeps as timestamptz: SQLite's text there may be spelled differently."""
    rows = await pg.fetch_all(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'timestamp with time zone'"
    )
    return {(r[0], r[1]) for r in rows}


def as_instants(rows: Rows, instants: set[tuple[str, str]]) -> Rows:
    return {
        table: [
            {c: datetime.fromisoformat(v) if v is not None and (table, c) in instants else v for c, v in row.items()}
            for row in table_rows
        ]
        for table, table_rows in rows.items()
    }


@pytest.fixture
async def filled(tmp_path: Path) -> AsyncIterator[tuple[Store, Filled]]:
    async with Store.open(tmp_path / "source.sqlite3") as source:
        await source.migrate()
        yield source, await fill(source)


@pytest.fixture
async def empty_pg(postgres_databases: PostgresDatabases) -> AsyncIterator[str]:
    """The URL of a new PostgreSQL database without even the schema."""
    url = await postgres_databases.fresh(migrated=False)
    yield url
    await postgres_databases.drop(url)


async def test_the_copy_knows_every_table_parents_first(sqlite_store: Store) -> None:
    """The table list against the migrations: a new table forgotten here, or a child before its parent, fails."""
    names = [t.name for t in TABLES]
    tables = {r[0] for r in await sqlite_store.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {n for n in tables if not n.startswith("sqlite_")} == set(names)
    for position, table in enumerate(TABLES):
        parents = {r["table"] for r in await sqlite_store.fetch_all(f"PRAGMA foreign_key_list({table.name})")}
        assert all(names.index(parent) < position for parent in parents), f"{table.name} comes before one of {parents}"
        columns = await sqlite_store.fetch_all(f"PRAGMA table_info({table.name})")
        key = tuple(c["name"] for c in sorted((c for c in columns if c["pk"]), key=lambda c: c["pk"]))
        assert table.key == key, f"{table.name} is ordered by {table.key}, its primary key is {key}"


async def test_the_copy_knows_every_postgresql_table(empty_pg: str) -> None:
    async with Store.open(empty_pg) as pg:
        await pg.migrate()
        tables = {r[0] for r in await pg.fetch_all("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    assert tables - {"fandex_schema"} == {t.name for t in TABLES}


async def test_sqlite_to_postgresql_copies_every_row_and_the_copy_works(
    filled: tuple[Store, Filled], empty_pg: str
) -> None:
    source, made = filled
    before = await rows_of(source)
    assert [t for t, rows in before.items() if not rows] == [], "fill() should leave no table empty"
    never_set = {(t, c) for t, rows in before.items() for c in rows[0] if all(r[c] is None for r in rows)}
    # … and no column always NULL, but guild_id of facts no command gives a server of its own yet.
    assert never_set <= {(t, "guild_id") for t in ("sources", "series", "characters", "relationships", "ships")}
    async with Store.open(empty_pg) as target:
        started = time.perf_counter()
        report = await copy_store(source.database, target.database)
        from tests.figures import record

        record("copy: bundled + harbor packs' store, SQLite → PostgreSQL (s)", round(time.perf_counter() - started, 3))
        assert dict(report.copied) == {t: len(rows) for t, rows in before.items()}
        assert report.replaced is None and report.lines()[-1].startswith(f"copied {report.rows:,} rows in {len(TABLES)} tables")

        after = await rows_of(target)
        instants = await instant_columns(target)
        assert instants, "PostgreSQL keeps instants as timestamptz"
        for table in before:  # table by table, so a difference names its table
            assert as_instants(after, instants)[table] == as_instants(before, instants)[table], table

        # The store's API reads the same things from the copy …
        assert await target.characters.summaries(GUILD) == await source.characters.summaries(GUILD)
        assert await target.characters.get(made.character, GUILD) == await source.characters.get(made.character, GUILD)
        assert await target.releases.get(made.own_release, GUILD) == await source.releases.get(made.own_release, GUILD)
        assert await target.polls.get(made.open_poll) == await source.polls.get(made.open_poll)
        assert await target.polls.counts(made.open_poll) == {0: 2, 1: 1}
        assert await target.fandoms.followed_keys(GUILD) == frozenset({"defenders", "harbor"})
        assert await target.meta.get("command_hash") == "3f2a"

        # … and new rows get ids past the copied ones, in every table they go to.
        largest = {t: max(r["id"] for r in rows) for t, rows in before.items() if rows and "id" in rows[0]}
        poll = await target.polls.create(
            NewPoll(GUILD, 555, 7, "custom", "Next?", [PollOption(0, "A"), PollOption(1, "B")], NOW + timedelta(days=2)),
            "poll_close", NOW,
        )
        assert poll.id > largest["polls"]
        assert await target.fetch_value("SELECT max(id) FROM timers") > largest["timers"]
        subscription, new = await target.subscriptions.upsert(GUILD, 557, None, (60,), 7, NOW)
        assert new and subscription.id > largest["subscriptions"]
        reminder, new = await target.personal_reminders.add(GUILD, 43, made.own_release, NOW)
        assert new and reminder.id > largest["personal_reminders"]
        moved = await target.release_writer.set_date(GUILD, "Second party", parse_partial_date("2032"), 7, NOW, None)
        assert moved > largest["releases"]

        assert (await target.votes.record(made.open_poll, 3, 0, NOW)).previous == 1
        assert (await target.votes.record(made.open_poll, 4, 1, NOW)).outcome is VoteOutcome.RECORDED
        assert await target.polls.counts(made.open_poll) == {0: 3, 1: 1}
        assert (await target.votes.record(made.closed_poll, 4, 0, NOW)).outcome is VoteOutcome.CLOSED


async def test_postgresql_back_to_sqlite_gives_the_same_rows(
    filled: tuple[Store, Filled], empty_pg: str, tmp_path: Path
) -> None:
    source, _ = filled
    async with Store.open(empty_pg) as pg:
        await copy_store(source.database, pg.database)
        async with Store.open(tmp_path / "back.sqlite3") as back:
            report = await copy_store(pg.database, back.database)
            assert report.rows == sum(len(rows) for rows in (await rows_of(source)).values())
            # PostgreSQL hands instants back in the store's one spelling; everything else is as it was.
            assert await rows_of(back) == await rows_of(pg)
            instants = await instant_columns(pg)
            assert as_instants(await rows_of(back), instants) == as_instants(await rows_of(source), instants)


async def test_sqlite_to_sqlite(filled: tuple[Store, Filled], tmp_path: Path) -> None:
    source, made = filled
    async with Store.open(tmp_path / "copy.sqlite3") as target:
        await copy_store(source.database, target.database)
        assert await rows_of(target) == await rows_of(source)
        poll = await target.polls.create(
            NewPoll(GUILD, 555, 7, "custom", "Next?", [PollOption(0, "A"), PollOption(1, "B")], NOW + timedelta(days=2)),
            "poll_close", NOW,
        )
        assert poll.id > made.closed_poll


async def test_a_target_holding_data_is_refused_and_left_as_it_was(filled: tuple[Store, Filled], empty_pg: str) -> None:
    source, _ = filled
    async with Store.open(empty_pg) as target:
        await target.migrate()
        await target.meta.set("mine", "keep me")
        await target.guild_settings.set_timezone(1, "UTC", NOW)
        before = await rows_of(target)
        with pytest.raises(CopyError) as refused:
            await copy_store(source.database, target.database)
        assert str(refused.value) == (
            f"{target.describe()} already holds data (meta: 1 row, guild_settings: 1 row); nothing was copied. "
            "Copy into an empty database, or add --replace to delete what it holds first"
        )
        assert await rows_of(target) == before


async def test_replace_empties_the_target_in_the_same_transaction(filled: tuple[Store, Filled], empty_pg: str) -> None:
    source, made = filled
    async with Store.open(empty_pg) as target:
        await target.migrate()
        await target.packs.import_file(HARBOR)
        await target.meta.set("mine", "going")
        held = sum(len(rows) for rows in (await rows_of(target)).values())

        # A copy that fails part-way (a timer whose instant PostgreSQL cannot read) changes nothing.
        async with source.transaction() as conn:
            await conn.execute("UPDATE timers SET due_at = 'soon' WHERE id = (SELECT min(id) FROM timers)")
        kept = await rows_of(target)
        with pytest.raises(CopyError, match=r"^copying table timers failed: .*is left as it was$"):
            await copy_store(source.database, target.database, replace=True)
        assert await rows_of(target) == kept

        async with source.transaction() as conn:
            await conn.execute("UPDATE timers SET due_at = first_due_at")
        report = await copy_store(source.database, target.database, replace=True)
        assert report.replaced == held and report.lines()[-1].endswith(f"after deleting the {held:,} rows it held")
        instants = await instant_columns(target)
        assert as_instants(await rows_of(target), instants) == as_instants(await rows_of(source), instants)
        assert await target.meta.get("mine") is None
        assert await target.polls.get(made.open_poll) == await source.polls.get(made.open_poll)


async def test_a_source_newer_than_this_code_is_refused_before_the_target_is_touched(tmp_path: Path) -> None:
    newer, target_path = tmp_path / "newer.sqlite3", tmp_path / "target.sqlite3"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(MigrationError, match="newer"):
        await copy_urls(f"sqlite:///{newer}", f"sqlite:///{target_path}")
    with sqlite3.connect(target_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


async def test_a_source_being_written_is_refused(filled: tuple[Store, Filled], tmp_path: Path) -> None:
    source, _ = filled
    assert source.path is not None
    busy = sqlite3.connect(source.path, isolation_level=None)  # another process in the middle of a write
    busy.execute("BEGIN IMMEDIATE")
    try:
        async with Store.open(source.path, busy_timeout_ms=50) as locked, Store.open(tmp_path / "t.sqlite3") as target:
            with pytest.raises(StoreUnavailable, match=r"being written by another process .*stop it first"):
                await copy_store(locked.database, target.database)
            assert await target.fetch_value("SELECT count(*) FROM packs") == 0
    finally:
        busy.execute("ROLLBACK")
        busy.close()


async def test_missing_source_and_same_store_are_refused(filled: tuple[Store, Filled], tmp_path: Path) -> None:
    with pytest.raises(CopyError, match=r"there is no store at .*nowhere\.sqlite3: check DATABASE_URL or --database-url"):
        await copy_urls(f"sqlite:///{tmp_path / 'nowhere.sqlite3'}", f"sqlite:///{tmp_path / 't.sqlite3'}")
    assert not (tmp_path / "nowhere.sqlite3").exists()
    source, _ = filled
    with pytest.raises(CopyError, match="the target is the source"):
        await copy_urls(f"sqlite:///{source.path}", f"sqlite:///{tmp_path}/../{tmp_path.name}/source.sqlite3", replace=True)
    assert (await source.packs.all()) != []


async def run_db(*args: str, cwd: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(Path(__file__).parents[2])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "db", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_command_line(filled: tuple[Store, Filled], empty_pg: str, tmp_path: Path) -> None:
    source, _ = filled
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{source.path}\n", encoding="utf-8")  # as an operator has it
    counts = {t: len(rows) for t, rows in (await rows_of(source)).items()}
    # A password in the URL is never printed (the throwaway server trusts local logins, so any will do).
    secret = urlsplit(empty_pg).password or "s3cret-pw"
    to = empty_pg if secret in empty_pg else empty_pg.replace("@", f":{secret}@", 1)

    code, out, err = await run_db("copy", "--to", to, cwd=tmp_path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [t.name for t in TABLES]
    assert [int(line.split()[1].replace(",", "")) for line in lines[:-1]] == list(counts.values())
    assert lines[-1].startswith(f"copied {sum(counts.values()):,} rows in {len(TABLES)} tables from {source.path} to ")
    assert f" to {PostgresTarget(to).describe()} in " in lines[-1] and secret not in out

    code, out, err = await run_db("copy", "--to", to, cwd=tmp_path)
    assert code == 1 and out == "" and f"already holds data (meta: {counts['meta']} rows, packs: 4 rows" in err
    assert "add --replace" in err and secret not in err and len(err.splitlines()) == 1

    code, out, err = await run_db("copy", "--to", to, "--replace", cwd=tmp_path)
    assert code == 0 and out.splitlines()[-1].endswith(f"after deleting the {sum(counts.values()):,} rows it held")

    code, out, err = await run_db("copy", "--to", "mysql://db/fandex", cwd=tmp_path)
    assert code == 2 and out == "" and err.startswith("error: --to must be one of: sqlite:///relative/path")
    assert "postgresql://user:password@host:port/dbname" in err and len(err.splitlines()) == 1

    code, out, err = await run_db("copy", "--to", f"postgresql://fandex:pw@127.0.0.1:{free_port()}/fandex", cwd=tmp_path)
    assert code == 1 and out == "" and err.startswith("error: cannot open PostgreSQL at postgresql://fandex@127.0.0.1:")
    assert ":pw@" not in err and len(err.splitlines()) == 1

    for asking in (("--help",), ("copy", "--help")):
        code, out, err = await run_db(*asking, cwd=tmp_path)
        assert code == 0 and "stop the bot first" in " ".join(out.split()).casefold()
