"""The store's record of TVmaze-synced fandoms, on both backends: registering, sync state, and the
moderators' refresh limit taken by one guarded update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import Store

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
NOW = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def weekly(store: Store) -> Store:
    await store.packs.import_file(WEEKLY)
    await store.tvmaze_shows.register("weekly", 44778, overlay="format: 1", show_updated=100, now=NOW)
    return store


async def test_a_registered_show_is_found_by_pack_by_show_and_in_the_list(weekly: Store) -> None:
    shown = await weekly.tvmaze_shows.by_pack("weekly")
    assert shown is not None and (shown.pack_key, shown.title, shown.show_id) == ("weekly", "Weekly", 44778)
    assert (shown.overlay, shown.show_updated, shown.synced_at, shown.refreshed_at) == ("format: 1", 100, NOW, None)
    assert await weekly.tvmaze_shows.by_show(44778) == shown
    assert await weekly.tvmaze_shows.all() == [shown]
    assert await weekly.tvmaze_shows.by_pack("nope") is None and await weekly.tvmaze_shows.by_show(1) is None


async def test_sync_state_follows_success_and_failure(weekly: Store) -> None:
    later = NOW + timedelta(hours=12)
    await weekly.tvmaze_shows.mark_failed("weekly", "TVmaze is not answering", later)
    failed = await weekly.tvmaze_shows.by_pack("weekly")
    assert failed is not None and (failed.failed_at, failed.failure, failed.show_updated) == (later, "TVmaze is not answering", 100)
    await weekly.tvmaze_shows.mark_synced("weekly", 200, later + timedelta(minutes=1))
    synced = await weekly.tvmaze_shows.by_pack("weekly")
    assert synced is not None and (synced.failed_at, synced.failure, synced.show_updated) == (None, None, 200)
    assert synced.synced_at == later + timedelta(minutes=1)


async def test_a_changed_overlay_makes_the_show_due(weekly: Store) -> None:
    assert await weekly.tvmaze_shows.set_overlay("weekly", "format: 1\n# changed")
    shown = await weekly.tvmaze_shows.by_pack("weekly")
    assert shown is not None and (shown.overlay, shown.show_updated) == ("format: 1\n# changed", None)
    assert not await weekly.tvmaze_shows.set_overlay("other", "x")


async def test_a_refresh_is_taken_once_per_ten_minutes_and_a_refusal_says_when(weekly: Store) -> None:
    assert await weekly.tvmaze_shows.take_refresh("weekly", NOW) is None  # the import itself does not count
    assert await weekly.tvmaze_shows.take_refresh("weekly", NOW + timedelta(minutes=3)) == NOW + timedelta(minutes=10)
    assert await weekly.tvmaze_shows.take_refresh("weekly", NOW + timedelta(minutes=10)) is None
    with pytest.raises(LookupError):
        await weekly.tvmaze_shows.take_refresh("nope", NOW)


async def test_removing_the_pack_removes_its_sync_record(weekly: Store) -> None:
    await weekly.packs.remove("weekly")
    assert await weekly.tvmaze_shows.all() == []
