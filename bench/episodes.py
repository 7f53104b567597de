"""1,000 servers following 50 weekly shows with every episode on: pending timers (bounded by the
reminder horizon), the cost of re-planning them all, idle CPU, and lateness of a burst of episodes."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.contenders import fandex
from bench.reminders import ReminderRound
from bench.scenarios import Result, Scale, new_double, stored_rows
from bot.scheduling.scheduler import Scheduler
from cogs.countdown.reminder_planner import ReminderPlanner
from db import Store, bundled_pack_path
from db.facts.instants import from_text
from tests.double.server import DiscordDouble
from tests.double.world import FakeMessage

SHOWS = 50
EPISODES = 20  # per show: eight aired, the rest weekly from the burst on
WEEK = timedelta(days=7)
BURST_LEAD = {True: 60.0, False: 150.0}  # quick / full: seconds from writing the pack to the burst


def weekly_pack(path: Path, burst: datetime) -> None:
    """50 shows, one season of 20 weekly episodes each. Show 0's ninth episode airs at `burst`; show i
    airs i × 3 h 22 min later in the week, so only show 0's episode falls due in the burst."""
    lines = ["format: 1", "pack: {id: weekly-bench, title: Weekly bench}", "sources:", "  s: {title: Schedule}", "series:"]
    for show in range(SHOWS):
        lines += [f"  show{show}:", f"    title: Show {show}", "    source: s", "    seasons:",
                  "      - number: 1", "        source: s", "        episodes:"]
        for n in range(1, EPISODES + 1):
            moment = burst + (n - 9) * WEEK + show * (WEEK / SHOWS)
            lines.append(f'          - {{number: {n}, title: "Episode {n}", date: "{moment:%Y-%m-%dT%H:%M:%S+00:00}"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def seed(database: Path, pack: Path, channels: list[tuple[int, int]]) -> tuple[float, float, int]:
    """The packs imported, one channel per guild subscribed with every episode on (at the start only),
    and every guild planned as the bot plans them. Returns the seconds of the first plan and of a
    re-plan that changes nothing (what a facts change or the daily horizon timer costs), and what is pending."""
    async with Store.open(database) as store:
        await store.migrate()
        await store.packs.import_file(bundled_pack_path())
        await store.packs.import_file(pack)
        now = datetime.now(UTC)
        for guild_id, channel_id in channels:
            await store.subscriptions.upsert(guild_id, channel_id, None, (0,), 1, now, True)
        planner = ReminderPlanner(store, Scheduler(store), lambda: datetime.now(UTC))
        started = time.perf_counter()
        await planner.replan_all()
        first = time.perf_counter() - started
        started = time.perf_counter()
        await planner.replan_all()
        again = time.perf_counter() - started
        pending = await store.fetch_value("SELECT count(*) FROM timers WHERE state = 'pending' AND kind = 'reminder'")
    return first, again, int(pending)


async def episode_reminders(work: Path, scale: Scale, quick: bool) -> list[Result]:
    double = await new_double()
    ours = fandex(work / "episodes")
    try:
        channels = []
        for i in range(scale.guilds):
            guild = await double.add_guild(f"g{i}", channels=("episodes",))
            channels.append((guild.id, guild.channels[0].id))
        burst = (datetime.now(UTC) + timedelta(seconds=BURST_LEAD[quick])).replace(microsecond=0)
        ours.workdir.mkdir(parents=True, exist_ok=True)
        pack = ours.workdir / "weekly.yaml"
        weekly_pack(pack, burst)
        first_plan, replan_seconds, pending = await seed(ours.database, pack, channels)
        ours.env["FACT_PACKS"] = f"{bundled_pack_path()},{pack}"
        await ours.start(double)
        await asyncio.sleep(scale.settle)
        idle_for = min(scale.idle_seconds, (burst - datetime.now(UTC)).total_seconds() - 5)
        before = ours.cpu_seconds()
        await asyncio.sleep(max(idle_for, 1.0))
        idle_cpu = (ours.cpu_seconds() - before) * 60 / max(idle_for, 1.0)
        deadline = burst + timedelta(seconds=30)
        while datetime.now(UTC) < deadline:
            if len(posts(double)) >= scale.guilds:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)
        posted = len(posts(double))
    finally:
        await ours.stop()
        await double.close()
    done = await stored_rows(ours.database, "SELECT first_due_at, finished_at FROM timers WHERE kind = 'reminder' AND state = 'done'")
    got = ReminderRound([(from_text(f) - from_text(d)).total_seconds() * 1000 for d, f in done], posted, scale.guilds)
    label = f"{scale.guilds:,} servers × {SHOWS} weekly shows, every episode"
    return [
        Result(label, "pending reminder timers (35-day horizon, offset 0)", None, pending, "",
               f"≤ {scale.guilds * SHOWS * 6:,} (6 episodes per show)", None, pending <= scale.guilds * SHOWS * 6),
        Result(label, "first plan of every server (replan_all)", None, first_plan, "s", "—", None, None),
        Result(label, "re-plan of every server, nothing changed", None, replan_seconds, "s", "—", None, None),
        Result(label, "idle CPU seconds per 60 s", None, idle_cpu, "s", "≤ 0.2 s", None, idle_cpu <= 0.2),
        Result(f"{label}: one episode due in every server at once", "p99 lateness after due", None, got.p99, "ms",
               "≤ 1000 ms", None, got.p99 <= 1000 and got.posted == got.due,
               {"posted": got.posted, "due": got.due, "p50": got.p50 if got.lateness_ms else 0}),
    ]


def posts(double: DiscordDouble) -> list[FakeMessage]:
    return [m for m in double.messages.values() if "airs now" in m.content]
