"""Discord Scheduled Events and the calendar through the real bot and the double: /events set and stop
with their refusals, each event made once (set twice: the same ids; a lost id found again by its
marker), a season premiere that is also episode 1 as one event, at most 20 per series, moved with
/release set and back with /release remove, nothing in another server; /calendar's .ics read back
by icalendar with the same UIDs across a move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually

BACKENDS = ("sqlite", "postgresql")
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
EVENTS = Permissions.CREATE_EVENTS | Permissions.MANAGE_EVENTS


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def pack_text(first: datetime) -> str:
    """Season 1 announced at `first`, its 24 episodes hourly from then (episode 1 at the premiere);
    season 2 known only to its month (in no event, in no calendar)."""
    episodes = "\n".join(
        f'          - {{number: {n}, title: Secret {n}, date: "{iso(first + timedelta(hours=n - 1))}", runtime: 42}}'
        for n in range(1, 25)
    )
    return f"""format: 1
pack: {{id: eventful, title: Eventful}}
sources:
  a: {{title: An article}}
series:
  show:
    title: Event Show
    platform: Netflix
    source: a
    seasons:
      - number: 1
        source: a
        release:
          - {{date: "{iso(first)}", source: a}}
        episodes:
{episodes}
      - number: 2
        source: a
        release:
          - {{date: "{(first + timedelta(days=400)).strftime('%Y-%m')}", source: a}}
"""


async def server(double: DiscordDouble, name: str, *, grants: int = EVENTS) -> tuple[FakeGuild, FakeMember]:
    guild = await double.add_guild(name)
    guild.bot_grants = grants
    return guild, double.add_member(guild, "mod", permissions=MOD)


def events(double: DiscordDouble, guild: FakeGuild) -> list[dict[str, Any]]:
    return sorted(double.events_of(guild), key=lambda e: e["scheduled_start_time"])


def creates(double: DiscordDouble) -> int:
    return sum(1 for r in double.requests if r.method == "POST" and r.path.endswith("/scheduled-events"))


def release_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_events_made_once_moved_capped_and_stopped(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None,
) -> None:
    double = fresh_double
    first = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    pack = tmp_path / "eventful.yaml"
    pack.write_text(pack_text(first), encoding="utf-8")
    bot = BotProcess(double, tmp_path / "bot", env={"FACT_PACKS": str(pack)}, database_url=database_url)
    await bot.start()
    try:
        guild, mod = await server(double, "Hell's Kitchen")
        other, other_mod = await server(double, "Elsewhere")
        bare, bare_mod = await server(double, "No Events", grants=0)
        fan = double.add_member(guild, "fan")

        refused = await say(double, fan, "events set", {"series": "Event Show", "scope": "premieres"})
        assert refused.ephemeral and "Manage Server" in refused.content, refused.content
        missing = await say(double, bare_mod, "events set", {"series": "Event Show", "scope": "premieres"})
        assert missing.ephemeral and "**Create Events**, **Manage Events**" in missing.content, missing.content
        assert "Nothing was changed" in missing.content
        assert await bot.query("SELECT count(*) FROM event_series") == [(0,)]

        done = await say(double, mod, "events set", {"series": "Event Show", "scope": "premieres"})
        assert done.ephemeral and "1 event(s) created" in done.content, done.content
        [premiere] = events(double, guild)
        assert premiere["entity_type"] == 3 and premiere["privacy_level"] == 2
        assert premiere["entity_metadata"] == {"location": "Netflix"}
        assert premiere["scheduled_start_time"].startswith(first.strftime("%Y-%m-%dT%H:%M:%S"))
        start = datetime.fromisoformat(premiere["scheduled_start_time"])
        assert datetime.fromisoformat(premiere["scheduled_end_time"]) - start == timedelta(minutes=42)
        assert "Secret" not in premiere["name"], premiere["name"]  # not aired: the title is past the position

        again = await say(double, mod, "events set", {"series": "Event Show", "scope": "premieres"})
        assert "0 event(s) created, 0 moved, 0 deleted" in again.content, again.content
        assert [e["id"] for e in events(double, guild)] == [premiere["id"]]

        every = await say(double, mod, "events set", {"series": "Event Show", "scope": "episodes"})
        assert "19 event(s) created" in every.content, every.content  # 20 at most; episode 1 is the premiere
        kept = events(double, guild)
        assert len(kept) == 20 and kept[0]["id"] == premiere["id"]
        assert kept[-1]["scheduled_start_time"].startswith((first + timedelta(hours=19)).strftime("%Y-%m-%dT%H:%M:%S"))
        assert events(double, other) == [] and events(double, bare) == []
        before = creates(double)

        # A process killed between its row and the event's id: the next sync finds the event by its marker.
        await bot.execute("UPDATE scheduled_events SET event_id = NULL WHERE event_key = 'season-1'")
        await say(double, mod, "events set", {"series": "Event Show", "scope": "episodes"})
        assert creates(double) == before and [e["id"] for e in events(double, guild)] == [e["id"] for e in kept]
        assert await bot.query("SELECT count(*) FROM scheduled_events WHERE event_id IS NULL") == [(0,)]

        second = kept[1]
        assert second["name"] == "Event Show S1E02", [e["name"] for e in kept]
        later = first + timedelta(hours=1, minutes=30)
        moved = await say(double, mod, "release set", {"title": "Event Show s1e2", "date": release_date(later), "timezone": "UTC"})
        assert moved.ephemeral and moved.content.startswith("Moved"), moved.content
        await eventually(
            lambda: double.scheduled_events[int(second["id"])]["scheduled_start_time"].startswith(iso(later)[:19]),
            15, "the event to move with /release set",
        )
        assert creates(double) == before and len(events(double, guild)) == 20

        back = await say(double, mod, "release remove", {"title": "Event Show s1e2"})
        assert back.ephemeral, back.content
        await eventually(
            lambda: double.scheduled_events[int(second["id"])]["scheduled_start_time"].startswith(
                iso(first + timedelta(hours=1))[:19]),
            15, "the event to move back with /release remove",
        )

        # The server's reach now covers everything: its events name their episodes (the same events).
        await say(double, mod, "spoilers server", {"series": "Event Show", "upto": "all"})
        await eventually(lambda: "Event Show S1E02 — “Secret 2”" in {e["name"] for e in events(double, guild)}, 15,
                         "the events to gain their titles")
        assert creates(double) == before and [e["id"] for e in events(double, guild)] == [e["id"] for e in kept]

        # One row lost its id again: stop still deletes that event, found by its marker.
        await bot.execute("UPDATE scheduled_events SET event_id = NULL WHERE event_key = (SELECT max(event_key) FROM scheduled_events)")
        stopped = await say(double, mod, "events stop", {"series": "Event Show"})
        assert "20 deleted" in stopped.content, stopped.content
        assert events(double, guild) == [] and await bot.query("SELECT count(*) FROM scheduled_events") == [(0,)]
        twice = await say(double, mod, "events stop", {"series": "Event Show"})
        assert "keeps no events" in twice.content, twice.content
        assert other_mod.id != mod.id
    finally:
        await bot.stop()


def parsed(double: DiscordDouble, message: Any) -> dict[str, icalendar.cal.Component]:
    data = message.files["fandex.ics"] if "fandex.ics" in message.files else next(iter(message.files.values()))
    assert b"\r\n" in data and b"VERSION:2.0" in data
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "fandex" in str(cal["PRODID"])
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


async def test_calendar_keeps_uids_across_a_move(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    double = fresh_double
    first = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    pack = tmp_path / "eventful.yaml"
    pack.write_text(pack_text(first), encoding="utf-8")
    bot = BotProcess(double, tmp_path / "bot", env={"FACT_PACKS": str(pack)})
    await bot.start()
    try:
        _, mod = await server(double, "Hell's Kitchen")
        reply = await say(double, mod, "calendar")
        assert not reply.ephemeral, reply.content
        found = parsed(double, reply)
        assert len(found) == 24, sorted(found)  # the premiere and episode 1 are one; season 2 has only a month
        for event in found.values():
            assert event.decoded("DTSTART").tzinfo is not None and event.decoded("DTSTART").utcoffset() == timedelta(0)
            assert "DTSTAMP" in event and "DTEND" in event
            assert "Secret" not in str(event["SUMMARY"])  # past the channel's position: left out
        later = first + timedelta(hours=1, minutes=30)
        await say(double, mod, "release set", {"title": "Event Show s1e2", "date": release_date(later), "timezone": "UTC"})
        after = parsed(double, await say(double, mod, "calendar"))
        assert set(after) == set(found)
        moved = [uid for uid in found if found[uid].decoded("DTSTART") != after[uid].decoded("DTSTART")]
        assert len(moved) == 1 and after[moved[0]].decoded("DTSTART") == later
    finally:
        await bot.stop()


async def test_a_changed_pack_moves_and_deletes_events_across_a_restart(fresh_double: DiscordDouble, tmp_path: Path) -> None:
    """The facts changed while the bot was down (a sync, a re-import): on its return an episode moved
    moves its event (the same id), one gone deletes its event, the next one takes the free place, and
    nothing is made twice."""
    double = fresh_double
    first = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    pack = tmp_path / "eventful.yaml"
    pack.write_text(pack_text(first), encoding="utf-8")
    bot = BotProcess(double, tmp_path / "bot", env={"FACT_PACKS": str(pack)})
    await bot.start()
    try:
        guild, mod = await server(double, "Hell's Kitchen")
        await say(double, mod, "events set", {"series": "Event Show", "scope": "episodes"})
        kept = {e["name"]: e["id"] for e in events(double, guild)}
        assert len(kept) == 20 and "Event Show S1E21" not in kept
        await bot.stop()
        moved_to = first + timedelta(hours=4, minutes=20)
        text = pack_text(first).replace(f'{{number: 5, title: Secret 5, date: "{iso(first + timedelta(hours=4))}"',
                                        f'{{number: 5, title: Secret 5, date: "{iso(moved_to)}"')
        text = "\n".join(line for line in text.splitlines() if "title: Secret 3," not in line) + "\n"
        pack.write_text(text, encoding="utf-8")
        before = creates(double)
        await bot.start()
        await eventually(lambda: "Event Show S1E03" not in {e["name"] for e in events(double, guild)}, 20,
                         "the gone episode's event to be deleted")
        await eventually(lambda: len(events(double, guild)) == 20, 20, "the next episode to take its place")
        now = {e["name"]: e for e in events(double, guild)}
        assert now["Event Show S1E05"]["id"] == kept["Event Show S1E05"]
        assert now["Event Show S1E05"]["scheduled_start_time"].startswith(iso(moved_to)[:19])
        assert "Event Show S1E21" in now and creates(double) == before + 1
        assert all(now[name]["id"] == kept[name] for name in now if name != "Event Show S1E21")
    finally:
        await bot.stop()
