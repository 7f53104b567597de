"""The timer scenarios on one process: reminders falling due among many pending, and idle CPU."""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.contenders import Contender, fandex, floor, side_by_side
from bench.scenarios import Result, Scale, new_double, stored_rows
from bench.seed import seed_reminders
from db.facts.instants import from_text


@dataclass(frozen=True)
class ReminderRound:
    lateness_ms: list[float]  # each delivered reminder: finished minus first due
    posted: int
    due: int

    @property
    def p50(self) -> float:
        return statistics.median(self.lateness_ms) if self.lateness_ms else float("inf")

    @property
    def p99(self) -> float:
        ordered = sorted(self.lateness_ms)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("inf")


async def reminder_round(contender: Contender, scale: Scale) -> ReminderRound:
    """`guilds` × `reminders_per_guild` pending reminders in the contender's store, `due_soon` of them
    within `soon_window`: wait for them, and read when each was delivered."""
    double = await new_double()
    try:
        channels = []
        for i in range(scale.guilds):
            guild = await double.add_guild(f"g{i}", channels=("premieres",))
            channels.append((guild.id, guild.channels[0].id))
        soon_from = datetime.now(UTC) + timedelta(seconds=scale.reminders_lead)
        due = await seed_reminders(
            contender.store, channels, scale.reminders_per_guild, scale.due_soon, soon_from, timedelta(seconds=scale.soon_window)
        )
        await contender.start(double)
        deadline = max(due) + timedelta(seconds=5)  # lateness beyond this would miss the target anyway
        while datetime.now(UTC) < deadline:
            posts = [m for m in double.messages.values() if "is out now" in m.content]
            if len(posts) >= scale.due_soon:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)  # a second post of the same reminder would land here
        posts = [m for m in double.messages.values() if "is out now" in m.content]
    finally:
        await contender.stop()
        await double.close()
    done = await stored_rows(contender.store, "SELECT first_due_at, finished_at FROM timers WHERE kind = 'reminder' AND state = 'done'")
    lateness = [(from_text(finished) - from_text(first_due)).total_seconds() * 1000 for first_due, finished in done]
    return ReminderRound(lateness, len(posts), scale.due_soon)


async def reminders(work: Path, scale: Scale) -> list[Result]:
    """`guilds` × `reminders_per_guild` pending reminders, `due_soon` of them within one minute: lateness."""
    got = await reminder_round(fandex(work / "reminders"), scale)
    pending = scale.guilds * scale.reminders_per_guild
    return [
        Result(
            f"{pending:,} pending reminders, {scale.due_soon} due in one minute",
            "p99 lateness after due",
            None,
            got.p99,
            "ms",
            "≤ 1000 ms",
            None,
            got.p99 <= 1000 and got.posted == got.due,
            {"posted": got.posted, "due": got.due, "p50": got.p50 if got.lateness_ms else 0},
        )
    ]


async def idle(work: Path, scale: Scale) -> list[Result]:
    """CPU seconds used while 10,000 timers wait an hour and nothing happens."""
    double = await new_double()
    try:
        channels = []
        for i in range(scale.guilds):
            guild = await double.add_guild(f"g{i}", channels=("premieres",))
            channels.append((guild.id, guild.channels[0].id))
        ours = fandex(work / "idle")
        await seed_reminders(ours.database, channels, scale.reminders_per_guild, 0, datetime.now(UTC), timedelta(0))
        contenders = (floor(work / "idle"), ours)
        async with side_by_side(double, *contenders):
            await asyncio.sleep(scale.settle)  # past start-up and the guild-ready wait
            before = {c.name: c.cpu_seconds() for c in contenders}
            await asyncio.sleep(scale.idle_seconds)
            results = {c.name: c.cpu_seconds() - before[c.name] for c in contenders}
    finally:
        await double.close()
    scaled = results["fandex"] * 60 / scale.idle_seconds
    return [
        Result(
            f"idle, {scale.guilds * scale.reminders_per_guild:,} timers pending",
            "CPU seconds per 60 s",
            results["floor"] * 60 / scale.idle_seconds,
            scaled,
            "s",
            "≤ 0.2 s",
            None,
            scaled <= 0.2,
        )
    ]
