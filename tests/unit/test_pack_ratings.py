"""TVmaze's own episode rating in packs: checked with its place in the file, imported, read back by
the release repository, exported again, and kept in step by a re-import that never calls it a move."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from db import PackError, Store
from db.packs.check import check_pack_text
from db.packs.format import dump_pack

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
FIRST = "runtime: 57, key: e101}"
SPECIAL = '{title: Behind the Scenes, date: "2030-02-01T02:00:00+00:00"}'
# The weekly show with TVmaze's ratings on S1E01 and on the special; S1E02 and S1E03 are unrated.
RATED = (
    WEEKLY.read_text()
    .replace(FIRST, "runtime: 57, rating: 8.3, key: e101}")
    .replace(SPECIAL, SPECIAL.replace("}", ", rating: 7}"))
)


def problems_of(text: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        check_pack_text(text, "pack.yaml")
    return [p.render("pack.yaml") for p in caught.value.problems]


@pytest.mark.parametrize(("written", "read"), [("7.5", 7.5), ("0", 0.0), ("10", 10.0), ("10.0", 10.0), ("null", None)])
def test_a_rating_from_0_to_10_with_one_decimal_is_accepted(written: str, read: float | None) -> None:
    spec = check_pack_text(RATED.replace("rating: 8.3", f"rating: {written}"), "pack.yaml").spec
    assert spec.series["show"].seasons[0].episode_list[0].rating == read


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("10.5", "is 10.5; a rating is a number from 0 to 10 (TVmaze's scale), like 7.5"),
        ("-1", "is -1; a rating is a number from 0 to 10"),
        (".nan", "is .nan; a rating is a number from 0 to 10"),
        (".inf", "is .inf; a rating is a number from 0 to 10"),
        ("7.25", "is 7.25; a rating has at most one decimal (TVmaze's scale), like 7.2"),
        ("true", "is `true`; expected a number"),
        ('"8.3"', "is text; expected a number"),
    ],
)
def test_a_bad_rating_is_refused_with_its_file_line_and_path(written: str, expected: str) -> None:
    found = problems_of(RATED.replace("rating: 8.3", f"rating: {written}"))
    assert len(found) == 1 and found[0].startswith(f"pack.yaml:16: series.show.seasons.0.episodes.0.rating: {expected}"), found


async def _ids(store: Store) -> dict[str, int]:
    rows = await store.fetch_all("SELECT key, id FROM releases WHERE pack_id IS NOT NULL")
    return {key.rsplit("/", 1)[-1]: rid for key, rid in rows}


async def test_ratings_are_stored_read_back_and_round_trip_through_export(store: Store, tmp_path: Path) -> None:
    await store.packs.import_checked(check_pack_text(RATED, "weekly.yaml"))
    ids = await _ids(store)
    series_id = await store.fetch_value("SELECT id FROM series WHERE key = 'show'")
    assert await store.releases.tvmaze_ratings(series_id) == {ids["e101"]: 8.3, ids["special1"]: 7.0}
    await store.fandoms.set_following(1, frozenset({"weekly"}), 7, datetime.now(UTC))
    series = await store.series.get(series_id, 1)
    assert series is not None
    first = series.seasons[0]
    assert [(e.label, e.rating) for e in first.episode_list] == [
        ("The Show S1E01 — “Good News”", 8.3),
        ("The Show S1E02 — “Half Loop”", None),  # unrated stays unrated
        ("The Show S1E03", None),
        ("The Show S1 special — “Behind the Scenes”", 7.0),
    ]
    assert first.release is None and series.seasons[1].release is not None and series.seasons[1].release.rating is None

    spec = await store.packs.export("weekly")
    assert spec is not None
    episodes = spec.series["show"].seasons[0]
    assert [e.rating for e in episodes.episode_list] == [8.3, None, None] and episodes.specials[0].rating == 7.0
    again = tmp_path / "again.yaml"
    again.write_text(dump_pack(spec))
    assert "rating: 8.3" in again.read_text() and again.read_text().count("rating:") == 2  # unrated: no key written
    report = await store.packs.import_file(again, force=True)
    assert not report.changed, report.summary()  # the stored float compares equal on both backends
    assert await store.releases.tvmaze_ratings(series_id) == {ids["e101"]: 8.3, ids["special1"]: 7.0}


async def test_a_reimport_that_changes_only_ratings_updates_them_and_moves_nothing(store: Store) -> None:
    await store.packs.import_checked(check_pack_text(RATED, "weekly.yaml"))
    ids = await _ids(store)
    series_id = await store.fetch_value("SELECT id FROM series WHERE key = 'show'")
    changed = RATED.replace("rating: 8.3", "rating: 8.4").replace(", rating: 7}", "}").replace(
        "{number: 2, title: Half Loop,", "{number: 2, title: Half Loop, rating: 6.9,"
    )
    report = await store.packs.import_checked(check_pack_text(changed, "weekly.yaml"))
    assert report.updated["releases"] == 3 and report.updated["release_dates"] == 0
    assert report.moved == []  # a rating is no move: no notice, no re-planned reminder
    assert await store.releases.tvmaze_ratings(series_id) == {ids["e101"]: 8.4, ids["e102"]: 6.9}
    assert await _ids(store) == ids  # updated in place: whatever refers to a release keeps it
    same = await store.packs.import_checked(check_pack_text(changed, "weekly.yaml"), force=True)
    assert not same.changed and same.moved == []


async def test_ratings_are_read_per_series_and_go_when_tvmaze_has_none(store: Store) -> None:
    await store.packs.import_checked(check_pack_text(RATED, "weekly.yaml"))
    series_id = await store.fetch_value("SELECT id FROM series WHERE key = 'show'")
    assert await store.releases.tvmaze_ratings(series_id + 1000) == {}
    report = await store.packs.import_checked(check_pack_text(WEEKLY.read_text(), "weekly.yaml"))  # ratings gone
    assert report.updated["releases"] == 2 and report.moved == []
    assert await store.releases.tvmaze_ratings(series_id) == {}
