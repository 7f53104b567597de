"""The release index is built once per (facts revision, followed packs, the guild's own dates) and reused
by every keystroke until one of them changes; guilds that see the same releases share it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cogs.countdown.catalog import ReleaseCatalog
from db import Store
from db.facts.dates import parse_partial_date
from db.repos.viewers.progress import StoredProgress

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
NOW = datetime(2029, 12, 1, tzinfo=UTC)
READER = (10, 7)  # (channel, user) asking
FAN = (10, 9)  # another member, who has watched more


async def test_the_index_is_reused_until_the_facts_the_fandoms_or_the_guilds_own_dates_change(store: Store) -> None:
    await store.packs.import_file(WEEKLY)
    catalog = ReleaseCatalog(store)
    first = await catalog.view(1)
    assert await catalog.view(1) is first  # the next keystroke
    assert await catalog.view(2) is first  # another guild seeing the same releases
    found = await catalog.exact(1, "the show s1e2")
    assert found is not None and found.episode_title == "Half Loop"

    await store.release_writer.set_date(1, found.title, parse_partial_date("2030-03-01 20:00", "UTC"), 7, NOW, found.id)
    moved = await catalog.view(1)
    assert moved is not first and await catalog.view(2) is first  # only guild 1's own date changed
    assert moved.by_id[found.id].current.guild_id == 1  # type: ignore[union-attr]
    assert [c.value for c in await catalog.choices(1, "", reader=READER, own_only=True, now=NOW)] == ["The Show S1E02"]

    await store.fandoms.set_following(2, frozenset(), 7, NOW)
    store.fandoms.forget(2)
    assert len(await catalog.view(2)) == 0  # guild 2 follows nothing now

    await store.facts.publish(None)
    assert await catalog.view(1) is not moved


async def test_episodes_are_found_by_code_and_title_but_a_title_alone_is_never_an_exact_release(store: Store) -> None:
    await store.packs.import_file(WEEKLY)
    catalog = ReleaseCatalog(store)
    series_id = (await catalog.view(1)).series.best("The Show").target  # type: ignore[union-attr]
    await store.viewer_progress.set(FAN[1], StoredProgress(series_id, 2, 1), NOW)  # past season 1 and its special
    for typed in ("The Show S1E01", "the show 1x01", "show s1e1", "Good News"):
        release, _ = await catalog.resolve(1, typed, reader=FAN, now=NOW)
        assert release is not None and release.title == "The Show S1E01", typed
    assert await catalog.exact(1, "Good News") is None  # /release set "Good News" adds a release of that name
    special, _ = await catalog.resolve(1, "The Show S1 special — “Behind the Scenes”", reader=FAN, now=NOW)
    assert special is not None and special.episode_title == "Behind the Scenes"
    # The reader has watched S1E01: a later episode is offered by its code and time, its title left out.
    assert release is not None and release.series_id is not None
    await store.viewer_progress.set(READER[1], StoredProgress(release.series_id, 1, 1), NOW)
    choices = await catalog.choices(1, "the show", reader=READER, now=NOW)
    assert [c.value for c in choices[:3]] == ["The Show S1E01", "The Show S1E02", "The Show S1E03"]
    assert choices[0].name == "The Show S1E01 — “Good News” · Fri 4 Jan 2030 18:00 PST · in 35 days"  # the default zone, named
    assert choices[1].name.startswith("The Show S1E02 · ") and "Half Loop" not in choices[1].name
    # Someone else, at the channel's position (the default, aired + 7d: nothing has aired), sees no titles.
    assert all("“" not in c.name for c in await catalog.choices(1, "the show", reader=(10, 8), now=NOW))


async def test_an_episode_past_the_readers_position_is_not_found_or_suggested_by_its_own_title(store: Store) -> None:
    """/countdown and /remindme find as autocomplete offers: a title the reader has not watched finds
    nothing and no close title names it; its code still finds it."""
    await store.packs.import_file(WEEKLY)
    catalog = ReleaseCatalog(store)
    for typed in ("Good News", "Half Loop", "Half Lop", "The Show S1 special — “Behind the Scenes”"):
        release, close = await catalog.resolve(1, typed, reader=READER, now=NOW)  # the default: nothing aired
        assert release is None and not any(t in c for c in close for t in ("Good News", "Half Loop", "Behind")), (typed, close)
    release, _ = await catalog.resolve(1, "the show s1e2", reader=READER, now=NOW)
    assert release is not None and release.episode_title == "Half Loop"
    series_id = release.series_id
    assert series_id is not None
    await store.viewer_progress.set(READER[1], StoredProgress(series_id, 1, 2), NOW)
    release, _ = await catalog.resolve(1, "Half Loop", reader=READER, now=NOW)
    assert release is not None and release.title == "The Show S1E02"
    _, close = await catalog.resolve(1, "Half Lop", reader=READER, now=NOW)
    assert close == [] or all("“" not in c for c in close)  # a suggestion names a release, never an episode by its title
