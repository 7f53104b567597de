"""Scenarios at scale: 20,000 characters over four generated packs (bench/packgen.py, realistic name
collisions). Lookups with typos and misses, autocomplete as people type, start-up with packs that did
not change, the first import of a 3 MB pack, and memory — each against the floor in the same run."""

from __future__ import annotations

import random
import shutil
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import packgen
from bench.contenders import Contender, fandex, floor
from bench.load import Sample, at_rate
from bench.scenarios import Result, Scale, first_answer, new_double, one_guild, ratio_result
from db import Store, bundled_pack_path
from db.packs.check import check_pack_file
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions

MISSES = ("Zorblax the Unmade", "qwzx", "Captain Nobody", "Mrs Xylophone", "Blorptown Harry", "Vreen Okonkwo-Sharpe")


def typed(shows: list[packgen.Show], count: int, seed: int = 3) -> list[str]:
    """What members type, in proportion: full names, typos, first names alone, other names, actors, misses."""
    rng = random.Random(seed)
    people = [p for show in shows for p in show.people]
    out: list[str] = []
    while len(out) < count:
        person = rng.choice(people)
        roll = rng.random()
        if roll < 0.35:
            out.append(person.name)
        elif roll < 0.55:
            at = rng.randrange(1, len(person.name))
            out.append(person.name[:at] + person.name[at + 1 :])  # one letter dropped
        elif roll < 0.65:
            out.append(person.name.split()[0])
        elif roll < 0.75 and person.names:
            out.append(rng.choice([n for names in person.names.values() for n in names]))
        elif roll < 0.85 and person.actor:
            out.append(person.actor)
        elif roll >= 0.85:
            out.append(rng.choice(MISSES) if rng.random() < 0.5 else f"{person.name.split()[0]} {rng.choice(MISSES).split()[-1]}")
    return out


async def prepared(work: Path, characters: int, *, spoilers: bool = False) -> tuple[list[packgen.Show], list[Path], Path]:
    """The generated packs (with `since:` marks when `spoilers`), and a store that has imported them
    (what a restart finds)."""
    shows = packgen.generate(characters, 4)
    paths = packgen.write(shows, work / "packs", spoilers=spoilers)
    template = work / "imported.sqlite3"
    if not template.exists():
        async with Store.open(template) as store:
            await store.migrate()
            await store.packs.import_files(paths)
    return shows, paths, template


def large_fandex(workdir: Path, template: Path, paths: list[Path]) -> Contender:
    contender = fandex(workdir, FACT_PACKS=",".join(str(p) for p in paths))
    contender.workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, contender.database)
    return contender


Body = Callable[[DiscordDouble, FakeGuild, FakeMember], Awaitable[Sample]]


async def _run(contender: Contender, body: Body, *, warm: bool) -> Sample:
    double = await new_double()
    try:
        guild, member = await one_guild(double)
        await contender.start(double)
        try:
            if warm:  # the indexes are built in a thread after start-up; the figures are for lookups, not that
                await (await double.command(member, "character", {"name": "warm-up"})).reply()
            return await body(double, guild, member)
        finally:
            await contender.stop()
    finally:
        await double.close()


async def lookups(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """`/character` and its autocomplete over 20,000 characters, misses included, against `/ping`."""
    work.mkdir(parents=True, exist_ok=True)
    shows, paths, template = await prepared(work, scale.large_characters)
    queries = typed(shows, 1000)
    rng = random.Random(9)
    prefixes = [q[: rng.randint(1, len(q))] for q in queries]
    pings: list[Sample] = []
    found: list[Sample] = []
    completed: list[Sample] = []
    for r in range(rounds):

        async def ping(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> Sample:
            return await at_rate(lambda n: double.send_command(member, "ping"), scale.rate, scale.seconds)

        async def lookup(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> Sample:
            return await at_rate(
                lambda n: double.send_command(member, "character", {"name": queries[n % len(queries)]}), scale.rate, scale.seconds
            )

        async def complete(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> Sample:
            return await at_rate(
                lambda n: double.send_autocomplete(member, "character", {"name": prefixes[n % len(prefixes)]}, "name"),
                scale.rate,
                scale.seconds,
            )

        pings.append(await _run(floor(work / f"lk{r}"), ping, warm=False))
        found.append(await _run(large_fandex(work / f"lk{r}", template, paths), lookup, warm=True))
        completed.append(await _run(large_fandex(work / f"ac{r}", template, paths), complete, warm=True))
    f, b, c = _merge(pings), _merge(found), _merge(completed)
    name = f"{scale.large_characters:,} characters in 4 packs"
    return [
        ratio_result(f"`/character`, {name}, typos and misses", "p50 latency", f.p50, b.p50, 1.3),
        ratio_result(f"`/character`, {name}, typos and misses", "p99 latency", f.p99, b.p99, 2.0),
        ratio_result(f"autocomplete, {name}, 1 letter to whole name", "p50 latency", f.p50, c.p50, 1.3),
        ratio_result(f"autocomplete, {name}, 1 letter to whole name", "p99 latency", f.p99, c.p99, 2.0),
    ]


async def positioned_lookups(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """The same lookups on the same 20,000 characters, a tenth of them and another tenth's other names
    marked `since:` an episode, with positions set: the server's `/spoilers server` in each main series
    for `/character` (public), the member's own `/progress` for autocomplete (what they alone see)."""
    work.mkdir(parents=True, exist_ok=True)
    shows, paths, template = await prepared(work, scale.large_characters, spoilers=True)
    queries = typed(shows, 1000)
    rng = random.Random(9)
    prefixes = [q[: rng.randint(1, len(q))] for q in queries]
    pings: list[Sample] = []
    found: list[Sample] = []
    completed: list[Sample] = []

    async def positions(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
        mod = double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
        for show in shows:
            title = show.series[0][1]
            for who, command, options in (
                (mod, "spoilers server", {"series": title, "upto": "S02E05"}),
                (member, "progress set", {"series": title, "episode": "S03E05"}),
            ):
                reply = await (await double.command(who, command, options)).reply()
                assert "S0" in reply.content, reply.content  # set, not refused

    for r in range(rounds):

        async def ping(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> Sample:
            return await at_rate(lambda n: double.send_command(member, "ping"), scale.rate, scale.seconds)

        async def lookup(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> Sample:
            await positions(double, guild, member)
            return await at_rate(
                lambda n: double.send_command(member, "character", {"name": queries[n % len(queries)]}), scale.rate, scale.seconds
            )

        async def complete(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> Sample:
            await positions(double, guild, member)
            return await at_rate(
                lambda n: double.send_autocomplete(member, "character", {"name": prefixes[n % len(prefixes)]}, "name"),
                scale.rate,
                scale.seconds,
            )

        pings.append(await _run(floor(work / f"lk{r}"), ping, warm=False))
        found.append(await _run(large_fandex(work / f"lk{r}", template, paths), lookup, warm=True))
        completed.append(await _run(large_fandex(work / f"ac{r}", template, paths), complete, warm=True))
    f, b, c = _merge(pings), _merge(found), _merge(completed)
    name = f"{scale.large_characters:,} characters in 4 packs, a tenth marked `since:`"
    return [
        ratio_result(f"`/character`, {name}, a server setting per series", "p50 latency", f.p50, b.p50, 1.3),
        ratio_result(f"`/character`, {name}, a server setting per series", "p99 latency", f.p99, b.p99, 2.0),
        ratio_result(f"autocomplete, {name}, the member's own progress", "p50 latency", f.p50, c.p50, 1.3),
        ratio_result(f"autocomplete, {name}, the member's own progress", "p99 latency", f.p99, c.p99, 2.0),
    ]


async def startup(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """Process start → first answer with the generated packs already imported and unchanged, against a
    store holding only the bundled pack; and → the first lookup answered (the indexes built)."""
    work.mkdir(parents=True, exist_ok=True)
    _shows, paths, template = await prepared(work, scale.large_characters)
    plain = work / "plain.sqlite3"
    if not plain.exists():
        async with Store.open(plain) as store:
            await store.migrate()
            await store.packs.import_file(bundled_pack_path())
    empty: list[float] = []
    large: list[float] = []
    looked_up: list[float] = []
    floors: list[float] = []
    for r in range(rounds):
        floors.append(await first_answer(floor(work / f"su{r}"), "ping"))
        small = fandex(work / f"su{r}-plain")
        small.workdir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plain, small.database)
        empty.append(await first_answer(small, "about"))
        large.append(await first_answer(large_fandex(work / f"su{r}-large", template, paths), "about"))
        looked_up.append(await _first_lookup(large_fandex(work / f"su{r}-lookup", template, paths)))
    e, s, lk = statistics.median(empty), statistics.median(large), statistics.median(looked_up)
    scenario = f"start-up, {scale.large_characters:,} characters in 4 unchanged packs"
    return [
        Result(scenario, "start to first answer", statistics.median(floors), s, "ms", "≤ 1.2× bundled pack only",
               s / e, s / e <= 1.2, {"bundled pack only": e}),
        Result(scenario, "start to first `/character` answered", statistics.median(floors), lk, "ms", "report", lk / e, None,
               {"bundled pack only": e}),
    ]


async def _first_lookup(contender: Contender) -> float:
    double = await new_double()
    try:
        _guild, member = await one_guild(double)
        await contender.start(double)
        record = await double.command(member, "character", {"name": "Claire Bennett"})
        assert record.callback_at is not None
        return (record.callback_at - contender.started_at) * 1000
    finally:
        await contender.stop()
        await double.close()


async def first_import(work: Path, scale: Scale, rounds: int) -> list[Result]:
    """One generated pack of 20,000 characters (about 3 MB), checked and imported into a fresh store."""
    work.mkdir(parents=True, exist_ok=True)
    (path,) = packgen.write(packgen.generate(scale.large_characters, 1), work / "one")
    timings: list[float] = []
    checks: list[float] = []
    for r in range(rounds):
        database = work / f"import{r}.sqlite3"
        database.unlink(missing_ok=True)
        async with Store.open(database) as store:
            await store.migrate()
            started = time.perf_counter()
            check_pack_file(path)
            checks.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await store.packs.import_files([path])
            timings.append((time.perf_counter() - started) * 1000)
    took = statistics.median(timings)
    size = path.stat().st_size / 2**20
    return [
        Result(f"first import of a {size:.1f} MB pack ({scale.large_characters:,} characters)", "check and import", None,
               took, "ms", "≤ 2 s", None, took <= 2000, {"check alone": statistics.median(checks)}),
    ]


async def memory(work: Path, scale: Scale) -> list[Result]:
    """RSS once started and the indexes are built, with 20,000 characters, against the floor."""
    work.mkdir(parents=True, exist_ok=True)
    _shows, paths, template = await prepared(work, scale.large_characters)
    double = await new_double()
    try:
        _guild, member = await one_guild(double)
        contenders = (floor(work / "rss"), large_fandex(work / "rss", template, paths))
        for contender in contenders:
            await contender.start(double)
        try:
            await (await double.command(member, "character", {"name": "Claire Bennett"})).reply()
            rss = {c.name: c.rss_bytes() / 2**20 for c in contenders}
        finally:
            for contender in contenders:
                await contender.stop()
    finally:
        await double.close()
    return [
        Result(f"{scale.large_characters:,} characters in 4 packs", "RSS after start-up and the first lookup", rss["floor"],
               rss["fandex"], "MiB", "report", rss["fandex"] / rss["floor"], None),
    ]


def _merge(samples: list[Sample]) -> Sample:
    return Sample([x for s in samples for x in s.latencies_ms], sum(s.seconds for s in samples), sum(s.failures for s in samples))
