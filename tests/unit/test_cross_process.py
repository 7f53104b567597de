"""Two stores on one PostgreSQL database behave as two bot processes: notices, claims, locks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from db import Store, bundled_pack_path
from db.backends.postgres import POOL_SIZE, NestedAcquire
from db.repos.fandoms import FANDOMS_CHANNEL
from db.repos.timers import LEASE, TIMERS_CHANNEL, TimerSpec
from tests.conftest import PostgresDatabases
from tests.e2e.waiting import eventually

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def two(postgres_databases: PostgresDatabases) -> AsyncIterator[tuple[Store, Store]]:
    url = await postgres_databases.fresh()
    try:
        async with Store.open(url) as first, Store.open(url) as second:
            yield first, second
    finally:
        await postgres_databases.drop(url)


def spec(key: str, due: datetime) -> TimerSpec:
    return TimerSpec("test", key, due, {}, 1)


async def test_a_change_in_one_process_is_heard_by_the_other_within_a_second(two: tuple[Store, Store]) -> None:
    first, second = two
    heard: list[str] = []
    await second.listen(TIMERS_CHANNEL, lambda: heard.append("timers"))
    await second.listen(FANDOMS_CHANNEL, lambda: heard.append("fandoms"))
    await first.listen(FANDOMS_CHANNEL, lambda: heard.append("own"))  # its own notices are not for it
    await first.timers.add(spec("a", T0), T0)
    await first.fandoms.set_following(7, frozenset(), 1, T0)
    await eventually(lambda: sorted(heard) == ["fandoms", "timers"], 1.0, "both notices")
    await asyncio.sleep(0.2)
    assert "own" not in heard


async def test_a_notice_is_sent_only_when_its_transaction_commits(two: tuple[Store, Store]) -> None:
    first, second = two
    heard: list[str] = []
    await second.listen(FANDOMS_CHANNEL, lambda: heard.append("fandoms"))
    with pytest.raises(RuntimeError):
        async with first.transaction():
            await first.fandoms.set_following(7, frozenset(), 1, T0)
            raise RuntimeError("rolled back")
    await asyncio.sleep(0.5)
    assert heard == []


async def test_claims_are_shared_out_never_doubled_and_a_live_claim_is_not_taken(two: tuple[Store, Store]) -> None:
    first, second = two
    for n in range(20):
        await first.timers.add(spec(f"t{n}", T0), T0)
    mine, theirs = await asyncio.gather(
        first.timers.claim_due(T0, 15, kinds=["test"]), second.timers.claim_due(T0, 15, kinds=["test"])
    )
    assert len(mine) + len(theirs) == 20 and not {t.id for t in mine} & {t.id for t in theirs}
    assert await second.timers.release_claims(T0 + LEASE / 2) == []  # first still holds its lease
    await first.timers.extend_leases(T0 + LEASE)  # first's heartbeat; second's claims get none
    lapsed = await second.timers.release_claims(T0 + LEASE + timedelta(seconds=1))
    assert {t.id for t in lapsed} == {t.id for t in theirs}  # only the claims nobody renewed
    taken = await second.timers.release_claims(T0 + 2 * LEASE + timedelta(seconds=1))
    assert {t.id for t in taken} == {t.id for t in mine}  # first stopped beating (it died): its claims are free


async def test_start_up_work_is_done_by_one_process_at_a_time(two: tuple[Store, Store]) -> None:
    first, second = two
    inside: list[str] = []

    async def work(store: Store, name: str) -> None:
        async with store.deployment_lock("start-up"):
            inside.append(f"{name} in")
            await asyncio.sleep(0.2)
            inside.append(f"{name} out")

    await asyncio.gather(work(first, "a"), work(second, "b"))
    assert inside in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


async def test_a_crowd_waiting_for_a_deployment_lock_holds_no_pooled_connection(two: tuple[Store, Store]) -> None:
    """Three times the pool's size of tasks in each process want the same lock, and each reads and writes
    under it: every one gets through (a waiter that held a pooled connection starved the holder)."""
    done: list[int] = []

    async def work(store: Store, n: int) -> None:
        async with store.deployment_lock("re-plan"):
            await store.meta.set("last", str(n))
            done.append(int(await store.fetch_value("SELECT value FROM meta WHERE key = 'last'")))

    crowd = [work(store, n) for n in range(3 * POOL_SIZE) for store in two]
    await asyncio.wait_for(asyncio.gather(*crowd), 30)
    assert sorted(done) == sorted(n for n in range(3 * POOL_SIZE) for _ in two)


async def test_a_task_holding_a_pooled_connection_cannot_ask_for_another(two: tuple[Store, Store]) -> None:
    """A read beside a transaction, from a task the transaction started and waits for, is refused at
    once rather than left to deadlock the pool under load; the transaction's own reads join it."""
    first, _ = two
    async with first.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        assert await first.fetch_value("SELECT value FROM meta WHERE key = 'k'") == "v"  # joined
        with pytest.raises(NestedAcquire):
            await asyncio.create_task(first.fetch_value("SELECT 1"))
    assert await asyncio.create_task(first.fetch_value("SELECT value FROM meta WHERE key = 'k'")) == "v"


async def test_a_lost_listener_comes_back_and_says_to_look_again(two: tuple[Store, Store]) -> None:
    """The server drops the listening connection (a restart, a network cut): it is opened again, its
    listeners are told to look again (notices may have been missed), and later notices still arrive."""
    first, second = two
    heard: list[str] = []
    await second.listen(TIMERS_CHANNEL, lambda: heard.append("timers"))
    dropped = await first.fetch_value(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'fandex-listen' AND datname = current_database()"
    )
    assert dropped == 1
    await eventually(lambda: heard == ["timers"], 5.0, "the look-again after reconnecting")
    await first.timers.add(spec("after", T0), T0)
    await eventually(lambda: heard == ["timers", "timers"], 5.0, "a notice after reconnecting")


async def test_a_fandom_choice_in_one_process_reaches_what_the_other_remembers(two: tuple[Store, Store]) -> None:
    first, second = two
    await second.follow_other_processes()
    await first.packs.import_file(bundled_pack_path())
    await second.facts.publish(None)  # (what the facts watch does on the packs' notice)
    assert await second.fandoms.visible(7) != ()  # every pack by default, now remembered
    await first.fandoms.set_following(7, frozenset(), 1, T0)
    await eventually_async(lambda: second.fandoms.visible(7), (), 1.0)


async def eventually_async(ask: Callable[[], Awaitable[object]], expected: object, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (found := await ask()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"still {found!r} after {timeout} s"
        await asyncio.sleep(0.05)
