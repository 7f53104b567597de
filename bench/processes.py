"""Three fandex processes over six gateway shards on one PostgreSQL store: 100,000 pending reminders,
some falling due (who delivers them, how late, and whether any is posted twice), or none (idle CPU)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.contenders import Contender, fandex, floor
from bench.postgres import fresh_database
from bench.scenarios import TOKEN, Result, Scale, stored_rows
from bench.seed import seed_many_reminders, seed_soon_releases
from db.facts.instants import from_text
from tests.double.server import DiscordDouble
from tests.double.world import FakeMessage

SHARDS = 6
SHARD_IDS = ("0-1", "2-3", "4-5")
HOUR, DAY = 3600, 86_400
# Offsets before each release (the subscription's), and releases a month or two ahead per guild:
# 9 × 11 = 99 far timers beside the one due soon, or 10 × 10 = 100 when none is.
NINE_OFFSETS = (0, HOUR, 2 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY)
TEN_OFFSETS = (*NINE_OFFSETS, 14 * DAY)


async def sharded_double() -> DiscordDouble:
    """A double recommending 6 shards; no IDENTIFY window (see scenarios.new_double)."""
    double = DiscordDouble(token=TOKEN, contract=None, shards=SHARDS, identify_window=0.0)
    await double.start()
    return double


async def guilds_on_every_shard(double: DiscordDouble, count: int) -> list[tuple[int, int]]:
    """`count` guilds, one after another on shards 0…5, each with the channel its reminders go to."""
    channels = []
    for i in range(count):
        guild = await double.add_guild(f"g{i}", channels=("premieres",), shard=i % SHARDS)
        channels.append((guild.id, guild.channels[0].id))
    return channels


def three_processes(work: Path, url: str) -> list[Contender]:
    return [fandex(work / f"shards-{ids}", DATABASE_URL=url, SHARD_COUNT=str(SHARDS), SHARD_IDS=ids) for ids in SHARD_IDS]


@contextlib.asynccontextmanager
async def running(double: DiscordDouble, contenders: Sequence[Contender], timeout: float = 120.0) -> AsyncIterator[None]:
    """All of them started at once, as an operator's launcher would; yields once every shard is ready."""
    before = len(double.sessions)
    try:
        for contender in contenders:
            await contender.start(double, wait=False)
        await double.wait_for_session(timeout, after=before, shards=SHARDS)
        yield
    finally:
        await asyncio.gather(*(c.stop() for c in contenders))


def _pid(claimed_by: str) -> int:
    """`Store.process_id` is host:pid:random."""
    return int(claimed_by.rsplit(":", 2)[1])


async def timers_across_processes(work: Path, scale: Scale) -> list[Result]:
    """`spread_guilds` × 100 pending reminders, `spread_due` of them due within `soon_window`, delivered
    by 3 processes claiming from one store; lateness and repeats as the double saw the posts."""
    rng = random.Random(17)
    async with fresh_database("timers") as url:
        double = await sharded_double()
        try:
            channels = await guilds_on_every_shard(double, scale.spread_guilds)
            await seed_many_reminders(url, channels, NINE_OFFSETS, 11)
            chosen = sorted(rng.sample(range(len(channels)), scale.spread_due))
            soon_from = datetime.now(UTC) + timedelta(seconds=scale.spread_lead)
            moments = [soon_from + timedelta(seconds=rng.uniform(0, scale.soon_window)) for _ in chosen]
            await seed_soon_releases(url, [channels[i][0] for i in chosen], moments)
            pending = (await stored_rows(url, "SELECT count(*) FROM timers WHERE state = 'pending'"))[0][0]
            contenders = three_processes(work, url)
            async with running(double, contenders):
                deadline = max(moments) + timedelta(seconds=5)  # lateness beyond this would miss the target anyway
                while datetime.now(UTC) < deadline:
                    if len(_reminder_posts(double)) >= scale.spread_due:
                        break
                    await asyncio.sleep(0.2)
                await asyncio.sleep(2.0)  # a second post of a reminder would land here
            posts = _reminder_posts(double)
            nonce_repeats = double.nonce_repeats
            processes = {c.process.pid: ids for c, ids in zip(contenders, SHARD_IDS, strict=True) if c.process}
        finally:
            await double.close()
        rows = await stored_rows(url, "SELECT id, first_due_at, claimed_by FROM timers WHERE kind = 'reminder' AND state = 'done'")
    return _deliveries(scale, pending, posts, nonce_repeats, rows, processes)


def _reminder_posts(double: DiscordDouble) -> list[FakeMessage]:
    return [m for m in double.messages.values() if "is out now" in m.content]


def _deliveries(
    scale: Scale, pending: int, posts: list[FakeMessage], nonce_repeats: int, rows: list[tuple[Any, ...]], processes: dict[int, str]
) -> list[Result]:
    by_nonce: dict[str | None, list[FakeMessage]] = {}
    for message in posts:
        by_nonce.setdefault(message.nonce, []).append(message)
    due_at = {str(timer_id): from_text(first_due) for timer_id, first_due, _ in rows}
    lateness = sorted(
        (datetime.fromisoformat(min(m.created_at for m in messages)) - due_at[nonce]).total_seconds() * 1000
        for nonce, messages in by_nonce.items() if nonce in due_at
    )
    duplicates = sum(len(messages) - 1 for nonce, messages in by_nonce.items() if nonce is not None)
    without_nonce = len(by_nonce.get(None, []))
    unmatched = sum(len(m) for nonce, m in by_nonce.items() if nonce is not None and nonce not in due_at)
    split = Counter(processes.get(_pid(claimed_by), "another process") for _, _, claimed_by in rows)
    p99 = lateness[min(len(lateness) - 1, int(0.99 * len(lateness)))] if lateness else float("inf")
    delivered = len(by_nonce) - (1 if None in by_nonce else 0)
    scenario = (f"{pending:,} pending timers, 3 processes × 2 of {SHARDS} shards on one PostgreSQL, "
                f"{scale.spread_due:,} due in {scale.soon_window:.0f} s")
    return [
        Result(
            scenario, "p99 lateness after due (post at the double)", None, p99, "ms", "≤ 1000 ms", None,
            p99 <= 1000 and delivered == scale.spread_due,
            {"p50": statistics.median(lateness) if lateness else 0.0, "timers posted": float(delivered),
             "due": float(scale.spread_due)}
            | {f"delivered by shards {ids}": float(split.get(ids, 0)) for ids in SHARD_IDS},
        ),
        Result(
            scenario, "duplicate posts (same nonce)", None, float(duplicates + without_nonce + unmatched), "", "0", None,
            duplicates + without_nonce + unmatched == 0,
            {"most posts of one timer": float(max((len(m) for m in by_nonce.values()), default=0)),
             "posts without a nonce": float(without_nonce), "posts of no delivered timer": float(unmatched),
             "repeats Discord answered with the first message": float(nonce_repeats)},
        ),
    ]


async def idle_across_processes(work: Path, scale: Scale) -> list[Result]:
    """CPU of each of 3 processes (and of the floor beside them) over `idle_seconds`, while
    `spread_guilds` × 100 reminders wait a month or more; the store's backends for context."""
    async with fresh_database("idle") as url:
        double = await sharded_double()
        try:
            channels = await guilds_on_every_shard(double, scale.spread_guilds)
            pending = await seed_many_reminders(url, channels, TEN_OFFSETS, 10)
            the_floor = floor(work / "idle")
            ours = three_processes(work, url)
            await the_floor.start(double)
            try:
                async with running(double, ours):
                    await asyncio.sleep(scale.settle)  # past start-up and the guild-ready wait
                    backends = await _backend_pids(url)
                    contenders = [the_floor, *ours]
                    before = [c.cpu_seconds() for c in contenders]
                    server_before = _cpu_of(backends)
                    await asyncio.sleep(scale.idle_seconds)
                    used = [c.cpu_seconds() - b for c, b in zip(contenders, before, strict=True)]
                    server = _cpu_of(backends) - server_before
            finally:
                await the_floor.stop()
        finally:
            await double.close()
    per_minute = [u * 60 / scale.idle_seconds for u in used]
    busiest = max(per_minute[1:])
    return [
        Result(
            f"idle, {pending:,} timers pending none due for a month, 3 processes × 2 of {SHARDS} shards on one PostgreSQL",
            "CPU seconds per 60 s, busiest process",
            per_minute[0],
            busiest,
            "s",
            "≤ 0.2 s per process",
            None,
            busiest <= 0.2,
            {f"shards {ids}": cpu for ids, cpu in zip(SHARD_IDS, per_minute[1:], strict=True)}
            | {"PostgreSQL backends of the 3 processes": server * 60 / scale.idle_seconds, "backends": float(len(backends))},
        )
    ]


async def _backend_pids(url: str) -> list[int]:
    """The server processes serving this database's connections (the bots' pools and listeners), when
    the server runs on this machine; others' databases on the same server are left out."""
    rows = await stored_rows(url, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    return [pid for (pid,) in rows if Path(f"/proc/{pid}/stat").exists()]


def _cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            total += Contender.cpu_of(pid)
    return total
