"""Ordering and wording releases in time — plain functions, no Discord, no store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.formatting import date_words, discord_timestamp, humanize_duration, literal
from bot.i18n import N_, _
from bot.spoilers.shown import barred_title
from db.facts.dates import Precision
from db.facts.models import Release
from db.facts.quoting import inline_code

# What /countdown says of a date known only to a month, quarter, season or year: one whole sentence each.
_EXPECTED = {
    Precision.MONTH: N_("🗓️ {title} is expected in **{date}** — only the month is known, so there is no exact countdown yet."),
    Precision.QUARTER: N_("🗓️ {title} is expected in **{date}** — only the quarter is known, so there is no exact countdown yet."),
    Precision.SEASON: N_("🗓️ {title} is expected in **{date}** — only the season is known, so there is no exact countdown yet."),
    Precision.YEAR: N_("🗓️ {title} is expected in **{date}** — only the year is known, so there is no exact countdown yet."),
}


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
    timeline.approximate.sort(key=lambda r: (r.current.date.window_start, r.title))  # type: ignore[union-attr]  # approximate: current is set
    timeline.undated.sort(key=lambda r: r.title)
    return timeline


def shown_label(release: Release, *, barred: bool = False) -> str:
    """`**Show S2E05 — “Title”**`; `barred` (an episode past the reader's position): its code plain, its own
    title only inside spoiler bars, `**Show S2E05** — ||“Title”||`."""
    if barred and release.episode_title:
        return f"**{literal(release.title)}** — {barred_title(release.episode_title)}"
    return f"**{literal(release.label)}**"


def countdown_line(release: Release, now: datetime, role: str | None = None, *, barred: bool = False) -> str:
    """What /countdown says: Discord timestamps (live, in each reader's zone) plus plain words. An episode
    "airs", shown with its own title (in spoiler bars when `barred`) and, for a season's first or last,
    its `role` ("season premiere")."""
    title = shown_label(release, barred=barred) + (f" ({_(role)})" if role else "")
    current = release.current
    if current is None or current.date.precision is Precision.UNKNOWN:
        return _("❔ {title} has no release date yet.", title=title)
    date = current.date
    if date.starts_at is None:
        return _(_EXPECTED[date.precision], title=title, date=date_words(date))
    moment = date.starts_at
    stamp = f"{discord_timestamp(moment, 'F')} — {discord_timestamp(moment, 'R')}"
    day_note = (
        " " + _("Only the day is announced, so this counts from midnight in {zone}.", zone=inline_code(date.timezone))
        if date.precision is Precision.DAY else ""
    )
    if moment > now:
        duration = humanize_duration(moment - now)
        if release.is_episode:
            return _("⏳ {title} airs {stamp} (in {duration}).", title=title, stamp=stamp, duration=duration) + day_note
        return _("⏳ {title} premieres {stamp} (in {duration}).", title=title, stamp=stamp, duration=duration) + day_note
    duration = humanize_duration(now - moment)
    if release.is_episode:
        return _("🎬 {title} aired {stamp} ({duration} ago).", title=title, stamp=stamp, duration=duration) + day_note
    return _("🎬 {title} premiered {stamp} ({duration} ago).", title=title, stamp=stamp, duration=duration) + day_note


def per_series(releases: Iterable[Release]) -> list[tuple[Release, int]]:
    """The releases in the order given, each series' episodes folded into its first one there:
    (release, how many more of its series' episodes were folded into it). Lists stay one line per
    series however many episodes it has."""
    out: list[tuple[Release, int]] = []
    first: dict[int, int] = {}
    for release in releases:
        if release.is_episode and release.series_id is not None:
            at = first.get(release.series_id)
            if at is not None:
                kept, more = out[at]
                out[at] = (kept, more + 1)
                continue
            first[release.series_id] = len(out)
        out.append((release, 0))
    return out
