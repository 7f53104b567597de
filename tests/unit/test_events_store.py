"""Where scheduled events are kept: a server's setting per series (set, re-scoped, stopped) and the
event made per occasion, its row written before its id — each server apart, on a real SQLite file
and a real PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from db import Store, bundled_pack_path
from db.repos.events.made import MadeEvent
from db.repos.events.settings import EventSeries

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


async def test_settings_and_made_events_per_server(store: Store) -> None:
    await store.packs.import_files([bundled_pack_path(), WEEKLY])
    series = (await store.series.summaries(None))[0].id
    assert await store.event_series.set(EventSeries(1, series, "premieres", 7, NOW)) is None
    before = await store.event_series.set(EventSeries(1, series, "episodes", 8, NOW + timedelta(hours=1)))
    assert before is not None and before.scope == "premieres"
    await store.event_series.set(EventSeries(2, series, "premieres", 9, NOW))
    [mine] = await store.event_series.of_guild(1)
    assert (mine.scope, mine.set_by, mine.updated_at) == ("episodes", 8, NOW + timedelta(hours=1))

    pending = MadeEvent(1, series, "season-1", None, NOW + timedelta(days=1), "a")
    await store.made_events.record(pending)
    assert await store.made_events.of_guild(1) == [pending]
    made = MadeEvent(1, series, "season-1", 12_345, NOW + timedelta(days=2), "b")
    await store.made_events.record(made)  # the same occasion: its row, now with its id, moved
    await store.made_events.record(MadeEvent(3, series, "season-1", 999, NOW, "c"))
    assert await store.made_events.of_guild(1) == [made]
    assert await store.event_series.guilds() == [1, 2, 3]  # 3: an event still to delete

    assert await store.event_series.stop(1, series) and not await store.event_series.stop(1, series)
    assert [s.guild_id for s in await store.event_series.of_guild(2)] == [2]
    await store.made_events.forget(1, series, "season-1")
    assert await store.made_events.of_guild(1) == [] and len(await store.made_events.of_guild(3)) == 1
