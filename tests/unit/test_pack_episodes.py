"""Episodes in packs: listed under a season, imported as releases, read back in order, exported again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from db import PackError, Store
from db.facts.models import ReleaseKind
from db.packs.check import check_pack_text
from db.packs.format import dump_pack

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
SHOW = WEEKLY.read_text()


def problems_of(text: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        check_pack_text(text, "pack.yaml")
    return [p.render("pack.yaml") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("{number: 2, title: Half Loop", "{number: 1, title: Half Loop", "episode 1 of season 1 is listed twice"),
        ("{number: 3, date:", "{date:", "an episode needs its number"),
        ("{title: Behind the Scenes", "{number: 4, title: Behind the Scenes", "a special has no number"),
        ("key: e102", "key: e101", "key `e101` is used twice in season 1"),
        ('date: "2030-01-19"', 'date: "2030-19-01"', "is not a real calendar date"),
        ("source: b}", "source: c}", "unknown source `c`"),
        ("runtime: 57", "runtime: 0", "is 0; must be at least 1"),
    ],
)
def test_bad_episodes_are_reported_with_their_location(old: str, new: str, expected: str) -> None:
    assert old in SHOW
    found = problems_of(SHOW.replace(old, new))
    assert any(expected in p and "seasons.0." in p for p in found), found


async def test_episodes_are_releases_with_their_numbers_titles_and_dates(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(SHOW)
    await store.packs.import_file(path)
    await store.fandoms.set_following(1, frozenset({"weekly"}), 7, datetime.now(UTC))
    series_id = await store.fetch_value("SELECT id FROM series WHERE key = 'show'")
    series = await store.series.get(series_id, 1)
    assert series is not None
    first, second = series.seasons
    assert first.episodes == 3 and second.episodes == 9 and second.episode_list == ()
    titles = [(e.kind, e.episode, e.label) for e in first.episode_list]
    assert titles == [
        (ReleaseKind.EPISODE, 1, "The Show S1E01 — “Good News”"),
        (ReleaseKind.EPISODE, 2, "The Show S1E02 — “Half Loop”"),
        (ReleaseKind.EPISODE, 3, "The Show S1E03"),
        (ReleaseKind.SPECIAL, None, "The Show S1 special — “Behind the Scenes”"),
    ]
    assert first.premiere is first.episode_list[0] and first.finale is first.episode_list[2]
    assert second.premiere is second.release and second.finale is None
    assert first.episode_list[0].runtime == 57
    premiere = first.episode_list[0].current
    assert premiere is not None and premiere.date.starts_at is not None
    assert premiere.date.starts_at.isoformat() == "2030-01-05T02:00:00+00:00"
    day = first.episode_list[2].current
    assert day is not None and day.date.precision == "day" and day.date.timezone == "America/New_York"


async def test_a_renumbered_episode_keeps_its_release_id(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(SHOW)
    await store.packs.import_file(path)
    before = await store.fetch_value("SELECT id FROM releases WHERE key = 'show/s1/e102'")
    path.write_text(SHOW.replace("{number: 2, title: Half Loop", "{number: 4, title: Half Loop"))
    report = await store.packs.import_file(path)
    assert report.updated["releases"] == 1  # its number and title changed; the id did not
    assert await store.fetch_value("SELECT id FROM releases WHERE key = 'show/s1/e102'") == before


async def test_export_round_trips_episodes(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(SHOW)
    await store.packs.import_file(path)
    spec = await store.packs.export("weekly")
    assert spec is not None
    again = tmp_path / "again.yaml"
    again.write_text(dump_pack(spec))
    report = await store.packs.import_file(again, force=True)
    assert not report.changed, report.summary()


async def test_a_reimport_reports_each_episode_that_moved_appeared_or_went(store: Store) -> None:
    first = await store.packs.import_checked(check_pack_text(SHOW, "weekly.yaml"))
    assert first.moved == []  # a first import moves nothing
    moved = SHOW.replace("2030-01-12T02:00:00+00:00", "2030-01-13T03:00:00+00:00")  # E02 moves
    moved = moved.replace('date: "2030-01-19", timezone: America/New_York, source: b', 'date: unknown, source: b')  # E03 loses its day
    finale = '          - {number: 4, title: Finale, date: "2030-01-26T02:00:00+00:00"}\n'
    moved = moved.replace("        specials:", finale + "        specials:")
    report = await store.packs.import_checked(check_pack_text(moved, "weekly.yaml"))
    by_label = {m.label: m for m in report.moved}
    assert set(by_label) == {"The Show S1E02 — “Half Loop”", "The Show S1E03", "The Show S1E04 — “Finale”"}
    half = by_label["The Show S1E02 — “Half Loop”"]
    assert (half.pack_key, half.before, half.after) == (
        "weekly", datetime(2030, 1, 12, 2, tzinfo=UTC), datetime(2030, 1, 13, 3, tzinfo=UTC)
    )
    assert half.release_id is not None
    third = by_label["The Show S1E03"]
    assert third.before is not None and third.before.date().isoformat() == "2030-01-19" and third.after is None
    assert by_label["The Show S1E04 — “Finale”"].before is None
    gone = await store.packs.import_checked(check_pack_text(SHOW, "weekly.yaml"))
    went = next(m for m in gone.moved if m.label.endswith("“Finale”"))
    assert went.release_id is None and went.after is None  # removed
    assert (await store.packs.import_checked(check_pack_text(SHOW, "weekly.yaml"), force=True)).moved == []


async def test_the_store_says_which_packs_changed_since_a_generation(store: Store, tmp_path: Path) -> None:
    """Reminders re-plan only the guilds following what changed; a log that no longer reaches back says so."""
    path = tmp_path / "weekly.yaml"
    path.write_text(SHOW)
    await store.packs.import_file(path)
    first, _ = await store.packs.changed_since(0)
    await store.packs.import_file(Path(__file__).parents[1] / "packs" / "harbor.yaml")
    path.write_text(SHOW.replace("Half Loop", "Half Loop Part One"))
    await store.packs.import_file(path)
    assert await store.packs.changed_since(first) == (first + 2, frozenset({"harbor", "weekly"}))
    await store.packs.remove("harbor")
    assert await store.packs.changed_since(first + 2) == (first + 3, frozenset({"harbor"}))
    assert await store.packs.changed_since(first + 3) == (first + 3, frozenset())
    for n in range(64):
        path.write_text(SHOW.replace("Half Loop", f"Half Loop {n}"))
        await store.packs.import_file(path)
    assert await store.packs.changed_since(first) == (first + 67, None)
