"""Where watch-alongs are kept: a server's setting per series, one thread per episode posted once,
one changeable rating per member, and "I've watched" moving progress forward only — each server apart,
exactly once under concurrent calls, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import Store, bundled_pack_path
from db.facts.models import Release, ReleaseKind
from db.repos.viewers.progress import StoredProgress
from db.repos.watchalong.ratings import RatingClosed, RatingSummary
from db.repos.watchalong.settings import WatchAlong

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
async def harbor(store: Store) -> tuple[int, list[Release]]:
    """The Show's series id (of the pack `weekly`) and its episodes, in order."""
    await store.packs.import_files([bundled_pack_path(), WEEKLY])
    [series_id] = [s.id for s in await store.series.summaries(None) if s.title == "The Show"]
    episodes = [r for r in await store.releases.for_series(series_id) if r.episode is not None]
    assert len(episodes) >= 3
    return series_id, sorted(episodes, key=lambda r: (r.season_number or 0, r.episode or 0))


async def open_rating(store: Store, guild: int, *releases: int, days: int = 7) -> None:
    """The episodes' threads planned in that server, their ratings open from NOW for `days`."""
    for release in releases:
        await store.watchalong_threads.plan(guild, release, 500, NOW, NOW + days * DAY)


def watch(guild: int, series: int, channel: int = 500, *, role: int | None = None, days: int = 7) -> WatchAlong:
    return WatchAlong(guild, series, channel, role, True, days, 7, NOW)


async def test_a_watchalong_is_set_replaced_stopped_and_listed_per_server(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, _ = harbor
    assert await store.watchalongs.set(watch(1, series)) is None
    assert await store.watchalongs.set(watch(2, series, 900, role=77, days=3)) is None
    replaced = await store.watchalongs.set(WatchAlong(1, series, 501, 66, False, 14, 8, NOW + DAY))
    assert replaced == watch(1, series)
    assert await store.watchalongs.of_guild(1) == [WatchAlong(1, series, 501, 66, False, 14, 8, NOW + DAY)]
    assert await store.watchalongs.of_guild(2) == [watch(2, series, 900, role=77, days=3)]
    assert await store.watchalongs.of_guild(3) == []
    assert [w.guild_id for w in await store.watchalongs.of_series(series)] == [1, 2]
    assert len(await store.watchalongs.every()) == 2
    assert await store.watchalongs.stop(1, series)
    assert not await store.watchalongs.stop(1, series)
    assert await store.watchalongs.get(1, series) is None
    assert await store.watchalongs.get(2, series) == watch(2, series, 900, role=77, days=3)


async def test_days_outside_1_to_14_are_refused(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, _ = harbor
    for days in (0, 15):
        with pytest.raises(Exception, match=r"(?i)check|constraint"):
            await store.watchalongs.set(watch(1, series, days=days))
    assert await store.watchalongs.of_guild(1) == []


async def test_a_thread_is_planned_moved_posted_once_and_closed_once(store: Store, harbor: tuple[int, list[Release]]) -> None:
    _, episodes = harbor
    first, second = episodes[0].id, episodes[1].id
    threads = store.watchalong_threads
    assert await threads.plan(1, first, 500, NOW, NOW + 7 * DAY)
    assert not await threads.plan(1, first, 500, NOW, NOW + 7 * DAY)  # unchanged
    assert await threads.plan(1, second, 500, NOW + DAY, NOW + 8 * DAY)
    assert await threads.plan(2, first, 900, NOW, NOW + 3 * DAY)
    assert await threads.plan(1, second, 500, NOW + 2 * DAY, NOW + 9 * DAY)  # the episode moved
    assert await threads.next_air_at() == NOW

    due = await threads.due_to_post(NOW + timedelta(minutes=1))
    assert [(t.guild_id, t.release_id) for t in due] == [(1, first), (2, first)]
    claimed = await threads.claim(1, first, NOW)
    assert claimed is not None and claimed.posted_at == NOW and claimed.thread_id is None
    assert await threads.claim(1, first, NOW) is None
    assert not await threads.plan(1, first, 500, NOW + DAY, NOW + 8 * DAY)  # a posted thread stays
    await threads.record_posted(1, first, 1234, 1234)
    assert (await threads.by_thread(1234)) == (await threads.get(1, first))
    assert [(t.guild_id, t.release_id) for t in await threads.due_to_post(NOW + timedelta(minutes=1))] == [(2, first)]
    late = await threads.due_to_post(NOW + 3 * DAY)  # guild 2's closed before anyone posted it
    assert [(t.guild_id, t.release_id) for t in late] == [(1, second)]

    assert await threads.due_to_close(NOW + 6 * DAY) == []
    [closing] = await threads.due_to_close(NOW + 7 * DAY)
    assert (closing.guild_id, closing.thread_id) == (1, 1234)
    assert await threads.mark_closed(1, first, NOW + 7 * DAY)
    assert not await threads.mark_closed(1, first, NOW + 7 * DAY)
    assert await threads.due_to_close(NOW + 30 * DAY) == []
    assert [t.release_id for t in await threads.of_guild(1)] == [first, second]


async def test_a_posting_is_claimed_by_exactly_one_of_many(store: Store, harbor: tuple[int, list[Release]]) -> None:
    _, episodes = harbor
    await store.watchalong_threads.plan(1, episodes[0].id, 500, NOW, NOW + 7 * DAY)
    wins = await asyncio.gather(*(store.watchalong_threads.claim(1, episodes[0].id, NOW) for _ in range(20)))
    assert sum(w is not None for w in wins) == 1
    assert await store.watchalong_threads.unclaim(1, episodes[0].id)  # nothing reached Discord: give it back
    assert await store.watchalong_threads.claim(1, episodes[0].id, NOW) is not None


async def test_stop_and_cancel_drop_only_unposted_threads(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, episodes = harbor
    a, b, c = (e.id for e in episodes[:3])
    await store.watchalongs.set(watch(1, series))
    for release in (a, b, c):
        await store.watchalong_threads.plan(1, release, 500, NOW, NOW + 7 * DAY)
        await store.watchalong_threads.plan(2, release, 900, NOW, NOW + 7 * DAY)
    await store.watchalong_threads.claim(1, a, NOW)
    assert await store.watchalong_threads.cancel(1, [b]) == 1
    assert await store.watchalongs.stop(1, series)
    assert [t.release_id for t in await store.watchalong_threads.of_guild(1)] == [a]  # posted: still closes
    assert len(await store.watchalong_threads.of_guild(2)) == 3  # another server's untouched


async def test_one_rating_per_member_changed_and_counted_per_server(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, episodes = harbor
    first, second = episodes[0], episodes[1]
    ratings = store.episode_ratings
    await open_rating(store, 1, first.id, second.id)
    await open_rating(store, 2, first.id)
    assert await ratings.rate(1, first.id, 10, 5, NOW) is None
    assert await ratings.rate(1, first.id, 11, 2, NOW) is None
    assert await ratings.rate(1, first.id, 10, 4, NOW) == 5  # changed, not added
    assert await ratings.rate(1, second.id, 10, 1, NOW) is None
    assert await ratings.rate(2, first.id, 10, 1, NOW) is None  # another server's rating
    assert await ratings.of_member(1, first.id, 10) == 4
    assert await ratings.summary(1, first.id) == RatingSummary(first.id, 3.0, 2)
    assert await ratings.summary(2, first.id) == RatingSummary(first.id, 1.0, 1)
    assert await ratings.summary(3, first.id) == RatingSummary(first.id, 0.0, 0)
    assert await ratings.per_episode(1, series) == [RatingSummary(first.id, 3.0, 2), RatingSummary(second.id, 1.0, 1)]
    same_season = {e.id for e in episodes if e.season_number == first.season_number}
    assert await ratings.per_episode(1, series, season=first.season_number) == [
        s for s in await ratings.per_episode(1, series) if s.release_id in same_season
    ]
    assert await ratings.per_episode(1, series, season=999) == []
    with pytest.raises(ValueError, match="1 to 5"):  # refused before it reaches a batch it would fail
        await ratings.rate(1, first.id, 12, 6, NOW)
    assert await ratings.of_member(1, first.id, 12) is None


async def test_a_special_is_listed_after_its_seasons_episodes_on_both_backends(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, episodes = harbor
    [special] = [r for r in await store.releases.for_series(series) if r.kind is ReleaseKind.SPECIAL]
    await open_rating(store, 1, special.id, episodes[1].id, episodes[0].id)
    for release in (special.id, episodes[1].id, episodes[0].id):
        await store.episode_ratings.rate(1, release, 10, 3, NOW)
    listed = [s.release_id for s in await store.episode_ratings.per_episode(1, series)]
    assert listed == [episodes[0].id, episodes[1].id, special.id]


async def test_concurrent_rates_keep_one_rating_per_member(store: Store, harbor: tuple[int, list[Release]]) -> None:
    _, episodes = harbor
    release = episodes[0].id
    await open_rating(store, 1, release)
    stars = [1 + n % 5 for n in range(30)]
    previous = await asyncio.gather(*(store.episode_ratings.rate(1, release, 10, s, NOW) for s in stars))
    assert previous == [None, *stars[:-1]]  # in arrival order, each press replacing the one before it
    assert await store.episode_ratings.summary(1, release) == RatingSummary(release, float(stars[-1]), 1)


async def test_many_members_rating_at_once_share_transactions(store: Store, harbor: tuple[int, list[Release]]) -> None:
    _, episodes = harbor
    release = episodes[0].id
    await open_rating(store, 1, release)
    await open_rating(store, 2, release)
    ratings = store.episode_ratings
    before = ratings.batches
    members = range(100, 400)
    first = await asyncio.gather(*(ratings.rate(1 + m % 2, release, m, 1 + m % 5, NOW) for m in members))
    assert first == [None] * len(members)
    assert ratings.batches - before < len(members) / 10  # presses that arrive during a commit share the next
    again = await asyncio.gather(*(ratings.rate(1 + m % 2, release, m, 5, NOW + DAY) for m in members))
    assert again == [1 + m % 5 for m in members]  # each member's own previous stars
    for guild in (1, 2):
        assert await ratings.summary(guild, release) == RatingSummary(release, 5.0, len(members) // 2)
    assert await ratings.of_member(1, release, 100) == 5 and await ratings.of_member(2, release, 100) is None  # its own server only


async def test_one_member_twice_in_one_batch_keeps_the_later_press(store: Store, harbor: tuple[int, list[Release]]) -> None:
    _, episodes = harbor
    release = episodes[0].id
    await open_rating(store, 1, release)
    ratings = store.episode_ratings
    before = ratings.batches
    assert list(await asyncio.gather(ratings.rate(1, release, 10, 3, NOW), ratings.rate(1, release, 10, 5, NOW))) == [None, 3]
    assert ratings.batches == before + 1
    assert list(await asyncio.gather(ratings.rate(1, release, 10, 2, NOW), ratings.rate(1, release, 10, 5, NOW))) == [5, 2]
    assert await ratings.summary(1, release) == RatingSummary(release, 5.0, 1)
    assert await ratings.rate(1, release, 10, 5, NOW) == 5  # the same stars again: unchanged, said so


async def test_a_rating_lands_only_while_its_thread_is_open(store: Store, harbor: tuple[int, list[Release]]) -> None:
    _, episodes = harbor
    a, b, c = (e.id for e in episodes[:3])
    await open_rating(store, 1, a, b, days=3)
    ratings = store.episode_ratings
    assert await ratings.rate(1, a, 10, 4, NOW) is None
    with pytest.raises(RatingClosed):
        await ratings.rate(1, c, 10, 4, NOW)  # no thread row in this server: closed
    with pytest.raises(RatingClosed):
        await ratings.rate(2, a, 10, 4, NOW)  # another server's thread opens nothing here
    with pytest.raises(RatingClosed):
        await ratings.rate(1, a, 11, 4, NOW + 3 * DAY)  # at its closing instant, although not marked closed yet
    assert await store.watchalong_threads.mark_closed(1, b, NOW + DAY)
    # A batch mixing presses on a closed and an open episode: only the open one lands.
    outcomes = await asyncio.gather(
        ratings.rate(1, b, 10, 2, NOW + DAY), ratings.rate(1, a, 10, 1, NOW + DAY), return_exceptions=True
    )
    assert isinstance(outcomes[0], RatingClosed) and outcomes[1] == 4
    assert await ratings.summary(1, a) == RatingSummary(a, 1.0, 1)
    assert await ratings.summary(1, b) == RatingSummary(b, 0.0, 0)
    assert await ratings.of_member(1, a, 11) is None and await ratings.of_member(1, c, 10) is None
    assert await ratings.of_member(2, a, 10) is None


async def test_a_press_made_before_the_close_but_written_after_it_is_refused(
    store: Store, harbor: tuple[int, list[Release]]
) -> None:
    """The close reads the count at its instant: a press made a moment before, whose batch reaches the
    store after the instant, must not land after that count (it is checked at its write as well)."""
    _, episodes = harbor
    release = episodes[0].id
    passed = datetime.now(UTC) - timedelta(seconds=1)  # the closing instant, just gone by
    await store.watchalong_threads.plan(1, release, 5, passed - DAY, passed)
    with pytest.raises(RatingClosed):
        await store.episode_ratings.rate(1, release, 10, 4, passed - timedelta(minutes=1))
    assert await store.episode_ratings.of_member(1, release, 10) is None


async def test_watched_moves_progress_forward_only(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, _ = harbor
    progress = store.viewer_progress
    assert await progress.advance(7, series, 1, 3, NOW)  # none yet
    assert not await progress.advance(7, series, 1, 2, NOW)  # earlier: stays
    assert not await progress.advance(7, series, 1, 3, NOW)  # the same: stays
    assert await progress.advance(7, series, 2, 1, NOW)
    assert await progress.get(7, series) == StoredProgress(series, 2, 1)
    await progress.set(8, StoredProgress(series, None, None), NOW)  # not started
    assert await progress.advance(8, series, 1, 1, NOW)


async def test_concurrent_watched_presses_keep_the_latest_episode(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, _ = harbor
    episodes = [(season, episode) for season in (1, 2) for episode in range(1, 9)]
    presses = episodes[::2] + episodes[1::2]  # out of order, all at once
    moved = await asyncio.gather(*(store.viewer_progress.advance(7, series, s, e, NOW) for s, e in presses))
    assert any(moved)
    assert not await store.viewer_progress.advance(7, series, 2, 7, NOW)
    assert await store.viewer_progress.get(7, series) == StoredProgress(series, 2, 8)


async def test_removing_the_series_takes_its_watchalongs_threads_and_ratings(store: Store, harbor: tuple[int, list[Release]]) -> None:
    series, episodes = harbor
    await store.watchalongs.set(watch(1, series))
    await store.watchalong_threads.plan(1, episodes[0].id, 500, NOW, NOW + 7 * DAY)
    assert await store.episode_ratings.rate(1, episodes[0].id, 10, 5, NOW) is None
    assert await store.packs.remove("weekly") is not None
    assert await store.watchalongs.of_guild(1) == []
    assert await store.watchalong_threads.of_guild(1) == []
    assert await store.episode_ratings.summary(1, episodes[0].id) == RatingSummary(episodes[0].id, 0.0, 0)
