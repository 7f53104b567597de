"""The PostgreSQL migrations build the schema the SQLite ones do.

Same tables, columns in the same order, NOT NULLs, defaults, primary keys, UNIQUEs, named indexes
(with their predicates) and foreign keys (with their ON DELETE); instants are timestamptz and every
other integer BIGINT; the same rows are refused or taken on both; rows survive 0007's dropped CHECKs
and come back as they went in. The files are read and run here with asyncpg, one transaction each,
so this holds whatever runner the store uses. Each test works in a PostgreSQL schema of its own.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest

from db.migrations import bundled_migrations
from db.store import Store
from tests.postgres_schema import MIGRATIONS, Schema, apply, connect_in_schema, postgresql_schema, sqlite_schema

# Every column holding an instant, checked against the code that writes it (db.facts.instants.to_text or
# iso_or_none of an aware datetime). Calendar values (release_dates.value, announced_on,
# sources.published) are not instants and stay text.
INSTANTS: dict[str, set[str]] = {
    "packs": {"imported_at"},
    "release_dates": {"starts_at", "window_start", "window_end"},
    "guild_settings": {"updated_at"},
    "subscriptions": {"disabled_at", "created_at", "updated_at"},
    "personal_reminders": {"created_at"},
    "timers": {"due_at", "first_due_at", "claimed_at", "finished_at", "created_at", "attempted_at", "lease_until"},
    "polls": {"created_at", "closes_at", "closed_at", "edit_lease_until", "opens_at"},
    "identify_turns": {"identified_at"},
    "votes": {"voted_at"},
    "guild_fandoms": {"followed_at"},
    "tvmaze_shows": {"synced_at", "refreshed_at", "failed_at"},
    "viewer_progress": {"updated_at"},
    "spoiler_reach": {"updated_at"},
    "watchalongs": {"updated_at"},
    "watchalong_threads": {"air_at", "posted_at", "closes_at", "closed_at"},
    "event_series": {"updated_at"},
    "scheduled_events": {"starts_at"},
    "episode_ratings": {"updated_at"},
    "wikidata_fetches": {"fetched_at"},
}
_PG_TYPE = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision"}  # REAL: a float read back exactly


@pytest.fixture(scope="module")
async def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A SQLite store file brought to the latest version by the store itself, and that version."""
    path = tmp_path_factory.mktemp("sqlite") / "x.sqlite3"
    async with Store.open(path) as store:
        return path, await store.migrate()


@pytest.fixture(scope="module")
async def migrated(postgres_database: str) -> AsyncIterator[asyncpg.Connection]:
    """A PostgreSQL schema with every PostgreSQL migration applied."""
    conn = await connect_in_schema(postgres_database, "latest")
    await apply(conn)
    yield conn
    await conn.close()


@pytest.fixture(scope="module")
async def both_schemas(sqlite_store: tuple[Path, int], migrated: asyncpg.Connection) -> tuple[Schema, Schema]:
    return sqlite_schema(sqlite_store[0]), await postgresql_schema(migrated, "latest")


def test_the_postgresql_files_are_numbered_without_gaps_each_beside_its_sqlite_twin(sqlite_store: tuple[Path, int]) -> None:
    numbers = [mig.version for mig in bundled_migrations("postgresql")]
    assert numbers == list(range(1, len(numbers) + 1))
    assert numbers[-1] == sqlite_store[1] >= 8
    for number in range(1, 9):
        [own] = MIGRATIONS.glob(f"{number:04d}_*.postgresql.sql")  # 1…8 differ by dialect, so each has its own
        stem = own.name.removesuffix(".postgresql.sql")
        assert (MIGRATIONS / f"{stem}.sqlite.sql").exists() or (MIGRATIONS / f"{stem}.sql").exists(), own.name
        statements = re.sub(r"--.*", "", own.read_text(encoding="utf-8"))  # the runner owns transactions and the version
        assert not re.search(r"\b(BEGIN|COMMIT|PRAGMA|ifnull|AUTOINCREMENT|WITHOUT ROWID|COLLATE)\b", statements, re.I), own.name


def test_same_tables_and_columns_in_the_same_order_with_the_same_not_null_and_defaults(both_schemas: tuple[Schema, Schema]) -> None:
    sqlite, postgresql = both_schemas
    assert sorted(postgresql.columns) == sorted(sqlite.columns) and len(sqlite.columns) >= 25
    for table, columns in sqlite.columns.items():
        assert postgresql.columns[table] == columns, table


def test_instants_are_timestamptz_and_every_other_integer_bigint(both_schemas: tuple[Schema, Schema]) -> None:
    sqlite, postgresql = both_schemas
    instant_columns = {(table, column) for table, columns in INSTANTS.items() for column in columns}
    assert instant_columns <= sqlite.types.keys()
    assert {key for key in sqlite.types if key[1].endswith("_at")} <= instant_columns  # a new *_at column needs a decision here
    expected = {key: "timestamp with time zone" if key in instant_columns else _PG_TYPE[kind] for key, kind in sqlite.types.items()}
    assert postgresql.types == expected


async def test_rowids_are_identity_columns_and_guild_ids_are_not(migrated: asyncpg.Connection, both_schemas: tuple[Schema, Schema]) -> None:
    sqlite, _ = both_schemas
    identity = {(r[0], r[1]) for r in await migrated.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'latest' AND is_identity = 'YES'"
    )}
    rowids = {(table, key[0]) for table, key in sqlite.primary_keys.items() if key == ("id",) and sqlite.types[(table, "id")] == "INTEGER"}
    assert identity == rowids
    assert sqlite.primary_keys["guild_settings"] == ("guild_id",)  # a Discord id the code supplies: never generated


def test_same_keys_indexes_and_foreign_keys(both_schemas: tuple[Schema, Schema]) -> None:
    sqlite, postgresql = both_schemas
    assert postgresql.primary_keys == sqlite.primary_keys
    assert postgresql.uniques == sqlite.uniques
    assert postgresql.indexes == sqlite.indexes
    assert postgresql.foreign_keys == sqlite.foreign_keys
    # the comparison saw the whole schema at version 8: 24 named indexes, 19 UNIQUEs, 49 foreign keys
    assert len(postgresql.indexes) >= 24 and len(postgresql.uniques) >= 19 and len(postgresql.foreign_keys) >= 49
    assert postgresql.indexes["personal_reminders_once"] == ("personal_reminders", True, (None, "user_id", "release_id"), None)


@dataclass(frozen=True)
class Probe:
    label: str
    sql: str
    taken: bool


def insert(table: str, columns: str, *rows: str) -> str:
    return f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(f"({row})" for row in rows)


NOW = "'2026-01-01T00:00:00.000000Z'"
SEED = [
    insert("packs", "id, key, title, digest, imported_at", f"1, 'p', 'P', 'd', {NOW}"),
    insert("sources", "id, pack_id, key, title", "1, 1, 's', 'S'"),
    insert("series", "id, pack_id, key, title, kind, source_id", "1, 1, 'show', 'Show', 'series', 1"),
    insert("characters", "id, pack_id, key, name, status, source_id", "1, 1, 'a', 'A', 'confirmed', 1", "2, 1, 'b', 'B', 'confirmed', 1"),
    insert("releases", "id, pack_id, key, title, series_id", "1, 1, 'r', 'R', 1"),
    insert(
        "polls", "id, guild_id, channel_id, creator_id, kind, question, first_character_id, created_at, closes_at",
        f"1, 10, 20, 30, 'custom', 'Q?', 1, {NOW}, {NOW}",
    ),
    insert("ships", "id, pack_id, key, first_id, second_id, source_id", "1, 1, 'ab', 1, 2, 1"),
]
_SOURCE = "pack_id, key, title"
_SEASON = "pack_id, key, series_id, number, source_id"
_DATE = "release_id, key, seq, precision, value, window_start, window_end, timezone, announced_on"
_NAME = "pack_id, key, character_id, name, kind, source_id"
_REL = "pack_id, key, first_id, second_id, kind, canon, note, source_id"
_SUB = "guild_id, channel_id, offsets, state, created_by, created_at, updated_at"
_REMIND = "guild_id, user_id, release_id, created_at"
_TIMER = "kind, delivery_key, due_at, first_due_at, payload, state, created_at"
_POLL = "guild_id, channel_id, creator_id, kind, question, created_at, closes_at, hide_results, state"
_VOTE = "poll_id, user_id, position, voted_at"
_TERM = "pack_id, key, kind, term, label, position"
_APPEAR = "pack_id, key, character_id, series_id, status, source_id, billing"
_FACT = "pack_id, key, series_id, kind, text, source_id"
_SHIP = "pack_id, key, first_id, second_id, source_id"
PROBES = [
    Probe("flag-out-of-range", insert("sources", _SOURCE + ", from_articles", "1, 's2', 'S', 2"), False),
    Probe("pack-key-twice", insert("sources", _SOURCE, "1, 's', 'again'"), False),
    Probe("null-pack-keys-are-distinct", insert("sources", _SOURCE, "NULL, 's', 'x'", "NULL, 's', 'y'"), True),
    Probe("series-kind", insert("series", "pack_id, key, title, kind, source_id", "1, 'f', 'F', 'film', 1"), False),
    Probe("miniseries", insert("series", "pack_id, key, title, kind, source_id", "1, 'm', 'M', 'miniseries', 1"), True),
    Probe("missing-series", insert("series_names", "pack_id, key, series_id, name, source_id", "1, 'n', 99, 'N', 1"), False),
    Probe("season-zero", insert("seasons", _SEASON, "1, 's0', 1, 0, 1"), False),
    Probe("no-episodes", insert("seasons", _SEASON + ", episodes", "1, 's1', 1, 1, 1, 0"), False),
    Probe("season-twice", insert("seasons", _SEASON, "1, 'x', 1, 1, 1", "1, 'y', 1, 1, 1"), False),
    Probe("guild-release-key-twice", insert("releases", "guild_id, key, title", "5, 'g', 'G'", "5, 'g', 'H'"), False),
    Probe("tvmaze-rating", insert("releases", "pack_id, key, title, rating", "1, 'e1', 'E1', 7.5", "1, 'e2', 'E2', 0"), True),
    Probe("rating-over-ten", insert("releases", "pack_id, key, title, rating", "1, 'e1', 'E1', 10.5"), False),
    Probe("negative-rating", insert("releases", "pack_id, key, title, rating", "1, 'e1', 'E1', -0.1"), False),
    Probe("precision", insert("release_dates", "release_id, key, seq, precision, timezone", "1, 'd', 1, 'week', 'UTC'"), False),
    Probe("season-date", insert("release_dates", _DATE, "1, 'd', 1, 'season', 'summer 2017', '2017-06-01T04:00:00+00:00', "
                                                      "'2017-09-01T04:00:00+00:00', 'America/New_York', '2017-02-01'"), True),
    Probe("character-status", insert("characters", "pack_id, key, name, status, source_id", "1, 'c', 'C', 'maybe', 1"), False),
    Probe("pack-name-kind", insert("character_names", _NAME, "1, 'n', 1, 'N', 'nickname', 1"), True),
    Probe("null-name-kind", insert("character_names", _NAME, "1, 'n', 1, 'N', NULL, 1"), False),
    Probe("pack-canon", insert("relationships", _REL, "1, 'r', 1, 2, 'romance', 'books', 'n', 1"), True),
    Probe("relationship-kind", insert("relationships", _REL, "1, 'r', 1, 2, 'enemies', 'on_screen', 'n', 1"), False),
    Probe("relationship-with-itself", insert("relationships", _REL, "1, 'r', 1, 1, 'romance', 'on_screen', 'n', 1"), False),
    Probe("production-kind", insert("production_facts", _FACT, "1, 'f', 1, 'budget', 't', 1"), False),
    Probe("fandoms-chosen", insert("guild_settings", "guild_id, updated_at, fandoms_chosen", f"1, {NOW}, 2"), False),
    Probe("subscription-state", insert("subscriptions", _SUB, f"1, 2, '[]', 'paused', 3, {NOW}, {NOW}"), False),
    Probe("subscription-twice", insert("subscriptions", _SUB, *[f"1, 2, '[]', 'active', 3, {NOW}, {NOW}"] * 2), False),
    Probe("dm-reminder-twice", insert("personal_reminders", _REMIND, *[f"NULL, 7, 1, {NOW}"] * 2), False),
    Probe("guild-and-dm-reminder", insert("personal_reminders", _REMIND, f"1, 7, 1, {NOW}", f"NULL, 7, 1, {NOW}"), True),
    Probe("timer-state", insert("timers", _TIMER, f"'k', 'x', {NOW}, {NOW}, '{{}}', 'lost', {NOW}"), False),
    Probe("timer-key-twice", insert("timers", _TIMER, *[f"'k', 'x', {NOW}, {NOW}, '{{}}', 'pending', {NOW}"] * 2), False),
    Probe("poll-kind", insert("polls", _POLL, f"1, 2, 3, 'quiz', 'Q', {NOW}, {NOW}, 0, 'open'"), False),
    Probe("hide-results", insert("polls", _POLL, f"1, 2, 3, 'custom', 'Q', {NOW}, {NOW}, 2, 'open'"), False),
    Probe("poll-state", insert("polls", _POLL, f"1, 2, 3, 'custom', 'Q', {NOW}, {NOW}, 0, 'paused'"), False),
    Probe("option-twice", insert("poll_options", "poll_id, position, label", "1, 0, 'a'", "1, 0, 'b'"), False),
    Probe("vote-twice", insert("votes", _VOTE, f"1, 5, 0, {NOW}", f"1, 5, 1, {NOW}"), False),
    Probe("vote-on-no-poll", insert("votes", _VOTE, f"99, 5, 0, {NOW}"), False),
    Probe("follow-twice", insert("guild_fandoms", "guild_id, pack_key, followed_at", *[f"1, 'p', {NOW}"] * 2), False),
    Probe("term-kind", insert("pack_terms", _TERM, "1, 't', 'genre', 'x', 'X', 0"), False),
    Probe("term-without-pack", insert("pack_terms", _TERM, "NULL, 't', 'name', 'x', 'X', 0"), False),
    Probe("billing", insert("appearances", _APPEAR, "1, 'a', 1, 1, 'confirmed', 1, 'star'"), False),
    Probe("main-billing", insert("appearances", _APPEAR, "1, 'a', 1, 1, 'confirmed', 1, 'main'"), True),
    Probe("ship-with-itself", insert("ships", _SHIP, "1, 's', 1, 1, 1"), False),
    Probe("ship-name", insert("ship_names", "pack_id, key, ship_id, name, source_id", "1, 'n', 1, 'AB', 1"), True),
    Probe("delete-cited-source", "DELETE FROM sources WHERE id = 1", False),
    Probe("delete-character-in-poll-and-ship", "DELETE FROM characters WHERE id = 1", True),
    Probe("delete-pack", "DELETE FROM packs WHERE id = 1", True),
]


@pytest.fixture(scope="module")
def seeded_sqlite(sqlite_store: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = shutil.copy(sqlite_store[0], tmp_path_factory.mktemp("probes") / "x.sqlite3")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")  # as db/connection.py opens every store
    conn.execute("BEGIN")
    for sql in SEED:
        conn.execute(sql)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
async def seeded_postgresql(postgres_database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect_in_schema(postgres_database, "probes")
    await apply(conn)
    for sql in SEED:
        await conn.execute(sql)
    yield conn
    await conn.close()


@pytest.mark.parametrize("probe", PROBES, ids=[p.label for p in PROBES])
async def test_the_same_rows_are_refused_or_taken_on_both(
    probe: Probe, seeded_sqlite: sqlite3.Connection, seeded_postgresql: asyncpg.Connection
) -> None:
    seeded_sqlite.execute("SAVEPOINT probe")
    try:
        seeded_sqlite.execute(probe.sql)
        taken_by_sqlite = True
    except sqlite3.IntegrityError:
        taken_by_sqlite = False
    finally:
        seeded_sqlite.execute("ROLLBACK TO probe")
    attempt = seeded_postgresql.transaction()
    await attempt.start()
    try:
        await seeded_postgresql.execute(probe.sql)
        taken_by_postgresql = True
    except asyncpg.IntegrityConstraintViolationError:
        taken_by_postgresql = False
    finally:
        await attempt.rollback()
    assert (taken_by_sqlite, taken_by_postgresql) == (probe.taken, probe.taken)


async def test_rows_written_before_0007_survive_it_and_lose_only_the_dropped_checks(postgres_database: str) -> None:
    conn = await connect_in_schema(postgres_database, "through_0007")
    try:
        await apply(conn, upto=6)
        for sql in SEED[:4]:
            await conn.execute(sql)
        await conn.execute(insert("character_names", "id, " + _NAME, "5, 1, 'n', 1, 'Jess', 'hero', 1"))
        await conn.execute(insert("relationships", "id, " + _REL, "7, 1, 'r', 1, 2, 'romance', 'comics', 'n', 1"))
        await apply(conn, after=6)
        assert [tuple(r) for r in await conn.fetch("SELECT id, name, kind FROM character_names")] == [(5, "Jess", "hero")]
        assert [tuple(r) for r in await conn.fetch("SELECT id, kind, canon FROM relationships")] == [(7, "romance", "comics")]
        await conn.execute(insert("character_names", _NAME, "1, 'm', 1, 'J', 'nickname', 1"))
        await conn.execute(insert("relationships", _REL, "1, 'r2', 2, 1, 'family', 'books', 'n', 1"))
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(insert("relationships", _REL, "1, 'r3', 2, 1, 'enemies', 'books', 'n', 1"))
    finally:
        await conn.close()


async def one(conn: asyncpg.Connection, sql: str, *args: object) -> asyncpg.Record:
    row = await conn.fetchrow(sql, *args)
    assert row is not None, sql
    return row


async def test_rows_come_back_as_they_went_in(postgres_database: str) -> None:
    conn = await connect_in_schema(postgres_database, "round_trip")
    snowflake = 1_234_567_890_123_456_789  # beyond 2**53: only a 64-bit column keeps it
    at = datetime(2026, 7, 1, 20, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    try:
        await apply(conn)
        pack = await one(
            conn,
            "INSERT INTO packs (key, title, digest, imported_at) VALUES ('p', 'P', 'd', $1) RETURNING id, imported_at", at
        )
        assert pack["id"] == 1 and pack["imported_at"] == at and pack["imported_at"].utcoffset() == timedelta(0)
        await conn.execute(insert("sources", "id, pack_id, key, title", "1, 1, 's', 'S'"))
        assert await conn.fetchval("SELECT from_articles FROM sources") == 1
        for sql in SEED[2:5]:
            await conn.execute(sql)
        window = (datetime(2026, 6, 21, 4, tzinfo=UTC), datetime(2026, 9, 22, 4, tzinfo=UTC))
        await conn.execute(
            insert("release_dates", _DATE, "1, 'd', 1, 'season', 'summer 2026', $1, $2, 'America/New_York', '2026-02-01'"), *window
        )
        dates = await one(conn, "SELECT value, starts_at, window_start, window_end, announced_on FROM release_dates")
        assert tuple(dates) == ("summer 2026", None, *window, "2026-02-01")

        await conn.execute(insert("guild_settings", "guild_id, timezone, updated_at", "$1, 'Europe/Paris', $2"), snowflake, at)
        assert tuple(await one(conn, "SELECT guild_id, fandoms_chosen, updated_at FROM guild_settings")) == (snowflake, 0, at)
        timer = await one(
            conn,
            insert("timers", "kind, delivery_key, guild_id, due_at, first_due_at, payload, created_at",
                   """'reminder', 'k', $1, $2, $2, '{"release_id": 1}', $3""")
            + " RETURNING state, attempts, attempted_at, due_at, payload",
            snowflake, at, datetime.now(UTC),
        )
        assert tuple(timer) == ("pending", 0, None, at, '{"release_id": 1}')

        poll = await one(
            conn,
            insert("polls", "guild_id, channel_id, creator_id, kind, question, first_character_id, hide_results, created_at, closes_at",
                   "$1, $1, $1, 'ship', 'Q?', 1, $2, $3, $3")
            + " RETURNING id, hide_results, state, tally_version, shown_version",
            snowflake, True, at,
        )
        assert tuple(poll)[1:] == (1, "open", 0, 0)  # a bool bound to the flag reads back as the int the code expects
        upsert = insert("votes", _VOTE, "$1, $2, $3, $4") + (
            " ON CONFLICT (poll_id, user_id) DO UPDATE SET position = excluded.position, voted_at = excluded.voted_at"
        )
        await conn.execute(upsert, poll["id"], snowflake, 0, at)
        await conn.execute(upsert, poll["id"], snowflake, 1, at + timedelta(seconds=1))
        votes = [tuple(r) for r in await conn.fetch("SELECT user_id, position, voted_at FROM votes")]
        assert votes == [(snowflake, 1, at + timedelta(seconds=1))]

        remind = insert("personal_reminders", _REMIND, "NULL, $1, 1, $2")
        await conn.execute(remind, snowflake, at)
        with pytest.raises(asyncpg.UniqueViolationError):  # once per user and release in DMs too: coalesce(guild_id, 0)
            await conn.execute(remind, snowflake, at)

        await conn.execute("DELETE FROM packs WHERE id = 1")
        for table in ("sources", "characters", "release_dates", "personal_reminders"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table  # a name from the tuple above
        assert await conn.fetchval("SELECT first_character_id FROM polls") is None
    finally:
        await conn.close()
