"""Many packs in one store: what each guild sees and follows, importing only what changed, one report
of every problem, and removing a pack without losing any guild's data (its follows included) — against
a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bot.scheduling.scheduler import Scheduler
from cogs.countdown.reminder_planner import ReminderPlanner
from db import DefaultFandoms, PackErrors, Store, bundled_pack_path, find_pack_files
from db.facts.dates import parse_partial_date
from db.packs.check import PackError, check_pack_file, check_pack_text
from db.packs.reading import fast_path_is_safe, load_yaml
from db.repos.packs.changes import FactsChange

HARBOR = Path(__file__).parents[1] / "packs" / "harbor.yaml"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
async def two(store: Store) -> Store:
    await store.packs.import_files([bundled_pack_path(), HARBOR])
    return store


async def names(store: Store, guild: int | None) -> set[str]:
    return {c.name for c in await store.characters.summaries(guild)}


async def test_each_guild_sees_the_fandoms_it_follows_and_by_default_all(two: Store) -> None:
    assert {"Matt Murdock", "Mara Quill"} <= await names(two, 1)
    await two.fandoms.set_following(1, frozenset({"harbor"}), 7, NOW)
    await two.fandoms.set_following(2, frozenset({"defenders"}), 7, NOW)
    assert await names(two, 1) == {"Claire Temple", "Mara Quill", "Jonah Pike"}
    assert "Mara Quill" not in await names(two, 2) and "Matt Murdock" in await names(two, 2)
    assert [r.title for r in await two.releases.visible(1)] == ["Harbor Lights season 1", "Harbor Lights season 2"]
    assert all("Harbor" not in r.title for r in await two.releases.visible(2))
    assert (await two.counts(1)).characters == 3 and (await two.counts(2)).characters == 23
    await two.fandoms.set_following(1, frozenset(), 7, NOW)
    assert await names(two, 1) == set() and (await two.counts(1)).releases == 0


async def test_default_fandoms_none_or_a_list(two: Store) -> None:
    two.fandoms.default = DefaultFandoms.parse("none")
    two.fandoms.forget()
    assert await names(two, 5) == set()
    two.fandoms.default = DefaultFandoms.parse("harbor")
    two.fandoms.forget()
    assert await names(two, 5) == {"Claire Temple", "Mara Quill", "Jonah Pike"}
    assert DefaultFandoms.parse(" ALL ") == DefaultFandoms(True)
    assert DefaultFandoms.parse("a, b,a").keys == ("a", "b")
    with pytest.raises(ValueError, match="`all`, `none` or pack ids"):
        DefaultFandoms.parse("Harbor Lights")


async def added_from_tvmaze(store: Store, path: Path, show_id: int) -> None:
    """The pack at `path` as `/fandom add` leaves one: imported and registered as synced, with no
    overlay (no file of the operator's), in one transaction."""
    async with store.transaction():
        [report] = await store.packs.import_files([path])
        await store.tvmaze_shows.register(report.pack, show_id, overlay=None, show_updated=1, now=NOW)


async def keys(store: Store, guild: int | None) -> frozenset[str]:
    return await store.fandoms.followed_keys(guild)


async def test_a_fandom_a_server_added_is_followed_by_its_followers_only_and_an_add_leaves_the_defaults(store: Store) -> None:
    """Item 1: DEFAULT_FANDOMS covers the operator's packs only, and a server's first add is its choice."""
    await store.packs.import_file(bundled_pack_path())
    await added_from_tvmaze(store, HARBOR, 2)
    for guild in (1, 2):
        await store.subscriptions.upsert(guild, 100 + guild, None, (0,), 7, NOW)
    # Every server that never chose follows the bundled pack and not the added one; outside a server
    # (guild None: a DM, a group DM, a server without the bot) every fandom the bot holds is seen.
    assert await keys(store, 1) == {"defenders"}
    assert await keys(store, None) == {"defenders", "harbor"}
    assert "Mara Quill" not in await names(store, 1) and "Matt Murdock" in await names(store, 1)
    store.fandoms.default = DefaultFandoms.parse("defenders,harbor")  # not even when the operator lists it
    assert await keys(store, 1) == {"defenders"}
    store.fandoms.default = DefaultFandoms()
    # Server 2 adds the show: it follows that, and stops following the bundled pack.
    assert await store.fandoms.follow_as_choice(2, "harbor", 7, NOW) == {"defenders"}
    assert await names(store, 2) == {"Claire Temple", "Mara Quill", "Jonah Pike"}
    assert await keys(store, 1) == {"defenders"}
    assert await store.subscriptions.guilds_with_reminders_following("harbor") == [2]
    assert await store.subscriptions.guilds_with_reminders_following("defenders") == [1]
    # It follows the bundled pack back; a later add is no new choice and drops nothing.
    await store.fandoms.follow(2, "defenders", 7, NOW)
    assert await store.fandoms.follow_as_choice(2, "harbor", 7, NOW) == frozenset()
    assert await keys(store, 2) == {"defenders", "harbor"}
    # A server that followed the added show while on the defaults keeps them.
    await store.fandoms.follow(3, "harbor", 7, NOW)
    assert await keys(store, 3) == {"defenders", "harbor"}
    # What a server explicitly followed before its first add stays; what it unfollowed stays unfollowed.
    await store.fandoms.follow(4, "defenders", 7, NOW)
    assert await store.fandoms.follow_as_choice(4, "harbor", 7, NOW) == frozenset()
    assert await keys(store, 4) == {"defenders", "harbor"}


async def test_an_upgraded_store_keeps_each_servers_choice(store: Store) -> None:
    """A server that chose before follows were rows of their own follows what it chose; one that never
    chose still follows the defaults."""
    await store.packs.import_files([bundled_pack_path(), HARBOR])
    async with store.transaction() as conn:  # what the code before migration 0011 wrote for a choice
        await conn.execute("INSERT INTO guild_settings (guild_id, fandoms_chosen, updated_at) VALUES (1, 1, ?)", (NOW.isoformat(),))
        await conn.execute(
            "INSERT INTO guild_fandoms (guild_id, pack_key, followed_by, followed_at) VALUES (1, 'harbor', 7, ?)", (NOW.isoformat(),)
        )
    assert await keys(store, 1) == {"harbor"} and await keys(store, 2) == {"defenders", "harbor"}


async def test_concurrent_follows_and_unfollows_of_one_server_are_all_kept(store: Store) -> None:
    """Item 9: a follow is a row of its own, so choices made at once never overwrite one another."""
    third = Path(__file__).parents[1] / "packs" / "weekly.yaml"
    await store.packs.import_files([bundled_pack_path(), HARBOR, third])
    store.fandoms.default = DefaultFandoms.parse("none")
    for round_ in range(5):
        guild = 10 + round_
        await store.fandoms.follow(guild, "weekly", 7, NOW)
        await asyncio.gather(
            store.fandoms.follow(guild, "defenders", 7, NOW),
            store.fandoms.follow(guild, "harbor", 8, NOW),
            store.fandoms.unfollow(guild, "weekly", 9, NOW),
        )
        assert await keys(store, guild) == {"defenders", "harbor"}
    # As the commands make them: each choice commits with the server's reminders re-planned.
    planner = ReminderPlanner(store, Scheduler(store, clock=lambda: NOW), lambda: NOW)
    await store.subscriptions.upsert(15, 100, None, (0,), 7, NOW)
    await asyncio.gather(*(planner.apply(15, partial(store.fandoms.follow, 15, key, 7, NOW)) for key in ("defenders", "harbor", "weekly")))
    assert await keys(store, 15) == {"defenders", "harbor", "weekly"}
    # Two adds at once (each a server's choice) keep both shows too.
    store.fandoms.default = DefaultFandoms()
    dropped = await asyncio.gather(
        store.fandoms.follow_as_choice(20, "harbor", 7, NOW), store.fandoms.follow_as_choice(20, "weekly", 8, NOW)
    )
    assert await keys(store, 20) == {"harbor", "weekly"} and "defenders" in dropped[0] | dropped[1]


async def test_a_follow_survives_a_removal_and_reimport_whatever_is_chosen_meanwhile(store: Store) -> None:
    """Item 11: a removal never takes a follow with it, not even when choices race the removal."""
    await store.packs.import_files([bundled_pack_path(), HARBOR])
    await store.fandoms.set_following(1, frozenset({"harbor"}), 7, NOW)
    await store.fandoms.set_following(2, frozenset({"harbor", "defenders"}), 7, NOW)
    removing = asyncio.Event()

    async def remove_slowly() -> None:
        async with store.transaction():
            assert await store.packs.remove("harbor") is not None
            removing.set()
            await asyncio.sleep(0.3)  # the follows below land while the removal is open (PostgreSQL) or right after it

    async def choose_meanwhile() -> None:
        await removing.wait()
        await asyncio.gather(store.fandoms.follow(1, "defenders", 7, NOW), store.fandoms.unfollow(2, "defenders", 7, NOW))

    await asyncio.gather(remove_slowly(), choose_meanwhile())
    assert await keys(store, 1) == {"defenders"} and await keys(store, 2) == frozenset()
    await store.fandoms.follow(1, "defenders", 7, NOW)  # and after it, while the pack is away
    await store.fandoms.unfollow(2, "defenders", 7, NOW)
    await store.packs.import_file(HARBOR)
    assert await keys(store, 1) == {"defenders", "harbor"} and await keys(store, 2) == {"harbor"}
    assert "Mara Quill" in await names(store, 1) and "Mara Quill" in await names(store, 2)


async def test_a_reader_during_an_import_does_not_remember_the_old_packs_as_the_new(store: Store) -> None:
    """What a guild sees is remembered per facts revision; the revision moves when an import commits,
    so a lookup that ran while the import was open does not hide the new pack afterwards."""
    await store.packs.import_file(bundled_pack_path())
    assert len(await store.fandoms.visible(None)) == 1
    async with store.transaction():
        await store.packs.import_file(HARBOR)
        assert len(await asyncio.create_task(store.fandoms.visible(None))) == 1  # another task: committed data only
    assert len(await store.fandoms.visible(None)) == 2


class Abandoned(Exception):
    """Raised to roll a transaction back."""


async def test_the_facts_changed_event_is_published_once_the_change_commits_with_its_packs(store: Store) -> None:
    """One event for every import and removal, after its commit (never for one rolled back); a failing
    subscriber is logged and neither fails the change nor keeps the others from hearing of it."""
    heard: list[tuple[frozenset[str] | None, int]] = []

    async def broken(change: FactsChange) -> None:
        raise RuntimeError("a broken subscriber")

    async def hear(change: FactsChange) -> None:
        heard.append((change.packs, change.revision))

    store.facts.subscribe(broken)
    store.facts.subscribe(hear)
    with pytest.raises(Abandoned):
        async with store.transaction():
            await store.packs.import_file(HARBOR)
            raise Abandoned
    assert heard == []
    async with store.transaction():
        await store.packs.import_file(HARBOR)
        assert heard == []  # not before the commit
    assert heard == [(frozenset({"harbor"}), store.facts.revision)]
    await store.packs.import_file(HARBOR)  # unchanged: no event
    await store.packs.remove("harbor")
    assert len(heard) == 2 and heard[-1] == (frozenset({"harbor"}), store.facts.revision)
    store.facts.unsubscribe(hear)
    await store.facts.publish(None)  # what the facts watch publishes for another process's change
    assert len(heard) == 2


async def test_an_unchanged_file_is_not_parsed_and_a_changed_one_is(two: Store, tmp_path: Path) -> None:
    copy = tmp_path / "harbor.yaml"
    copy.write_bytes(HARBOR.read_bytes())
    [report] = await two.packs.import_files([copy])
    assert report.skipped and not report.parsed and "not parsed" in report.summary()
    copy.write_text(HARBOR.read_text(encoding="utf-8").replace("Best friends since school.", "Friends for ever."), encoding="utf-8")
    [report] = await two.packs.import_files([copy])
    assert report.parsed and report.changed and report.updated["relationships"] == 1
    [report] = await two.packs.import_files([copy])
    assert not report.parsed


async def test_every_problem_of_every_pack_is_reported_in_one_run(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        HARBOR.read_text(encoding="utf-8").replace("canon: books", "canon: opera").replace("codename: [Lantern]", "alias-ish: [Lantern]"),
        encoding="utf-8",
    )
    clash = tmp_path / "clash.yaml"
    clash.write_bytes(HARBOR.read_bytes())
    with pytest.raises(PackErrors) as caught:
        await store.packs.import_files([bundled_pack_path(), bad, tmp_path / "missing.yaml", HARBOR, clash])
    text = "\n".join(caught.value.render())
    assert "unknown kind of canon `opera`; declare it under pack.canon" in text
    assert "unknown kind of name `alias-ish`" in text
    assert "pack id `harbor` is also the id in" in text
    assert await store.packs.all() == []  # nothing imported
    with pytest.raises(PackErrors, match="no such file or folder"):
        find_pack_files([tmp_path / "missing.yaml"])


async def test_removing_a_pack_keeps_polls_guild_dates_and_reminders(two: Store) -> None:
    harbor = next(r for r in await two.releases.visible(1) if r.title == "Harbor Lights season 2")
    own = await two.release_writer.set_date(1, harbor.title, parse_partial_date("2031-10-01", "UTC"), 7, NOW, harbor.id)
    assert own == harbor.id
    await two.personal_reminders.add(1, 8, harbor.id, NOW)
    report = await two.packs.remove("harbor")
    assert report is not None and report.kept_dates == 1 and report.removed["characters"] == 3
    assert "Mara Quill" not in await names(two, 1)
    [kept] = [r for r in await two.releases.visible(1) if r.title == "Harbor Lights season 2"]
    assert kept.guild_id == 1 and kept.current is not None and kept.current.date.value == "2031-10-01"
    assert [r.release_id for r in await two.personal_reminders.of_guild(1)] == [kept.id]
    assert await two.releases.visible(2) == [r for r in await two.releases.visible(2) if r.guild_id is None]
    assert await two.packs.remove("harbor") is None


def test_the_c_loader_reads_a_pack_exactly_as_the_python_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in (bundled_pack_path(), HARBOR):
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text).fast  # real packs take the fast path
        fast = check_pack_text(text)
        with monkeypatch.context() as m:
            m.setattr("db.packs.reading._CSafeLoader", None)
            assert not load_yaml(text).fast
            assert check_pack_text(text) == fast
    for deep in ("a: " + "[" * 300 + "]" * 300, "a: " + "{b: " * 300 + "1" + "}" * 300):
        assert not fast_path_is_safe(deep)  # left to the pure-Python loader, which reports where
    assert fast_path_is_safe('a: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["  # [[[[[[[[[')


def test_a_large_pack_is_checked_quickly_with_the_c_loader(tmp_path: Path) -> None:
    people = "\n".join(
        f"  p{i}:\n    name: Person {i}\n    actor: Actor {i}\n    aliases: [Nick {i}]\n    source: s\n" for i in range(3000)
    )
    path = tmp_path / "big.yaml"
    path.write_text(f"format: 1\npack:\n  id: big\n  title: Big\nsources:\n  s:\n    title: S\ncharacters:\n{people}", encoding="utf-8")
    started = time.perf_counter()
    checked = check_pack_file(path)
    assert len(checked.spec.characters) == 3000
    from tests.figures import record

    record("check of a 3,000-character pack (s)", time.perf_counter() - started)


def test_both_readers_give_the_same_data_and_the_same_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'a: 12\nb: yes\nc: ~\nd: "2017"\ne: [x, 0x1F, 1.5]\nf: {g: 2017-08-18}\n'
    mixed = "a: 1\nb: {c: 1, c: 2}\nd:\n  - {e: 1, e: 1}\na: 2\n"
    fast = load_yaml(text)
    assert fast.fast and fast.data == {"a": 12, "b": True, "c": None, "d": "2017", "e": ["x", 31, 1.5], "f": {"g": "2017-08-18"}}
    fast_problems = problems(mixed)
    with monkeypatch.context() as m:
        m.setattr("db.packs.reading._CSafeLoader", None)
        assert load_yaml(text).data == fast.data
        assert problems(mixed) == fast_problems
    assert fast_problems == [
        "<pack>:2: b.c: duplicate key", "<pack>:4: d.0.e: duplicate key", "<pack>:5: a: duplicate key",
    ]
    assert any("anchors and aliases" in p for p in problems("a: &x {b: 1}\nc: {<<: *x}\n"))
    assert problems("a: {<<: {b: 1}}\n") == [
        "<pack>:1: (top level): not valid YAML: merge keys (`<<`) are not allowed in packs; write each key out"
    ]
    assert problems("a: !!python/object:os.system ls\n") == [
        "<pack>:1: (top level): not valid YAML: the tag `!!python/object:os.system` is not allowed in packs; write the value plainly"
    ]


def problems(text: str) -> list[str]:
    try:
        check_pack_text(text)
    except PackError as exc:
        return [p.render(exc.filename) for p in exc.problems]
    return []
