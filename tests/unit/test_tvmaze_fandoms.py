"""Adding, refreshing and syncing TVmaze fandoms against the local TVmaze double and a real store."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.tvmaze.client import RetryPolicy, TvmazeClient
from bot.tvmaze.fandoms import TvmazeFandoms
from bot.tvmaze.records import TvmazeError
from db import PackErrors, Store
from tests.e2e.waiting import eventually
from tests.tvmaze_double import TvmazeDouble, serving_catalogue

NOW = datetime(2025, 1, 17, 2, 0, tzinfo=UTC)
FAST = RetryPolicy(retries=1, backoff=0.01, max_rate_limited_wait=1.0)
OVERLAY = """\
format: 1
pack: {id: lumon, title: Lumon Industries}
sync: {tvmaze: 1}
sources:
  fans: {title: The fan wiki}
series:
  severance: {title: Severance, aliases: [Sev], source: fans}
characters:
  mark:
    name: Mark Lead
    aliases: [Marky]
    source: fans
  petey: {name: Petey, source: fans}
relationships:
  - {between: [mark, petey], kind: friendship, canon: on_screen, note: Old friends., source: fans}
"""


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def tvmaze() -> AsyncIterator[TvmazeDouble]:
    async with serving_catalogue(NOW) as double:
        yield double


@pytest.fixture
async def client(tvmaze: TvmazeDouble) -> AsyncIterator[TvmazeClient]:
    async with aiohttp.ClientSession() as session:
        yield TvmazeClient(session, base_url=tvmaze.base_url, retry=FAST, timeout=2.0)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def fandoms(store: Store, client: TvmazeClient, clock: Clock) -> TvmazeFandoms:
    return TvmazeFandoms(store, client, clock, stale_after=timedelta(hours=12))


async def test_adding_a_show_imports_it_as_a_fandom_with_its_cast_and_episodes(store: Store, fandoms: TvmazeFandoms) -> None:
    change = await fandoms.add(1)
    assert (change.pack_key, change.title, change.new, change.report.moved) == ("tvmaze-1", "Severance", True, [])
    # Added from Discord, it is no default fandom: seen by the servers that follow it, no other server
    # (outside a server — guild None — every fandom the bot holds is seen, this one too).
    assert await store.characters.summaries(2) == [] and len(await store.characters.summaries(None)) == 2
    await store.fandoms.follow(1, "tvmaze-1", 7, NOW)
    names = {c.name: c.actor for c in await store.characters.summaries(1)}
    assert names == {"Mark Lead": "Ada Actor", "Helly Second": "Bea Actor"}
    series = await store.series.get((await store.series.summaries(1))[0].id, 1)
    assert series is not None and series.platform == "Apple TV+"
    assert [len(s.episode_list) for s in series.seasons] == [9, 9]
    record = await store.tvmaze_shows.by_show(1)
    assert record is not None and (record.pack_key, record.show_updated, record.overlay) == ("tvmaze-1", 1_700_000_000, None)


async def test_adding_a_show_twice_reuses_the_fandom_and_refreshes_it_when_stale(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, clock: Clock
) -> None:
    await fandoms.add(1)
    again = await fandoms.add(1)
    assert (again.pack_key, again.new, again.report.skipped) == ("tvmaze-1", False, True)
    assert tvmaze.requests["/shows/1"] == 1
    clock.now += timedelta(hours=13)
    tvmaze.move_episode(1, 100_000 + 2009, NOW + timedelta(weeks=10))
    stale = await fandoms.add(1)
    assert stale.new is False and tvmaze.requests["/shows/1"] == 2
    assert [m.label for m in stale.report.moved] == ["Severance S2E09 — “Episode 9”"]


@pytest.mark.parametrize("fault", ["down", "unknown", "malformed"])
async def test_a_failed_add_changes_nothing(store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, fault: str) -> None:
    if fault == "down":
        tvmaze.fail_5xx = 10
    elif fault == "malformed":
        tvmaze.malformed = 10
    with pytest.raises(TvmazeError) as caught:
        await fandoms.add(999 if fault == "unknown" else 1)
    assert str(caught.value)
    assert await store.packs.all() == [] and await store.tvmaze_shows.all() == []


async def test_a_refresh_reports_a_moved_episode(store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble) -> None:
    await fandoms.add(2)
    tvmaze.move_episode(2, 200_000 + 3010, NOW + timedelta(days=3))
    change = await fandoms.refresh("tvmaze-2")
    (move,) = change.report.moved
    assert move.after == NOW + timedelta(days=3) and move.before is not None and move.pack_key == "tvmaze-2"


async def _ratings_by_episode(store: Store, pack_key: str) -> dict[str, float | None]:
    """S1E01 → TVmaze's rating (None: unrated) for each episode of the fandom's one series, read as
    /ratings reads them, and checked against the rating each Release carries."""
    series_id = await store.fetch_value("SELECT s.id FROM series s JOIN packs p ON p.id = s.pack_id WHERE p.key = ?", (pack_key,))
    await store.fandoms.follow(1, pack_key, 7, NOW)
    series = await store.series.get(series_id, 1)
    assert series is not None
    rated = await store.releases.tvmaze_ratings(series_id)
    episodes = [e for season in series.seasons for e in season.episode_list]
    assert rated == {e.id: e.rating for e in episodes if e.rating is not None}
    return {f"S{e.season_number}E{e.episode:02d}": e.rating for e in episodes if e.episode is not None}


async def test_a_show_added_from_tvmaze_keeps_each_episodes_rating_and_null_stays_null(
    store: Store, fandoms: TvmazeFandoms
) -> None:
    await fandoms.add(1)
    ratings = await _ratings_by_episode(store, "tvmaze-1")
    assert len(ratings) == 18
    assert {code: r for code, r in ratings.items() if r is not None} == {"S1E01": 8.1, "S1E02": 7.6, "S1E03": 9.0}
    assert ratings["S1E04"] is None and ratings["S2E09"] is None  # aired unrated, and not aired yet


async def test_a_rating_changed_on_tvmaze_follows_on_sync_and_moves_nothing(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, clock: Clock
) -> None:
    await fandoms.add(1)
    tvmaze.rate_episode(1, 101_001, 8.25)  # TVmaze's average moved; the format keeps one decimal
    tvmaze.rate_episode(1, 101_002, None)  # its votes were withdrawn
    tvmaze.rate_episode(1, 101_004, 6.0)  # rated for the first time
    clock.now += timedelta(hours=12)
    (change,) = await fandoms.sync_pass()
    assert change.report.moved == [] and change.report.updated["releases"] == 3
    assert change.report.updated["release_dates"] == 0
    ratings = await _ratings_by_episode(store, "tvmaze-1")
    assert {code: r for code, r in ratings.items() if r is not None} == {"S1E01": 8.2, "S1E03": 9.0, "S1E04": 6.0}


def test_a_rating_in_a_shape_tvmaze_does_not_document_is_left_out() -> None:
    from bot.tvmaze.records import parse_episode
    from tests.tvmaze_double import episode

    sent = episode(1, 5, 1, 1, NOW)
    assert parse_episode(sent | {"rating": {"average": 7}}).rating == 7.0
    for odd in ({"average": "7.5"}, {"average": True}, {"average": 11.0}, {"average": -1}, None, "7.5", {}):
        assert parse_episode(sent | {"rating": odd}).rating is None, odd
    assert parse_episode({k: v for k, v in sent.items() if k != "rating"}).rating is None


async def test_a_sync_pass_fetches_only_changed_shows_and_records_failures(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, clock: Clock
) -> None:
    for show_id in (1, 2, 4):
        await fandoms.add(show_id)
    before = dict(tvmaze.requests)
    assert await fandoms.sync_pass() == []
    assert tvmaze.requests["/updates/shows"] == 1
    assert {p: n - before.get(p, 0) for p, n in tvmaze.requests.items() if n != before.get(p, 0)} == {"/updates/shows": 1}
    tvmaze.move_episode(2, 200_000 + 3010, NOW + timedelta(days=3))
    tvmaze.move_episode(4, 400_001, NOW + timedelta(days=30))
    del tvmaze.shows[4]  # changed, then gone: its fetch fails
    clock.now += timedelta(hours=12)
    changes = await fandoms.sync_pass()
    assert [(c.pack_key, len(c.report.moved)) for c in changes] == [("tvmaze-2", 1)]
    failed = await store.tvmaze_shows.by_show(4)
    assert failed is not None and failed.failure == "TVmaze has no show with id 4." and failed.failed_at == clock.now
    tvmaze.fail_5xx = 10
    assert await fandoms.sync_pass() == []  # TVmaze down: nothing raised, each show marked
    assert all(s.failure for s in await store.tvmaze_shows.all())


async def test_a_fandom_removed_during_a_sync_pass_stays_removed(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, clock: Clock
) -> None:
    """The operator removes a TVmaze fandom (`python -m db remove`) while a sync pass is fetching its
    show: the pass does not import it again, and the removal is final."""
    for show_id in (1, 2):
        await fandoms.add(show_id)
    tvmaze.move_episode(1, 100_000 + 2009, NOW + timedelta(weeks=10))
    tvmaze.move_episode(2, 200_000 + 3010, NOW + timedelta(days=3))
    clock.now += timedelta(hours=12)
    tvmaze.shows_held = asyncio.Event()
    fetched = tvmaze.requests["/shows/1"]
    sync = asyncio.create_task(fandoms.sync_pass())
    await eventually(lambda: tvmaze.requests["/shows/1"] > fetched, 5, "the pass fetching show 1")
    assert await store.packs.remove("tvmaze-1") is not None
    tvmaze.shows_held.set()
    changes = await asyncio.wait_for(sync, 10)
    assert [c.pack_key for c in changes] == ["tvmaze-2"]  # the other show is synced as usual
    assert [p.key for p in await store.packs.all()] == ["tvmaze-2"]
    assert [s.pack_key for s in await store.tvmaze_shows.all()] == ["tvmaze-2"]


async def test_a_hand_written_overlay_is_kept_across_refreshes(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, tmp_path: Path
) -> None:
    path = tmp_path / "lumon.yaml"
    path.write_text(OVERLAY)
    await store.packs.import_files([path])
    record = await store.tvmaze_shows.by_show(1)
    assert record is not None and (record.pack_key, record.show_updated) == ("lumon", None)  # due
    (change,) = await fandoms.sync_pass()
    assert change.pack_key == "lumon"
    mark = next(c for c in await store.characters.summaries(None) if c.name == "Mark Lead")
    full = await store.characters.get(mark.id)
    assert full is not None and full.aliases == ("Marky",) and full.actor == "Ada Actor" and full.relationships
    added = await fandoms.add(1)  # the show is on the bot already, as the hand-written fandom
    assert (added.pack_key, added.new) == ("lumon", False)
    # start-up again: the file is unchanged, so the merged fandom stays as synced
    assert [r.parsed for r in await store.packs.import_files([path])] == [False]
    path.write_text(OVERLAY.replace("aliases: [Marky]", "aliases: [Marky, Mark S.]"))
    assert (await store.packs.import_files([path]))[0].skipped
    assert len(await store.series.summaries(None)) == 1 and (await store.tvmaze_shows.by_pack("lumon")).show_updated is None  # type: ignore[union-attr]
    await fandoms.sync_pass()
    full = await store.characters.get(mark.id)
    assert full is not None and full.aliases == ("Marky", "Mark S.")


async def test_a_pack_over_a_show_a_server_added_adopts_that_fandom(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, tmp_path: Path
) -> None:
    await fandoms.add(1)
    await store.fandoms.set_following(7, frozenset({"tvmaze-1"}), 1, NOW)
    before = {c.name: c.id for c in await store.characters.summaries(7)}
    path = tmp_path / "lumon.yaml"
    path.write_text(OVERLAY)
    (report,) = await store.packs.import_files([path])
    assert report.adopted is not None and (report.adopted.previous, report.adopted.followers) == ("tvmaze-1", 1)
    assert "pack `lumon` adopted the fandom `tvmaze-1` (TVmaze show 1)" in report.summary()
    assert [p.key for p in await store.packs.all()] == ["lumon"]
    assert await store.fandoms.followed_keys(7) == {"lumon"}
    assert {c.name: c.id for c in await store.characters.summaries(7)} == before  # the same rows
    record = await store.tvmaze_shows.by_show(1)
    assert record is not None and record.pack_key == "lumon" and record.overlay == OVERLAY and record.show_updated is None
    assert [r.parsed for r in await store.packs.import_files([path])] == [False]  # the next start: nothing to do


async def test_an_unfollow_stays_an_unfollow_when_a_pack_adopts_the_fandom(
    store: Store, fandoms: TvmazeFandoms, tvmaze: TvmazeDouble, tmp_path: Path
) -> None:
    """A server that left an added show keeps having left it under the adopting pack's id (which the
    operator's defaults cover): adoption moves each server's choice, follow or unfollow, as it is."""
    await fandoms.add(1)
    await store.fandoms.follow(7, "tvmaze-1", 1, NOW)
    await store.fandoms.unfollow(8, "tvmaze-1", 1, NOW)
    path = tmp_path / "lumon.yaml"
    path.write_text(OVERLAY)
    await store.packs.import_files([path])
    assert "lumon" in await store.fandoms.followed_keys(7)
    assert "lumon" not in await store.fandoms.followed_keys(8)


async def test_two_packs_syncing_one_show_are_a_problem_named_at_start_up(store: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "lumon.yaml", tmp_path / "severed.yaml"
    first.write_text(OVERLAY)
    second.write_text(OVERLAY.replace("id: lumon,", "id: severed,"))
    with pytest.raises(PackErrors) as caught:
        await store.packs.import_files([first, second])
    assert f"TVmaze show 1 is also synced by {first}" in str(caught.value)
    await store.packs.import_files([first])
    with pytest.raises(PackErrors):  # the first file known and skipped: still found
        await store.packs.import_files([first, second])


async def run_cli(module: str, *args: str, api: str) -> tuple[int, str, str]:
    """`python -m bot|db ARGS` against the TVmaze double."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, env={**os.environ, "TVMAZE_API_BASE": api},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_the_draft_command_writes_a_pack_that_db_check_accepts(store: Store, tvmaze: TvmazeDouble, tmp_path: Path) -> None:
    path = tmp_path / "severance.yaml"
    code, out, err = await run_cli("bot", "draft", "tvmaze", "Severance", "-o", str(path), api=tvmaze.base_url)
    assert code == 0, err
    assert "wrote Severance (TVmaze 1, 2024) to" in out
    text = path.read_text()
    assert text.startswith("# Severance, drafted from TVmaze") and "CC BY-SA 4.0" in text and "tvmaze: 1" in text
    assert "rating: 8.1" in text and text.count("rating:") == 3  # TVmaze's ratings, unrated episodes without one
    code, out, err = await run_cli("db", "check", str(path), api=tvmaze.base_url)
    assert code == 0 and "ok — pack `tvmaze-1`" in out, err
    code, out, _ = await run_cli("bot", "draft", "tvmaze", "4", api=tvmaze.base_url)
    assert code == 0 and "Holiday Special" in out
    code, _, err = await run_cli("bot", "draft", "tvmaze", "No Such Show", api=tvmaze.base_url)
    assert code == 1 and "TVmaze has no show called “No Such Show”." in err


async def test_the_old_draft_command_names_the_new_one_in_one_line(tvmaze: TvmazeDouble, tmp_path: Path) -> None:
    path = tmp_path / "severance.yaml"
    code, out, err = await run_cli("db", "draft", "tvmaze", "Severance", "-o", str(path), api=tvmaze.base_url)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == ["error: `python -m db draft` is now `python -m bot draft tvmaze SHOW_OR_ID [-o FILE]`"]
    assert not path.exists() and not tvmaze.requests  # TVmaze is not asked


def test_the_tvmaze_settings_default_and_name_what_is_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    for name in ("TVMAZE_API_BASE", "TVMAZE_IMPORTS", "TVMAZE_SYNC_HOURS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.tvmaze_api_base, settings.tvmaze_imports, settings.tvmaze_sync_hours) == ("https://api.tvmaze.com", "on", 12.0)
    monkeypatch.setenv("TVMAZE_IMPORTS", "OFF")
    monkeypatch.setenv("TVMAZE_API_BASE", "http://127.0.0.1:8080/")
    settings = load_settings()
    assert (settings.tvmaze_imports, settings.tvmaze_api_base) == ("off", "http://127.0.0.1:8080")
    for name, bad in (("TVMAZE_IMPORTS", "maybe"), ("TVMAZE_SYNC_HOURS", "0"), ("TVMAZE_API_BASE", "api.tvmaze.com")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SettingsError, match=name):
            load_settings()
        monkeypatch.delenv(name)
