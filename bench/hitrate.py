"""`python -m bench.hitrate [--failures] [TABLE …]`: the matcher's hit rates on the case tables
(tests/matching_cases/), before and after, as a markdown table — run by hand, not by the tests.

"Before" is the matcher of commit 06aec51 (bot/search/matching.py loaded from git at run time): one index
over every pack in scope, asked with `best`, no near-ties. "After" is the bot's own: `Directory`'s
per-pack indexes searched as one `ScopedIndex`, asked with `resolve` (the answer, then the near-ties a
lookup names as "Also: …"). Both see the same store, imported with the real importer. Also printed:
how long each builds its indexes from that store, and the mean time of one lookup.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import types
from collections.abc import Sequence
from typing import Any

from bench.cases import ROOT, TABLES, Keys, Outcome, evaluate, load_cases, table_store, tally
from bot.search.directory import Directory
from db import Store

BEFORE = "06aec51"


def matcher_at(commit: str) -> types.ModuleType:
    """bot/search/matching.py as it was at `commit`, as a module of its own (the bot's is untouched)."""
    for path in ("bot/search/matching.py", "bot/matching.py"):  # where it lived before the layout step
        shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{path}"], check=False, capture_output=True, text=True)
        if shown.returncode == 0:
            source = shown.stdout
            break
    else:
        raise SystemExit(f"no matcher at {commit}")
    module = types.ModuleType(f"matching_{commit}")
    sys.modules[module.__name__] = module  # dataclasses look their module up while decorating
    exec(compile(source, f"{commit}:bot/search/matching.py", "exec"), module.__dict__)
    return module


async def before_index(store: Store, old: types.ModuleType) -> Any:
    """The index 06aec51's directory built: every name of every pack in one NameIndex, the most
    prominent first as defaults (it read the same rows through queries that are gone since)."""
    names = await store.characters.name_entries_by_pack()
    prominence = await store.characters.prominence_by_pack()
    entries = [old.IndexEntry(n.character_id, n.character_name, n.text, n.kind) for rows in names.values() for n in rows]
    order = [cid for ranked in prominence.values() for cid, _, _ in ranked]
    return old.NameIndex(entries, defaults=order)


async def measure(table: str) -> dict[str, Any]:
    cases = load_cases(table)
    old = matcher_at(BEFORE)
    async with table_store(table) as store:
        started = time.perf_counter()
        await store.characters.name_entries_by_pack()
        await store.characters.prominence_by_pack()
        reads = time.perf_counter() - started
        started = time.perf_counter()
        previous = await before_index(store, old)
        before_build = time.perf_counter() - started
        started = time.perf_counter()
        current = await Directory(store).characters(None)
        after_build = time.perf_counter() - started
        keys = await Keys.load(store)
        if unknown := keys.unknown(cases):
            raise SystemExit(f"{table}.tsv names characters that do not exist: {'; '.join(unknown)}")

        def old_resolve(query: str) -> list[int]:
            found = previous.best(query)
            return [found.target] if found else []

        def new_resolve(query: str) -> list[int]:
            return [m.target for m in current.resolve(query)]

        timings = {}
        for name, resolve in (("before", old_resolve), ("after", new_resolve)):
            started = time.perf_counter()
            for case in cases:
                resolve(case.query)
            timings[name] = (time.perf_counter() - started) / max(len(cases), 1)
        before = evaluate(cases, old_resolve, keys, lambda t: previous.label(t) or "?")
        after = evaluate(cases, new_resolve, keys, current.display)
        return {
            "table": table, "characters": len(current), "before": before, "after": after,
            "reads": reads, "before_build": before_build, "after_build": after_build, "timings": timings,
        }


def report(results: Sequence[dict[str, Any]], failures: bool) -> str:
    lines = ["| pack (characters) | category | cases | hits before | hits after |", "|---|---|---:|---:|---:|"]
    for r in results:
        before, after = tally(r["before"]), tally(r["after"])
        for category, (hits, total) in after.items():
            lines.append(f"| {r['table']} ({r['characters']:,}) | {category} | {total} | {before[category][0]} | {hits} |")
        b, a = sum(o.hit for o in r["before"]), sum(o.hit for o in r["after"])
        n = len(r["after"])
        lines.append(f"| **{r['table']}** | **all** | **{n}** | **{b} ({b / n:.0%})** | **{a} ({a / n:.0%})** |")
    lines += [
        "", "| pack | characters | store reads | before: reads + build | after: reads + build | before: per lookup | after: per lookup |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['table']} | {r['characters']:,} | {r['reads'] * 1000:.0f} ms | {r['before_build'] * 1000:.0f} ms | "
            f"{r['after_build'] * 1000:.0f} ms | {r['timings']['before'] * 1000:.1f} ms | {r['timings']['after'] * 1000:.1f} ms |"
        )
    if failures:
        for r in results:
            for name in ("before", "after"):
                missed: list[Outcome] = [o for o in r[name] if not o.hit]
                lines += ["", f"{r['table']}, {name}: {len(missed)} wrong"] + [f"  {o.describe()}" for o in missed]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hitrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="*", choices=[*TABLES, []], metavar="TABLE", help=f"default: all ({', '.join(TABLES)})")
    parser.add_argument("--failures", action="store_true", help="list every wrong answer, before and after")
    args = parser.parse_args(argv)
    results = [asyncio.run(measure(table)) for table in args.tables or TABLES]
    print(report(results, args.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
