"""fandex on PostgreSQL against fandex on SQLite: the vote and reminder scenarios, the same load on each,
in alternated rounds of the same run, a fresh PostgreSQL database for each PostgreSQL round."""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.contenders import Contender, fandex, floor
from bench.load import Sample
from bench.postgres import fresh_database
from bench.reminders import ReminderRound, reminder_round
from bench.scenarios import Result, Scale, measure, merged, presses, vote_round

SQLITE = "SQLite"


async def _on_postgres(label: str, contender: Contender, run):
    """`run(contender)` with the contender's store a fresh PostgreSQL database."""
    async with fresh_database(label) as url:
        contender.env["DATABASE_URL"] = url
        return await run(contender)


async def votes_postgresql(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """The vote burst on the floor, fandex on SQLite and fandex on PostgreSQL, round after round (which
    fandex goes first alternates); PostgreSQL's throughput against SQLite's, its p99 against the floor's."""
    floors: list[Sample] = []
    lite: list[Sample] = []
    pg: list[Sample] = []
    wrong = 0
    for r in range(rounds):
        floors.append((await measure(floor(work / f"v{r}"), presses(scale, "button", ["Press"])))[0])
        for backend in ("sqlite", "postgresql") if r % 2 == 0 else ("postgresql", "sqlite"):
            contender = fandex(work / f"v{r}-{backend}")
            if backend == "sqlite":
                lite.append((await vote_round(contender, scale))[0])
                continue
            sample, bad = await _on_postgres("votes", contender, lambda c: vote_round(c, scale))
            pg.append(sample)
            wrong += bad
        print(
            f"    round {r}: floor {floors[-1].throughput:,.0f}/s p99 {floors[-1].p99:.0f} ms · SQLite {lite[-1].throughput:,.0f}/s "
            f"p99 {lite[-1].p99:.0f} ms · PostgreSQL {pg[-1].throughput:,.0f}/s p99 {pg[-1].p99:.0f} ms",
            flush=True,
        )
    scenario = f"vote presses, {scale.voters} members, {scale.in_flight} in flight, fandex on PostgreSQL"
    per_round = sorted(p.throughput / s.throughput for s, p in zip(lite, pg, strict=True))
    ratio = statistics.median(per_round)
    f, s, p = merged(floors), merged(lite), merged(pg)
    return [
        Result(
            scenario + " vs on SQLite",
            "acknowledged presses/s",
            statistics.median(x.throughput for x in lite),
            statistics.median(x.throughput for x in pg),
            "/s",
            "≥ 0.8× SQLite",
            ratio,
            ratio >= 0.8,
            {"rounds": len(per_round), "lowest round": per_round[0], "highest round": per_round[-1],
             "floor presses/s": statistics.median(x.throughput for x in floors)},
            SQLITE,
        ),
        Result(
            scenario + " vs the floor",
            "p99 ack latency",
            f.p99,
            p.p99,
            "ms",
            "≤ 1.5× floor",
            p.p99 / f.p99,
            p.p99 / f.p99 <= 1.5,
            {"SQLite p99 ms": s.p99, "SQLite p99 vs floor": s.p99 / f.p99, "PostgreSQL failures": float(p.failures)},
        ),
        Result(scenario + ", then the store", "votes lost or doubled", None, float(wrong), "", "0", None, wrong == 0),
    ]


async def reminders_postgresql(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """The reminder scenario on SQLite and on PostgreSQL in turn: lateness after due on each."""
    lite: list[ReminderRound] = []
    pg: list[ReminderRound] = []
    for r in range(rounds):
        for backend in ("sqlite", "postgresql") if r % 2 == 0 else ("postgresql", "sqlite"):
            contender = fandex(work / f"r{r}-{backend}")
            if backend == "sqlite":
                lite.append(await reminder_round(contender, scale))
            else:
                pg.append(await _on_postgres("reminders", contender, lambda c: reminder_round(c, scale)))
        print(f"    round {r}: SQLite p50 {lite[-1].p50:.0f} ms p99 {lite[-1].p99:.0f} ms ({lite[-1].posted} posted) · "
              f"PostgreSQL p50 {pg[-1].p50:.0f} ms p99 {pg[-1].p99:.0f} ms ({pg[-1].posted} posted)", flush=True)
    s = ReminderRound([x for r in lite for x in r.lateness_ms], sum(r.posted for r in lite), sum(r.due for r in lite))
    p = ReminderRound([x for r in pg for x in r.lateness_ms], sum(r.posted for r in pg), sum(r.due for r in pg))
    scenario = (f"{scale.guilds * scale.reminders_per_guild:,} pending reminders, {scale.due_soon} due in one minute, "
                "fandex on PostgreSQL vs on SQLite")
    counts = {"PostgreSQL posted": float(p.posted), "SQLite posted": float(s.posted), "due": float(p.due), "rounds": float(rounds)}
    return [
        Result(scenario, "p50 lateness after due", s.p50, p.p50, "ms", "report", p.p50 / s.p50 if s.p50 else None, None,
               counts, SQLITE),
        Result(scenario, "p99 lateness after due", s.p99, p.p99, "ms", "≤ 1000 ms on both", p.p99 / s.p99 if s.p99 else None,
               p.p99 <= 1000 and s.p99 <= 1000 and p.posted == p.due and s.posted == s.due, counts, SQLITE),
    ]
