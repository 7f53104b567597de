"""Occasions, Discord events and the .ics, as plain functions: a season's release and its episode 1
are one occasion keyed by the season; dates known only to the day, month or year are left out; the
nearest 20 are kept; an episode title past the position is left out; the .ics, read back by
icalendar, keeps each event's UID when its date moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from bot.spoilers.positions import EVERYTHING, NOT_STARTED, at
from cogs.events.calendar import calendar_file, uid
from cogs.events.keeping import DESCRIPTION_LIMIT, NAME_LIMIT, marker, wanted_event
from cogs.events.occasions import occasions, upcoming
from db.facts.dates import parse_partial_date
from db.facts.models import Announcement, Release, ReleaseKind

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SERIES = 7


def release(rid: int, when: str, *, kind: ReleaseKind = ReleaseKind.EPISODE, season: int | None = 1,
            episode: int | None = None, title: str | None = None, runtime: int | None = None,
            platform: str | None = "Netflix") -> Release:
    code = f"S{season}E{episode:02d}" if episode is not None else f"season {season}"
    date = parse_partial_date(when, "UTC")
    return Release(
        rid, f"e{rid}", f"Show {code}", SERIES, season, platform, None,
        (Announcement(rid, 1, date, None, None, None, None),), kind, episode, title, runtime,
    )


def show(*, e1: str = "2030-02-01T20:00Z", e2: str = "2030-02-08T20:00Z") -> list[Release]:
    return [
        release(1, "2030-02-01T20:00Z", kind=ReleaseKind.RELEASE),  # season 1's own premiere
        release(2, e1, episode=1, title="Pilot", runtime=50),
        release(3, e2, episode=2, title="The Twist"),
        release(4, "2030-02-15", episode=3, title="Only A Day"),
        release(5, "2031-05", kind=ReleaseKind.RELEASE, season=2),
        release(6, "2029-12-31T10:00Z", kind=ReleaseKind.SPECIAL, season=None, title="Aired Already"),
    ]


def test_a_season_premiere_that_is_also_episode_one_is_one_occasion() -> None:
    found = occasions(show())
    assert [(o.key, o.premiere, o.release.id) for o in found] == [
        ("release-e6", False, 6), ("season-1", True, 2), ("release-e3", False, 3),
    ]  # the day-only episode 3 and season 2's month are not there
    assert [o.key for o in upcoming(found, NOW)] == ["season-1", "release-e3"]
    assert [o.key for o in upcoming(found, NOW, premieres_only=True)] == ["season-1"]
    premiere = found[1]
    assert premiere.ends_at - premiere.starts_at == timedelta(minutes=50)
    assert found[2].ends_at - found[2].starts_at == timedelta(hours=1)  # no runtime: an hour


def test_at_most_the_nearest_twenty() -> None:
    many = [release(i, (NOW + timedelta(days=i)).strftime("%Y-%m-%dT%H:%MZ"), episode=i + 1) for i in range(1, 30)]
    kept = upcoming(occasions(many), NOW, limit=20)
    assert len(kept) == 20 and kept[0].release.id == 1 and kept[-1].release.id == 20


def test_an_event_leaves_out_a_title_past_the_position() -> None:
    premiere = occasions(show())[1]
    hidden = wanted_event(premiere, SERIES, "Show", NOT_STARTED).payload
    shown = wanted_event(premiere, SERIES, "Show", at(1, 1)).payload
    assert hidden["name"] == "Show S1E01" and "Pilot" not in str(hidden)
    assert shown["name"] == "Show S1E01 — “Pilot”"
    assert hidden["entity_metadata"] == {"location": "Netflix"} and hidden["entity_type"] == 3
    assert hidden["description"].endswith(marker(SERIES, "season-1"))
    assert hidden["scheduled_end_time"] > hidden["scheduled_start_time"]
    nowhere = release(9, "2030-03-01T20:00Z", episode=9, title="x" * 300, platform=None)
    long = wanted_event(occasions([nowhere])[0], SERIES, "A Series", EVERYTHING).payload
    assert long["entity_metadata"] == {"location": "A Series"}  # no platform: the series' title
    assert len(long["name"]) <= NAME_LIMIT and len(long["description"]) <= DESCRIPTION_LIMIT


def parse(data: bytes) -> dict[str, icalendar.cal.Component]:
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"]).startswith("-//fandex")
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_calendar_keeps_its_uids_when_a_date_moves() -> None:
    before_data = calendar_file([(o, NOT_STARTED) for o in upcoming(occasions(show()), NOW)], NOW)
    assert b"\r\n" in before_data and b"\n" not in before_data.replace(b"\r\n", b"")
    before = parse(before_data)
    after = parse(calendar_file([(o, NOT_STARTED) for o in upcoming(occasions(show(e2="2030-02-09T21:00Z")), NOW)], NOW))
    assert set(before) == set(after) == {f"{SERIES}-season-1@fandex.calendar", f"{SERIES}-release-e3@fandex.calendar"}
    moved = after[f"{SERIES}-release-e3@fandex.calendar"]
    assert moved.decoded("DTSTART") == datetime(2030, 2, 9, 21, 0, tzinfo=UTC)
    for event in after.values():
        assert event.decoded("DTSTART").utcoffset() == timedelta(0) and event.decoded("DTSTAMP") == NOW
        assert "Pilot" not in str(event["SUMMARY"]) and "Twist" not in str(event["SUMMARY"])
    assert uid(occasions(show())[1]) == f"{SERIES}-season-1@fandex.calendar"
