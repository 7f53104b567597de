"""Where viewers' positions are kept: a member's progress across servers, a server's reach and a
channel's override per series, each server apart — on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from db import Store, bundled_pack_path
from db.repos.viewers.progress import StoredProgress
from db.repos.viewers.reach import StoredReach

HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
async def series(store: Store) -> tuple[int, int]:
    """Two series' ids: one of the bundled pack, then Harbor Lights (of the pack `harbor`)."""
    await store.packs.import_files([bundled_pack_path(), HARBOR])
    summaries = await store.series.summaries(None)
    harbor = [s.id for s in summaries if s.title.startswith("Harbor Lights")]
    others = [s.id for s in summaries if not s.title.startswith("Harbor Lights")]
    assert len(harbor) == 1 and others
    return others[0], harbor[0]


async def test_progress_is_set_replaced_and_read_per_user(store: Store, series: tuple[int, int]) -> None:
    first, second = series
    await store.viewer_progress.set(7, StoredProgress(first, 2, 5), NOW)
    await store.viewer_progress.set(7, StoredProgress(second, None, None), NOW)  # none: not started
    await store.viewer_progress.set(8, StoredProgress(first, 1, 1), NOW)
    await store.viewer_progress.set(7, StoredProgress(first, 2, 6), NOW)  # replaces
    assert await store.viewer_progress.get(7, first) == StoredProgress(first, 2, 6)
    assert sorted(await store.viewer_progress.of_user(7), key=lambda p: p.series_id) == sorted(
        [StoredProgress(first, 2, 6), StoredProgress(second, None, None)], key=lambda p: p.series_id
    )
    assert await store.viewer_progress.of_user(8) == [StoredProgress(first, 1, 1)]
    assert await store.viewer_progress.get(9, first) is None


async def test_progress_is_cleared_for_one_series_or_all(store: Store, series: tuple[int, int]) -> None:
    first, second = series
    for user in (7, 8):
        await store.viewer_progress.set(user, StoredProgress(first, 1, 2), NOW)
        await store.viewer_progress.set(user, StoredProgress(second, 1, 1), NOW)
    assert await store.viewer_progress.clear(7, first) == 1
    assert [p.series_id for p in await store.viewer_progress.of_user(7)] == [second]
    assert await store.viewer_progress.clear(7) == 1
    assert await store.viewer_progress.of_user(7) == []
    assert await store.viewer_progress.clear(7) == 0
    assert len(await store.viewer_progress.of_user(8)) == 2  # another member's untouched


async def test_a_server_setting_and_a_channel_override_stay_in_their_server(store: Store, series: tuple[int, int]) -> None:
    first, second = series
    server = StoredReach(first, None, "aired", 3600)
    channel = StoredReach(first, 55, "episode", 604800, 2, 5)
    await store.spoiler_reach.set(1, server, 100, NOW)
    await store.spoiler_reach.set(1, channel, 100, NOW)
    await store.spoiler_reach.set(2, StoredReach(first, None, "all", 604800), 200, NOW)
    assert await store.spoiler_reach.for_channel(1, 55, first) == (channel, server)
    assert await store.spoiler_reach.for_channel(1, 56, first) == (None, server)
    assert await store.spoiler_reach.for_channel(1, 55, second) == (None, None)
    assert await store.spoiler_reach.for_channel(3, 55, first) == (None, None)
    assert await store.spoiler_reach.of_guild(1) == [server, channel]
    assert await store.spoiler_reach.of_guild(2) == [StoredReach(first, None, "all", 604800)]
    replaced = StoredReach(first, 55, "none", 604800)
    await store.spoiler_reach.set(1, replaced, 101, NOW)
    assert await store.spoiler_reach.for_channel(1, 55, first) == (replaced, server)


async def test_a_reach_must_be_one_of_the_kinds_with_its_episode(store: Store, series: tuple[int, int]) -> None:
    first, _ = series
    with pytest.raises(Exception, match=r"(?i)check|constraint"):
        await store.spoiler_reach.set(1, StoredReach(first, None, "episode", 0), 1, NOW)
    assert await store.spoiler_reach.of_guild(1) == []


async def test_a_removed_series_takes_its_positions_with_it(store: Store, series: tuple[int, int]) -> None:
    for sid in series:
        await store.viewer_progress.set(7, StoredProgress(sid, 1, 1), NOW)
        await store.spoiler_reach.set(1, StoredReach(sid, None, "all", 0), 1, NOW)
    await store.packs.remove("harbor")
    kept, _ = series
    assert [p.series_id for p in await store.viewer_progress.of_user(7)] == [kept]
    assert [r.series_id for r in await store.spoiler_reach.of_guild(1)] == [kept]
