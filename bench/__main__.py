"""`python -m bench [--quick] [--only NAME …] [--profile DIR]`: every scenario, floor and fandex in the same run.

Prints a table and writes bench/results.json (machine, versions, and per scenario the floor's figure,
fandex's, their ratio and whether the target is met).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import discord

from bench import backends, episodes, large, processes, reminders, scenarios, tvmaze, watchalong
from bench.contenders import PROFILE_DIR
from bench.postgres import SERVER_VARIABLE
from bench.scenarios import FULL, QUICK, Result
from tests.postgres_server import PostgresUnavailable, postgres_server

RESULTS = Path(__file__).resolve().parent / "results.json"
POSTGRESQL = ("votes-postgresql", "reminders-postgresql", "timers-3-processes", "idle-100k-timers")
NAMES = ("character", "autocomplete", "large", "large-positions", "votes", "votes-select", "reminders", "idle", "startup", "large-startup",
         "import", "memory", "large-memory", "tvmaze-import", "tvmaze-sync", "episode-reminders", "watchalong-presses",
         "watchalong-burst", *POSTGRESQL)


async def run_one(name: str, quick: bool) -> list[Result]:
    """One scenario, in this (fresh) process."""
    scale = QUICK if quick else FULL
    rounds = 1 if quick else 2  # floor, fandex, floor, fandex: alternated, so noise hits both
    with tempfile.TemporaryDirectory(prefix="fandex-bench-") as tmp:
        work = Path(tmp)
        steps = {
            "character": lambda: scenarios.character_lookup(work / "character", scale, rounds),
            "autocomplete": lambda: scenarios.autocomplete(work / "autocomplete", scale, rounds),
            # Bursts are short: more rounds, and the median of 5 (issue 28's measure).
            "votes": lambda: scenarios.votes(work / "votes", scale, 2 if quick else 5),
            "votes-select": lambda: scenarios.votes(work / "votes-select", scale, 2 if quick else 5, select=True),
            "reminders": lambda: reminders.reminders(work / "reminders", scale),
            "idle": lambda: reminders.idle(work / "idle", scale),
            "episode-reminders": lambda: episodes.episode_reminders(work / "episode-reminders", scale, quick),
            "watchalong-presses": lambda: watchalong.rating_presses(work / "watchalong-presses", scale, 2 if quick else 6),
            "watchalong-burst": lambda: watchalong.burst(work / "watchalong-burst", scale, quick),
            "startup": lambda: scenarios.startup(work / "startup", scale, rounds + 1),
            "memory": lambda: scenarios.memory(work / "memory", scale),
            "large": lambda: large.lookups(work / "large", scale, rounds),
            "large-positions": lambda: large.positioned_lookups(work / "large-positions", scale, rounds),
            "large-startup": lambda: large.startup(work / "large-startup", scale, rounds + 1),
            "import": lambda: large.first_import(work / "import", scale, 3),
            "large-memory": lambda: large.memory(work / "large-memory", scale),
            "tvmaze-import": lambda: tvmaze.import_soap(work / "tvmaze-import", scale),
            "tvmaze-sync": lambda: tvmaze.sync_unchanged(work / "tvmaze-sync", scale),
            "votes-postgresql": lambda: backends.votes_postgresql(work / "votes-pg", scale, 2 if quick else 10),
            "reminders-postgresql": lambda: backends.reminders_postgresql(work / "reminders-pg", scale, 1 if quick else 2),
            "timers-3-processes": lambda: processes.timers_across_processes(work / "timers-3", scale),
            "idle-100k-timers": lambda: processes.idle_across_processes(work / "idle-100k", scale),
        }
        return await steps[name]()


def run(quick: bool, only: set[str]) -> tuple[list[Result], dict[str, str]]:
    """Each scenario in its own process: what one leaves behind (doubles, thousands of finished
    interactions) must not slow the next one's double. One PostgreSQL cluster serves the whole run;
    without one, its rows are skipped with the reason. Returns the results and the skipped rows."""
    chosen = [name for name in NAMES if not only or name in only]
    results: list[Result] = []
    skipped: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        if any(name in POSTGRESQL for name in chosen):
            try:
                os.environ[SERVER_VARIABLE] = stack.enter_context(postgres_server(fsync=True)).url()
            except PostgresUnavailable as exc:
                skipped = {name: f"skipped, no PostgreSQL: {exc}" for name in chosen if name in POSTGRESQL}
        for name in chosen:
            if name in skipped:
                print(f"… {name}: {skipped[name]}", flush=True)
                continue
            results += run_child(name, quick)
    return results, skipped


def run_child(name: str, quick: bool) -> list[Result]:
    os.sync()  # the previous scenario's writes must not be flushing under this one's commits
    if not quick:
        time.sleep(2)  # and its processes' exit must not overlap this one's first round
    started = time.monotonic()
    print(f"… {name}", flush=True)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench", "--child", name, "--out", out.name] + (["--quick"] if quick else [])
        subprocess.run(command, check=True)
        found = [Result(**r) for r in json.loads(Path(out.name).read_text())]
    for r in found:
        print("  " + line(r), flush=True)
    print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
    return found


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:,.1f} {unit}".strip() if value < 1000 or unit != "ms" else f"{value:,.0f} {unit}"


def line(r: Result) -> str:
    ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
    met = {True: "met", False: "MISSED", None: ""}[r.met]
    baseline = fmt(r.floor, r.unit) if r.compared_with == "floor" or r.floor is None else f"{r.compared_with}: {fmt(r.floor, r.unit)}"
    return f"{r.scenario} | {r.figure} | {baseline} | {fmt(r.fandex, r.unit)} | {ratio} | {r.target} {met}"


def table(results: list[Result]) -> str:
    rows = ["| scenario | figure | floor | fandex | ratio | target |", "|---|---|---|---|---|---|"]
    rows += ["| " + line(r) + " |" for r in results]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller loads, one round: under a minute, for development")
    parser.add_argument("--only", nargs="*", choices=NAMES, default=[], help="run only these scenarios")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample every floor and fandex process with py-spy into DIR (speedscope files); "
                             "sampling costs CPU, so figures from such a run are not comparable")
    parser.add_argument("--child", choices=NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        found = asyncio.run(run_one(args.child, args.quick))
        args.out.write_text(json.dumps([asdict(r) for r in found]))
        return
    if args.profile:
        os.environ[PROFILE_DIR] = str(args.profile.resolve())  # inherited by each scenario's process
    started = time.monotonic()
    results, skipped = run(args.quick, set(args.only))
    print()
    print(table(results))
    for name, reason in skipped.items():
        print(f"{name}: {reason}")
    RESULTS.write_text(json.dumps({
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "discord.py": discord.__version__,
                    "platform": platform.platform()},
        "mode": "quick" if args.quick else "full",
        "profiled": args.profile is not None,  # sampled by py-spy: not comparable with unprofiled runs
        "seconds": round(time.monotonic() - started, 1),
        "results": [asdict(r) for r in results],
        "skipped": skipped,
    }, indent=2))
    print(f"\nwrote {RESULTS} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
