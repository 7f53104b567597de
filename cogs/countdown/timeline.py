"""Ordering and wording releases in time — plain functions, no Discord, no store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.formatting import discord_timestamp, humanize_duration, literal
from bot.matching import IndexEntry
from db.dates import Precision
from db.models import Release
from db.quoting import inline_code


@dataclass
class Timeline:
    upcoming: list[Release] = field(default_factory=list)  # exact instant ahead, soonest first
    recent: list[Release] = field(default_factory=list)  # exact instant passed, most recent first
    approximate: list[Release] = field(default_factory=list)  # a year, season, quarter or month
    undated: list[Release] = field(default_factory=list)


def starts_at(release: Release) -> datetime | None:
    current = release.current
    return current.date.starts_at if current is not None else None


def build_timeline(releases: Iterable[Release], now: datetime) -> Timeline:
    timeline = Timeline()
    for release in releases:
        current = release.current
        instant = starts_at(release)
        if instant is not None:
            (timeline.upcoming if instant > now else timeline.recent).append(release)
        elif current is None or current.date.precision is Precision.UNKNOWN:
            timeline.undated.append(release)
        else:
            timeline.approximate.append(release)
    timeline.upcoming.sort(key=lambda r: (starts_at(r), r.title))
    timeline.recent.sort(key=lambda r: (starts_at(r), r.title), reverse=True)
    timeline.approximate.sort(key=lambda r: (r.current.date.window_start, r.title))  # type: ignore[union-attr]
    timeline.undated.sort(key=lambda r: r.title)
    return timeline


def countdown_line(release: Release, now: datetime) -> str:
    """What /countdown says: Discord timestamps (live, in each reader's zone) plus plain words."""
    title = f"**{literal(release.title)}**"
    current = release.current
    if current is None or current.date.precision is Precision.UNKNOWN:
        return f"❔ {title} has no release date yet."
    date = current.date
    if date.starts_at is None:
        return (
            f"🗓️ {title} is expected in **{date.display()}** — only the {date.precision.value} is known, "
            "so there is no exact countdown yet."
        )
    moment = date.starts_at
    stamp = f"{discord_timestamp(moment, 'F')} — {discord_timestamp(moment, 'R')}"
    day_note = (
        f" Only the day is announced, so this counts from midnight in {inline_code(date.timezone)}."
        if date.precision is Precision.DAY else ""
    )
    if moment > now:
        return f"⏳ {title} premieres {stamp} (in {humanize_duration(moment - now)}).{day_note}"
    return f"🎬 {title} premiered {stamp} ({humanize_duration(now - moment)} ago).{day_note}"


def release_entries(releases: Iterable[Release], series_names: Mapping[int, list[str]]) -> list[IndexEntry]:
    """Names a release answers to: its title, "<series> season N" and "<series> sN" for each series
    name, and the series' names alone when it is the series' only release (a miniseries)."""
    releases = list(releases)
    per_series = Counter(r.series_id for r in releases if r.series_id is not None)
    entries: list[IndexEntry] = []
    for release in releases:
        entries.append(IndexEntry(release.id, release.title, release.title, "name"))
        if release.series_id is None or release.season_number is None:
            continue
        for name in series_names.get(release.series_id, []):
            n = release.season_number
            entries += [
                IndexEntry(release.id, release.title, f"{name} season {n}", "alias"),
                IndexEntry(release.id, release.title, f"{name} s{n}", "alias"),
            ]
            if per_series[release.series_id] == 1:
                entries.append(IndexEntry(release.id, release.title, name, "alias"))
    return entries
