"""Sights and the name indexes that follow them: what a reply may see, read from a real store (both
backends) filled by the real importer with tests/packs/spoilers.yaml, and what the shared indexes
then find, complete and suggest for that reader."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.search.directory import Directory
from bot.search.scoped_index import ScopedIndex
from bot.search.seen import seen_index
from bot.spoilers.positions import EVERYTHING, NOT_STARTED, at
from bot.spoilers.sight import SEES_ALL, SEES_NONE, Sight, marked_series
from bot.spoilers.sights import Sights
from db import Store
from db.facts.models import EpisodeMark
from db.repos.viewers.progress import StoredProgress
from db.repos.viewers.reach import StoredReach

PACK = Path(__file__).parents[1] / "packs" / "spoilers.yaml"
BEFORE = datetime(2029, 6, 1, tzinfo=UTC)  # The Show's S1 airs 5, 12 and 19 January 2030
GUILD, OTHER, CHANNEL, OVERRIDDEN, MEMBER = 10, 11, 100, 101, 7


def test_a_sight_sees_a_mark_up_to_its_series_limit_and_hides_one_in_a_series_it_was_not_built_for() -> None:
    sight = Sight.of({1: at(1, 2), 2: NOT_STARTED, 3: EVERYTHING})
    assert sight.limits == ((1, 10002), (2, SEES_NONE), (3, SEES_ALL))
    assert sight.sees(None) and sight.sees(EpisodeMark(1, 10002)) and not sight.sees(EpisodeMark(1, 10003))
    assert not sight.sees(EpisodeMark(1, 20001))  # a later season
    assert not sight.sees(EpisodeMark(2, 10001)) and sight.sees(EpisodeMark(3, 990001))
    assert not sight.sees(EpisodeMark(4, 1))  # not built for series 4: hidden, when in doubt
    assert sight.within([1, 4]) == Sight(((1, 10002),))
    assert marked_series([None, EpisodeMark(3, 1), EpisodeMark(1, 2), EpisodeMark(3, 5)]) == (1, 3)


@pytest.fixture
async def show(store: Store) -> tuple[int, int]:
    """(The Show's id, The Spinoff's id) in a store holding tests/packs/spoilers.yaml."""
    await store.packs.import_files([PACK])
    ids = {s.title: s.id for s in await store.series.summaries(None)}
    return ids["The Show"], ids["The Spinoff"]


async def test_a_public_sight_follows_the_override_then_the_server_then_aired_with_its_delay(
    store: Store, show: tuple[int, int]
) -> None:
    the_show, spinoff = show
    sights = Sights(store)
    assert (await sights.public(GUILD, CHANNEL, [the_show, spinoff], BEFORE)).limits == ((the_show, SEES_NONE), (spinoff, SEES_NONE))
    # aired + 7d: S01E02 (12 Jan) counts from 19 Jan; S01E03 (19 Jan) from the 26th.
    on_the_20th = datetime(2030, 1, 20, 12, tzinfo=UTC)
    assert (await sights.public(GUILD, CHANNEL, [the_show], on_the_20th)).limit(the_show) == 10002
    await store.spoiler_reach.set(GUILD, StoredReach(the_show, None, "episode", 0, 2, 5), None, BEFORE)
    await store.spoiler_reach.set(GUILD, StoredReach(the_show, OVERRIDDEN, "all", 0), None, BEFORE)
    assert (await sights.public(GUILD, CHANNEL, [the_show], BEFORE)).limit(the_show) == 20005
    assert (await sights.public(GUILD, OVERRIDDEN, [the_show], BEFORE)).limit(the_show) == SEES_ALL
    assert (await sights.public(OTHER, CHANNEL, [the_show], BEFORE)).limit(the_show) == SEES_NONE  # another server
    assert (await sights.public(None, None, [the_show], BEFORE)).limit(the_show) == SEES_NONE  # a DM: the default
    assert (await sights.public(GUILD, CHANNEL, [], BEFORE)) == Sight()


async def test_a_readers_sight_takes_their_own_progress_where_set_and_the_channels_elsewhere(
    store: Store, show: tuple[int, int]
) -> None:
    the_show, spinoff = show
    sights = Sights(store)
    await store.spoiler_reach.set(GUILD, StoredReach(spinoff, None, "all", 0), None, BEFORE)
    read = await sights.reader(GUILD, CHANNEL, MEMBER, [the_show, spinoff], BEFORE)
    assert not read.own and read.sight == Sight(((the_show, SEES_NONE), (spinoff, SEES_ALL)))
    await store.viewer_progress.set(MEMBER, StoredProgress(the_show, 2, 5), BEFORE)
    read = await sights.reader(GUILD, CHANNEL, MEMBER, [the_show, spinoff], BEFORE)
    assert read.own and read.sight == Sight(((the_show, 20005), (spinoff, SEES_ALL)))
    assert (await sights.reader(OTHER, CHANNEL, MEMBER, [spinoff], BEFORE)).sight.limit(spinoff) == SEES_NONE


async def test_the_index_hides_a_character_and_a_later_alias_until_the_reader_reaches_them(
    store: Store, show: tuple[int, int]
) -> None:
    the_show, _ = show
    directory, sights = Directory(store), Sights(store)
    assert await directory.marked_series(None) == tuple(sorted(show))  # the spinoff marks an appearance

    async def index(user: int | None = None) -> ScopedIndex:
        return await seen_index(directory, sights, "characters", GUILD, CHANNEL, user, BEFORE)

    # Default, before anything airs: Bram (from S01E02) and the alias "The Heir" (S02E05) are unknown.
    hidden = await index()
    assert hidden.resolve("Bram Holt") == [] and [m.target for m in hidden.complete("")] == [hidden.resolve("Ada")[0].target]
    assert hidden.resolve("The Heir") == [] and hidden.suggest("Bram Hol") == [] and hidden.suggest("The Hier") == []
    assert [hidden.label(m.target) for m in hidden.complete("b")] == []
    # A member's own progress shows them in their autocomplete, while the channel still hides them.
    await store.viewer_progress.set(MEMBER, StoredProgress(the_show, 2, 5), BEFORE)
    mine = await index(MEMBER)
    assert [mine.label(m.target) for m in mine.complete("b")] == ["Bram Holt"]
    assert mine.label(mine.resolve("The Heir")[0].target) == "Ada Vale"
    assert (await index()).resolve("Bram Holt") == []
    # The server going to S01E02 shows Bram in public, not yet the alias.
    await store.spoiler_reach.set(GUILD, StoredReach(the_show, None, "episode", 0, 1, 2), None, BEFORE)
    public = await index()
    assert public.label(public.resolve("Bram Holt")[0].target) == "Bram Holt" and public.resolve("The Heir") == []
    # An unfiltered index (a caller that asks for no sight) is unchanged: the indexes are shared, not copied.
    assert (await directory.characters(GUILD)).resolve("The Heir") != []


async def test_ship_names_are_hidden_until_the_ship_and_both_characters_are_known(store: Store, show: tuple[int, int]) -> None:
    the_show, _ = show
    directory = Directory(store)
    early = await directory.seen("ships", None, Sight(((the_show, 10002),)))
    assert early.resolve("Adram") == [] and early.complete("ad") == [] and early.suggest("Adrem") == []
    later = await directory.seen("ships", None, Sight(((the_show, 10003),)))
    assert later.label(later.resolve("Adram")[0].target) == "Adram"


async def test_what_a_sight_hides_is_worked_out_once_per_scope_and_sight(store: Store, show: tuple[int, int]) -> None:
    the_show, _ = show
    directory = Directory(store)
    first = await directory.seen("characters", None, Sight(((the_show, SEES_NONE),)))
    again = await directory.seen("characters", None, Sight(((the_show, SEES_NONE),)))
    assert first._hidden is again._hidden  # the same frozen sets: no scan of the marked names per reply
    assert (await directory.seen("characters", None, Sight(((the_show, SEES_ALL),)))) is await directory.characters(None)


def test_two_sights_meet_at_the_nearer_position_in_each_series_both_know() -> None:
    channel = Sight(((1, SEES_ALL), (2, 10003), (3, 10001)))
    member = Sight(((1, 20005), (2, SEES_NONE)))
    assert channel.meet(member) == member.meet(channel) == Sight(((1, 20005), (2, SEES_NONE)))  # 3: hidden


async def test_a_sight_is_reused_for_two_seconds_and_read_again_at_once_after_a_write_here(tmp_path: Path) -> None:
    """A member's keystrokes share one read; a write in this process is seen at once, one by another
    process (here: a second store on the same file) within FRESH seconds."""
    async with Store.open(tmp_path / "s.sqlite3") as here, Store.open(tmp_path / "s.sqlite3") as elsewhere:
        await here.migrate()
        await here.packs.import_files([PACK])
        the_show = next(s.id for s in await here.series.summaries(None) if s.title == "The Show")
        sights = Sights(here)
        assert (await sights.reader(GUILD, CHANNEL, MEMBER, [the_show], BEFORE)).sight.limit(the_show) == SEES_NONE
        await elsewhere.viewer_progress.set(MEMBER, StoredProgress(the_show, 1, 2), BEFORE)
        soon = BEFORE.replace(second=1)
        assert (await sights.reader(GUILD, CHANNEL, MEMBER, [the_show], soon)).sight.limit(the_show) == SEES_NONE
        later = BEFORE.replace(second=3)
        assert (await sights.reader(GUILD, CHANNEL, MEMBER, [the_show], later)).sight.limit(the_show) == 10002
        await here.viewer_progress.set(MEMBER, StoredProgress(the_show, 2, 1), later)  # a write here: seen at once
        assert (await sights.reader(GUILD, CHANNEL, MEMBER, [the_show], later)).sight.limit(the_show) == 20001
