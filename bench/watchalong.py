"""Watch-along rows: 1,000 members rating one starter message against the floor's buttons, and 500
servers whose threads all open at one air instant (every thread once, its lateness, what Discord saw)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.contenders import Contender, fandex, floor
from bench.load import Sample, in_flight
from bench.reminders import ReminderRound
from bench.scenarios import POLL_LABELS, Result, Scale, measure, merged, new_double, presses, ratio_result, stored_rows
from bot.scheduling.scheduler import Scheduler
from cogs.watchalong.planner import WatchAlongPlanner
from db import Store
from db.repos.watchalong.settings import WatchAlong
from tests.double.server import RecordedRequest
from tests.double.world import FakeChannel, Permissions, snowflake

MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
STARS = ("1", "2", "3", "4", "5")
PRESS_LEAD = 6.0  # seconds from writing the pack to the episode: room to start fandex and /watchalong set
SHOWS = 10  # the burst's servers follow 10 shows, one episode of each airing at the same instant
BURST_LEAD = {True: 60.0, False: 150.0}  # quick / full: seconds from seeding to the instant
GLOBAL_LIMIT = 50  # requests per second Discord allows a bot across all routes


def pack_text(at: datetime, shows: int = 1) -> str:
    """`shows` series whose first episode airs at `at` (to the second) and the second a week later."""
    lines = ["format: 1", "pack: {id: watch-bench, title: Watch bench}", "sources:", "  s: {title: Schedule}", "series:"]
    for show in range(shows):
        lines += [f"  show{show}:", f"    title: Watch Show {show}", "    source: s", "    seasons:",
                  "      - number: 1", "        source: s", "        episodes:"]
        for n, moment in ((1, at), (2, at + timedelta(days=7))):
            lines.append(f'          - {{number: {n}, title: "Episode {n}", date: "{moment:%Y-%m-%dT%H:%M:%S+00:00}"}}')
    return "\n".join(lines) + "\n"


async def wait_until(ready: Callable[[], bool], deadline: float) -> bool:
    """Poll `ready()` every 0.1 s until it holds or the monotonic `deadline` passes."""
    while not ready():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


# --- star presses on one starter ----------------------------------------------------------------


async def rating_round(contender: Contender, scale: Scale) -> tuple[Sample, int]:
    """A starter opened honestly (a pack episode airing seconds after start, `/watchalong set` by a
    moderator), then `voters` members pressing its stars, `in_flight` at once. Returns the sample and
    how many ratings the store lost or doubled."""
    contender.workdir.mkdir(parents=True, exist_ok=True)
    pack = contender.workdir / "watch.yaml"
    at = (datetime.now(UTC) + timedelta(seconds=PRESS_LEAD)).replace(microsecond=0)
    pack.write_text(pack_text(at), encoding="utf-8")
    contender.env["FACT_PACKS"] = str(pack)
    double = await new_double()
    try:
        guild = await double.add_guild("Bench", channels=("general", "episodes"))
        mod = double.add_member(guild, "mod", permissions=MOD)
        channel = guild.channel("episodes")
        await contender.start(double)
        done = await (await double.command(mod, "watchalong set", {"series": "Watch Show 0", "channel": channel})).reply()
        if "episode thread(s) planned" not in done.content:
            raise RuntimeError(f"/watchalong set did not plan the episode: {done.content}")
        if not await wait_until(lambda: bool(double.threads_in(channel)), time.monotonic() + PRESS_LEAD + 30):
            raise RuntimeError("no watch-along thread 30 s after the air instant")
        starter = double.starter_message(double.threads_in(channel)[0])
        voters = [double.add_member(guild, f"v{i}") for i in range(scale.voters)]
        sample = await in_flight(
            lambda n: double.send_press(voters[n], starter, STARS[n % len(STARS)]), scale.voters, scale.in_flight
        )
        expected = {v.id: n % len(STARS) + 1 for n, v in enumerate(voters)}
    finally:
        await contender.stop()
        await double.close()
    stored = await stored_rows(contender.store, "SELECT user_id, stars FROM episode_ratings")
    kept = set(stored)
    lost = sum(1 for user, stars in expected.items() if (user, stars) not in kept)
    return sample, lost + len(stored) - len({u for u, _ in stored})


async def rating_presses(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """`voters` members rating one watch-along starter, `in_flight` at once, against the floor's
    button and its poll-shaped message, alternated round by round as the vote row does."""
    floors: list[Sample] = []
    shaped: list[Sample] = []
    ours: list[Sample] = []
    wrong = 0
    for r in range(rounds):
        floors.append((await measure(floor(work / f"w{r}"), presses(scale, "button", ["Press"])))[0])
        shaped.append((await measure(floor(work / f"w{r}s"), presses(scale, "shaped", POLL_LABELS)))[0])
        sample, bad = await rating_round(fandex(work / f"w{r}"), scale)
        ours.append(sample)
        wrong += bad
    for i, (fl, sh, o) in enumerate(zip(floors, shaped, ours, strict=True)):
        print(
            f"    round {i}: floor {fl.throughput:,.0f}/s p99 {fl.p99:.0f} ms · poll-shaped floor {sh.throughput:,.0f}/s "
            f"p99 {sh.p99:.0f} ms · fandex {o.throughput:,.0f}/s p99 {o.p99:.0f} ms"
            + (f" ({o.failures} unanswered)" if o.failures else ""),
            flush=True,
        )
    f, b, s = merged(floors), merged(ours), merged(shaped)
    scenario = f"watch-along star presses on one starter, {scale.voters} members, {scale.in_flight} in flight"
    per_round = sorted(o.throughput / fl.throughput for fl, o in zip(floors, ours, strict=True))
    throughput = ratio_result(
        scenario, "acknowledged presses/s", statistics.median(x.throughput for x in floors),
        statistics.median(x.throughput for x in ours), 0.8, higher_is_better=True,
    )
    throughput.ratio = statistics.median(per_round)
    throughput.met = throughput.ratio >= 0.8
    throughput.extra = {"rounds": len(per_round), "lowest round": per_round[0], "highest round": per_round[-1],
                        "unanswered": b.failures}
    p50 = Result(scenario, "p50 ack latency", f.p50, b.p50, "ms", "report", b.p50 / f.p50, None)  # the vote row's targets: throughput, p99
    p99 = ratio_result(scenario, "p99 ack latency", f.p99, b.p99, 1.5)
    like = scenario + ", floor on a poll-shaped message"
    return [
        throughput,
        p50,
        p99,
        Result(like, "acknowledged presses/s", statistics.median(x.throughput for x in shaped),
               statistics.median(x.throughput for x in ours), "/s", "report",
               statistics.median(o.throughput / sh.throughput for sh, o in zip(shaped, ours, strict=True)), None),
        Result(like, "p99 ack latency", s.p99, b.p99, "ms", "report", b.p99 / s.p99, None),
        Result(scenario + ", then the store", "ratings lost or doubled", None, float(wrong), "", "0", None,
               wrong == 0 and b.failures == 0, {"unanswered": b.failures}),
    ]


# --- 500 servers, one instant --------------------------------------------------------------------


async def seed_burst(database: Path, pack: Path, servers: list[tuple[int, int, int]]) -> tuple[float, int]:
    """The pack imported, a watch-along per server (guild, channel, show) set now, and every server
    planned by the real planner as the bot does at start-up (so the bot finds the generation planned).
    Returns the seconds the plan took and the post timers pending."""
    async with Store.open(database) as store:
        await store.migrate()
        await store.packs.import_file(pack)
        ids = {s.key: s.id for s in await store.series.summaries()}
        now, setter = datetime.now(UTC), snowflake()
        for guild_id, channel_id, show in servers:
            await store.watchalongs.set(WatchAlong(guild_id, ids[f"show{show}"], channel_id, None, True, 7, setter, now))
        planner = WatchAlongPlanner(store, Scheduler(store), lambda: datetime.now(UTC))
        started = time.perf_counter()
        await planner.replan_changed()
        seconds = time.perf_counter() - started
        pending = await store.fetch_value("SELECT count(*) FROM timers WHERE state = 'pending' AND kind = 'watchalong-post'")
    return seconds, int(pending)


def peak_per_second(requests: list[RecordedRequest]) -> int:
    """The most of `requests` that arrived within any one second."""
    times = sorted(r.at for r in requests)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def burst(work: Path, scale: Scale, quick: bool, servers: int = 500) -> list[Result]:
    """`servers` servers, half with a text channel and half with a forum, each with a watch-along of
    one of 10 shows whose episodes all air at one instant: every thread once, and how late."""
    double = await new_double()
    ours = fandex(work / "burst")
    try:
        parents: list[FakeChannel] = []
        seeded = []
        for i in range(servers):
            forum = i % 2 == 1
            guild = await double.add_guild(f"g{i}", channels=() if forum else ("episodes",), forums=("forum",) if forum else ())
            parents.append(guild.channels[0])
            seeded.append((guild.id, guild.channels[0].id, i % SHOWS))
        at = (datetime.now(UTC) + timedelta(seconds=BURST_LEAD[quick])).replace(microsecond=0)
        ours.workdir.mkdir(parents=True, exist_ok=True)
        pack = ours.workdir / "watch.yaml"
        pack.write_text(pack_text(at, SHOWS), encoding="utf-8")
        plan_seconds, pending = await seed_burst(ours.database, pack, seeded)
        ours.env["FACT_PACKS"] = str(pack)
        await ours.start(double)
        air_mono = time.monotonic() + (at - datetime.now(UTC)).total_seconds()
        await wait_until(lambda: all(double.threads_in(p) for p in parents), air_mono + 60)
        await asyncio.sleep(1.5)  # a second thread or starter would land here
        threads = {p.id: double.threads_in(p) for p in parents}
        starters = {p.id: [m for m in double.channel_messages(p) if m.interaction_id is None] for p in parents if p.type == 0}
        calls = [r for r in double.requests if r.method == "POST" and r.path.startswith("/api/v10/channels/") and r.at >= air_mono - 5]
        limited = sum(1 for r in double.requests if r.status == 429)
    finally:
        await ours.stop()
        await double.close()
    posted = sum(1 for found in threads.values() if found)
    twice = sum(1 for found in threads.values() if len(found) > 1) + sum(1 for s in starters.values() if len(s) > 1)
    lateness = ReminderRound(
        [(datetime.fromisoformat(found[0].thread.created_at) - at).total_seconds() * 1000
         for found in threads.values() if found and found[0].thread is not None],
        posted, servers,
    )
    starter_late = sorted((datetime.fromisoformat(double.starter_message(found[0]).created_at) - at).total_seconds() * 1000
                          for found in threads.values() if found)
    peak = peak_per_second(calls)
    label = f"{servers} servers × a watch-along, {SHOWS} shows airing at one instant (half text channels, half forums)"
    return [
        Result(label, "threads posted (none twice)", None, float(posted), "", f"all posted ({servers})", None,
               posted == servers and twice == 0, {"twice": twice, "post timers pending before": pending}),
        Result(label, "p50 lateness, air instant → thread created", None, lateness.p50, "ms", "report", None, None,
               {"starter p50": statistics.median(starter_late) if starter_late else 0.0}),
        Result(label, "p99 lateness, air instant → thread created", None, lateness.p99, "ms", "report", None, None,
               {"starter p99": starter_late[min(len(starter_late) - 1, int(0.99 * len(starter_late)))] if starter_late else 0.0,
                "last thread": max(lateness.lateness_ms, default=0.0)}),
        # The double enforces no rate limit of its own (it answers 429 only when a test injects one), so
        # the row beside it says what Discord would have seen: its global limit is 50 requests/s a bot.
        Result(label, "429s answered by the double", None, float(limited), "", "0", None, limited == 0),
        Result(label, "peak message/thread POSTs in any 1 s", None, float(peak), "/s",
               f"≤ {GLOBAL_LIMIT}/s (Discord's global limit)", None, peak <= GLOBAL_LIMIT, {"POSTs": len(calls)}),
        Result(label, "planning every server (replan_all before start)", None, plan_seconds, "s", "report", None, None),
    ]
