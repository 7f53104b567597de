"""Offsets and durations, and which reminder timers a guild should have."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.input.durations import DurationError, format_duration, parse_duration, parse_offsets
from cogs.countdown.timeline import build_timeline, countdown_line
from cogs.countdown.wanted_timers import channel_reminders, personal_reminders
from db.facts.dates import parse_partial_date
from db.facts.models import Announcement, Release
from db.repos.personal_reminders import PersonalReminder
from db.repos.subscriptions import Subscription

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def release(rid: int, date: str, title: str = "Show") -> Release:
    return Release(
        rid, f"r{rid}", title, None, None, None, None, (Announcement(rid, 0, parse_partial_date(date, "UTC"), None, None, None, None),)
    )


def sub(sid: int, offsets: tuple[int, ...], active: bool = True) -> Subscription:
    return Subscription(sid, 1, 100 + sid, None, offsets, active, None, None, 7)


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("2h", 7200), ("3d", 259200), ("1w", 604800), ("1d12h", 129600), ("1D 12H", 129600), ("90s", 90)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "0", "soon", "1.5h", "-1h", "1h-", "h", "1y", "9999999d", "1d 2x"])
def test_bad_durations_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(DurationError, match="30m"):
        parse_duration(text)


def test_offsets_are_distinct_and_largest_first() -> None:
    assert parse_offsets("1h, 7d,0,1d, 1h") == (604800, 86400, 3600, 0)
    assert [format_duration(o) for o in parse_offsets("7d,1d12h,90s,0")] == ["7d", "1d12h", "1m30s", "0"]
    for bad in ("", "1d,", "1d,,2d", "367d", ",".join(["1m"] * 11)):
        with pytest.raises(DurationError):
            parse_offsets(bad)


def test_channel_reminders_only_ahead_only_exact_only_active() -> None:
    releases = [release(1, "2030-06-02 13:00"), release(2, "summer 2030"), release(3, "2030-06-01 12:30")]
    specs = channel_reminders(1, [sub(1, (86400, 3600, 0)), sub(2, (0,), active=False)], releases, NOW)
    assert sorted((s.payload["release_id"], s.payload["offset"]) for s in specs) == [(1, 0), (1, 3600), (1, 86400), (3, 0)]
    # release 3 starts in 30 min: its 1h and 1d reminders are already past and are not planned
    keys = {s.key for s in specs}
    assert len(keys) == 4 and all(k.startswith("reminder:1:") for k in keys)


def test_a_moved_release_gets_new_keys() -> None:
    before = channel_reminders(1, [sub(1, (0,))], [release(1, "2030-06-02 12:00")], NOW)
    after = channel_reminders(1, [sub(1, (0,))], [release(1, "2030-06-03 12:00")], NOW)
    assert before[0].key != after[0].key


def test_personal_reminders_need_an_exact_start_ahead() -> None:
    reminders = [PersonalReminder(1, 1, 9, 1), PersonalReminder(2, 1, 9, 2), PersonalReminder(3, 1, 9, 3)]
    releases = {1: release(1, "2030-06-02"), 2: release(2, "2031"), 3: release(3, "2030-05-01")}
    assert [s.payload["release_id"] for s in personal_reminders(1, reminders, releases, NOW)] == [1]


def test_timeline_and_countdown_wording() -> None:
    releases = [
        release(1, "2030-06-02 12:00", "Next"),
        release(2, "2029-01-01", "Old"),
        release(3, "Q3 2030", "Vague"),
        release(4, "unknown", "Mystery"),
    ]
    timeline = build_timeline(releases, NOW)
    assert [[r.title for r in part] for part in (timeline.upcoming, timeline.recent, timeline.approximate, timeline.undated)] == [
        ["Next"],
        ["Old"],
        ["Vague"],
        ["Mystery"],
    ]
    assert countdown_line(releases[0], NOW).endswith("(in 1 day).")
    assert "only the quarter is known" in countdown_line(releases[2], NOW)
    assert countdown_line(releases[3], NOW) == "❔ **Mystery** has no release date yet."
