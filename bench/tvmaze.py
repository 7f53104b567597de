"""TVmaze fandoms: importing a 10,000-episode show, and a sync pass over 100 unchanged fandoms.

Both run in this process against the local TVmaze double (tests/tvmaze_double.py) and a SQLite store:
the import is timed from the first request to the commit, with the growth of this process's RSS; the
sync pass counts the requests the double received (one updates list, no show).
"""

from __future__ import annotations

import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bench.scenarios import Result, Scale
from bot.tvmaze.client import TvmazeClient
from bot.tvmaze.fandoms import TvmazeFandoms
from bot.tvmaze.pacing import Pacer
from db import Store
from tests.tvmaze_double import TvmazeDouble, default_catalogue, weekly_show

SOAP = 5  # the double's 10,000-episode daily show (40 seasons of 250)
FANDOMS = 100


def rss_mib() -> float:
    """This process's resident set now, from /proc (ru_maxrss only ever grows)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _service(work: Path, double: TvmazeDouble, session: aiohttp.ClientSession, store: Store) -> TvmazeFandoms:
    # The bench's own TVmaze is local: no need for the 20-per-10-s pacing fandex keeps for the real one.
    client = TvmazeClient(session, base_url=double.base_url, pacer=Pacer(100_000, 1.0))
    return TvmazeFandoms(store, client, lambda: datetime.now(UTC), stale_after=timedelta(hours=12))


async def import_soap(work: Path, scale: Scale) -> list[Result]:
    work.mkdir(parents=True, exist_ok=True)
    double = TvmazeDouble()
    default_catalogue(double)
    await double.start()
    try:
        async with aiohttp.ClientSession() as session, Store.open(work / "soap.sqlite3") as store:
            await store.migrate()
            fandoms = await _service(work, double, session, store)
            before = rss_mib()
            started = time.perf_counter()
            change = await fandoms.add(SOAP)
            took = time.perf_counter() - started
            grown = rss_mib() - before
    finally:
        await double.close()
    releases = change.report.added["releases"]
    return [Result(f"import of a TVmaze show with {releases:,} episodes", "fetch, convert, check, import", None, took, "s",
                   "≤ 5 s", None, took <= 5.0, {"RSS growth (MiB)": round(grown, 1)})]


async def sync_unchanged(work: Path, scale: Scale) -> list[Result]:
    work.mkdir(parents=True, exist_ok=True)
    double = TvmazeDouble()
    first = datetime.now(UTC) - timedelta(weeks=5)
    for show_id in range(1, FANDOMS + 1):
        double.add(weekly_show(show_id, f"Weekly Show {show_id}", seasons=1, episodes=10, first=first))
    await double.start()
    try:
        async with aiohttp.ClientSession() as session, Store.open(work / "sync.sqlite3") as store:
            await store.migrate()
            fandoms = await _service(work, double, session, store)
            for show_id in range(1, FANDOMS + 1):
                await fandoms.add(show_id)
            double.requests.clear()
            started = time.perf_counter()
            changes = await fandoms.sync_pass()
            took = time.perf_counter() - started
    finally:
        await double.close()
    requests = dict(double.requests)
    shows_fetched = sum(n for path, n in requests.items() if path.startswith("/shows/"))
    ok = requests.get("/updates/shows") == 1 and shows_fetched == 0 and not changes
    return [Result(f"sync pass over {FANDOMS} unchanged TVmaze fandoms", "one updates request, no show fetched", None,
                   took * 1000, "ms", "1 request, 0 shows", None, ok,
                   {"updates requests": requests.get("/updates/shows", 0), "shows fetched": shows_fetched})]
