"""SHARD_COUNT and SHARD_IDS: what an operator may write, what they are told when it is wrong, and
how shards are split between processes."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest

from bot.launch.identify import IdentifyBuckets
from bot.launch.shards import ShardSettingError, format_shard_ids, parse_shard_count, parse_shard_ids, split_shards
from bot.settings import SettingsError, load_settings
from db import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("0-3", [0, 1, 2, 3]),
        ("0,2,5", [0, 2, 5]),
        ("0-2,5", [0, 1, 2, 5]),
        (" 5 , 0 - 1 ", [0, 1, 5]),
        ("7", [7]),
        ("3-3", [3]),
    ],
)
def test_shard_ids_are_ranges_and_numbers(text: str, ids: list[int]) -> None:
    assert parse_shard_ids(text, 8) == ids


@pytest.mark.parametrize("text", ["", "a", "0-", "-1", "1.5", "0,,2", "3-1", "0-2-4", "0;1", "٣"])
def test_malformed_shard_ids_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ShardSettingError) as caught:
        parse_shard_ids(text, 8)
    message = str(caught.value)
    assert "0-3" in message and "0,2,5" in message and "\n" not in message


def test_shard_ids_must_be_below_the_count() -> None:
    with pytest.raises(ShardSettingError, match=r"names shard 4, but SHARD_COUNT=4 numbers shards 0-3"):
        parse_shard_ids("2-4", 4)
    with pytest.raises(ShardSettingError, match=r"shard 0 alone"):
        parse_shard_ids("1", 1)


def test_a_huge_range_is_refused_before_it_is_built() -> None:
    started = time.perf_counter()
    with pytest.raises(ShardSettingError, match="names shard 999999999999"):
        parse_shard_ids("0-999999999999", 4)
    assert time.perf_counter() - started < 0.1


def test_each_shard_once() -> None:
    with pytest.raises(ShardSettingError, match="lists shard 2 twice"):
        parse_shard_ids("0-3,2", 8)
    with pytest.raises(ShardSettingError, match="lists shard 1 twice"):
        parse_shard_ids("1,1", 8)


def test_shard_ids_need_a_count() -> None:
    with pytest.raises(ShardSettingError, match="needs SHARD_COUNT"):
        parse_shard_ids("0-1", None)


@pytest.mark.parametrize("text", ["0", "-2", "four", "2.0", ""])
def test_shard_count_is_a_positive_whole_number(text: str) -> None:
    with pytest.raises(ShardSettingError, match=r"whole number of shards, 1 or more"):
        parse_shard_count(text)


def test_shard_count_parses() -> None:
    assert parse_shard_count(" 16 ") == 16


@pytest.mark.parametrize(
    ("count", "processes", "split"),
    [
        (6, 3, [[0, 1], [2, 3], [4, 5]]),
        (7, 3, [[0, 1, 2], [3, 4], [5, 6]]),
        (8, 3, [[0, 1, 2], [3, 4, 5], [6, 7]]),
        (1, 1, [[0]]),
        (4, 4, [[0], [1], [2], [3]]),
    ],
)
def test_split_shards_gives_contiguous_even_ranges(count: int, processes: int, split: list[list[int]]) -> None:
    assert split_shards(count, processes) == split


def test_split_shards_covers_every_shard_once() -> None:
    for count in range(1, 40):
        for processes in range(1, count + 1):
            parts = split_shards(count, processes)
            assert [s for part in parts for s in part] == list(range(count))
            sizes = {len(part) for part in parts}
            assert max(sizes) - min(sizes) <= 1


def test_split_shards_refuses_more_processes_than_shards() -> None:
    with pytest.raises(ValueError, match="3 processes but only 2 shards"):
        split_shards(2, 3)
    with pytest.raises(ValueError, match="at least 1"):
        split_shards(4, 0)


@pytest.mark.parametrize(
    ("ids", "text"),
    [([0, 1, 2, 5], "0-2,5"), ([5, 0, 2], "0,2,5"), ([3], "3"), ([0, 1], "0-1"), ([], ""), ([0, 1, 2, 4, 5, 6, 9], "0-2,4-6,9")],
)
def test_format_shard_ids_is_compact(ids: list[int], text: str) -> None:
    assert format_shard_ids(ids) == text


def test_format_and_parse_round_trip() -> None:
    ids = [0, 1, 2, 5, 7, 8, 11]
    assert parse_shard_ids(format_shard_ids(ids), 12) == ids


# --- through the settings, as the operator meets them ----------------------------------------------


@pytest.fixture
def token_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("SHARD_COUNT", "SHARD_IDS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", "MTk.abc.def")
    return monkeypatch


def test_settings_default_to_discords_recommendation_and_every_shard(token_only: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.shard_count is None and settings.shard_id_list is None


def test_the_example_env_file_leaves_sharding_to_discord(token_only: pytest.MonkeyPatch) -> None:
    Path(".env").write_text((ROOT / ".env.example").read_text())  # copied as the README says
    settings = load_settings()
    assert settings.shard_count is None and settings.shard_id_list is None


def test_settings_read_both(token_only: pytest.MonkeyPatch) -> None:
    token_only.setenv("SHARD_COUNT", "6")
    token_only.setenv("SHARD_IDS", "0-2,5")
    settings = load_settings()
    assert settings.shard_count == 6 and settings.shard_id_list == [0, 1, 2, 5]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SHARD_IDS": "0-1"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-4"}, "SHARD_IDS names shard 4, but SHARD_COUNT=4 numbers shards 0-3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "two"}, "SHARD_IDS must be shard numbers"),
        ({"SHARD_COUNT": "zero"}, "SHARD_COUNT must be a whole number of shards"),
    ],
)
def test_bad_shard_settings_are_one_line_naming_the_variable(
    token_only: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        token_only.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_count_is_not_also_blamed_on_the_ids(token_only: pytest.MonkeyPatch) -> None:
    token_only.setenv("SHARD_COUNT", "-1")
    token_only.setenv("SHARD_IDS", "0")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "SHARD_COUNT must be" in str(caught.value) and "needs SHARD_COUNT" not in str(caught.value)


# --- IDENTIFY buckets --------------------------------------------------------------------------------


async def test_one_identify_per_bucket_per_window(store: Store) -> None:
    """max_concurrency 2: shards 0 and 1 go at once, 2 waits for 0's window, 3 for 1's — taken in the
    store, so it holds for every process sharing it."""
    buckets = IdentifyBuckets(store, max_concurrency=2, window=0.3)
    started = time.monotonic()
    sent: dict[int, float] = {}

    async def identify(shard: int) -> None:
        await buckets.wait(shard)
        sent[shard] = time.monotonic() - started

    await asyncio.gather(*(identify(s) for s in range(6)))
    assert sent[0] < 0.1 and sent[1] < 0.1
    for shard in range(2, 6):
        # A turn starts when the store grants it, a moment before wait() returns: allow that moment (the
        # real window carries a 0.5 s margin over Discord's for it).
        assert sent[shard] - sent[shard - 2] >= 0.3 - 0.03, sent
    assert sent[5] < 1.2


async def test_a_bucket_learns_its_concurrency_late(store: Store) -> None:
    buckets = IdentifyBuckets(store, window=0.2)
    buckets.max_concurrency = 3  # known once GET /gateway/bot has answered
    started = time.monotonic()
    for shard in range(3):
        await buckets.wait(shard)
    assert time.monotonic() - started < 0.2


async def test_a_bucket_gives_one_turn_per_window_in_the_store(store: Store) -> None:
    t0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    window = timedelta(seconds=5)
    assert await store.identify_turns.take(0, t0, window) is None
    assert await store.identify_turns.take(0, t0 + timedelta(seconds=1), window) == t0 + window  # wait till then
    assert await store.identify_turns.take(1, t0 + timedelta(seconds=1), window) is None  # another bucket is free
    assert await store.identify_turns.take(0, t0 + window, window) is None


async def test_a_turn_stored_by_a_clock_that_ran_ahead_is_stale_and_ignored(store: Store) -> None:
    """A clock once an hour ahead left its bucket's turn an hour in the future; a turn further ahead than
    one window is stale: the next IDENTIFY takes the bucket at once. One less than a window ahead stands."""
    t0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    window = timedelta(seconds=5)
    assert await store.identify_turns.take(0, t0 + timedelta(hours=1), window) is None  # the clock ran ahead
    assert await store.identify_turns.take(0, t0, window) is None  # back to the right time: not an hour's wait
    assert await store.identify_turns.take(0, t0 + timedelta(seconds=1), window) == t0 + window  # its own turn holds
    ahead = t0 + window + timedelta(seconds=3)  # another process's clock, 3 s ahead: within a window
    assert await store.identify_turns.take(1, ahead, window) is None
    assert await store.identify_turns.take(1, t0 + window, window) == ahead + window


async def test_a_restart_after_the_clock_ran_ahead_identifies_without_waiting(store: Store) -> None:
    """The turn left an hour ahead survives in the store; the next start's shard still goes at once."""
    ahead = datetime.now(UTC) + timedelta(hours=1)
    with patch("bot.launch.identify.discord.utils.utcnow", return_value=ahead):
        await IdentifyBuckets(store, window=0.5).wait(0)
    waited = await asyncio.wait_for(IdentifyBuckets(store, window=0.5).wait(0), 5.0)  # the next start, right clock
    assert waited < 0.5
