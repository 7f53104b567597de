"""When an episode counts as watched by everyone, and the order episodes sit in.

The `aired` rule: an episode counts as watched `delay` after it airs. One known to the minute airs at
that instant; one known to the day at the start of that day in its zone; one known only to its month,
quarter, season or year at the END of that period (it may air on its last day); an undated one never.

Order: numbered episodes by season, then number. A special (an episode outside the numbering) sits
right after the last numbered episode of its season that airs at or before it, by air date; an
undated special, or one dated only less precisely than the episodes around it, after its season's
last numbered episode. A position is always a numbered episode, so a special counts as watched once
the position reaches the numbered episode after it (or the next season): when in doubt, hidden.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.spoilers.positions import NOT_STARTED, EpisodeCode, Position, Reach
from db.facts.dates import PartialDate, Precision
from db.facts.models import Release, ReleaseKind

# (season, number of the numbered episode it follows or is, 0 for a numbered episode / 1 for a special)
OrderKey = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class ListedEpisode:
    """An episode as the position rules need it: its season, its number (None for a special), its date."""

    season: int
    number: int | None
    date: PartialDate | None

    @property
    def code(self) -> EpisodeCode | None:
        return None if self.number is None else EpisodeCode(self.season, self.number)


def listed(releases: Iterable[Release]) -> list[ListedEpisode]:
    """The episodes and specials among a series' releases, as the rules need them."""
    out = []
    for release in releases:
        if not release.is_episode or release.season_number is None:
            continue
        number = release.episode if release.kind is ReleaseKind.EPISODE else None
        out.append(ListedEpisode(release.season_number, number, release.current.date if release.current else None))
    return out


def counted(releases: Sequence[Release], counts: Mapping[int, int]) -> list[ListedEpisode]:
    """The episodes of each season a pack gives only as a count (`episodes: 13`): S01E01–S01E13, each at
    the season's own date, as a season released all at once (none listed, none dated: never aired)."""
    listed_seasons = {r.season_number for r in releases if r.kind is ReleaseKind.EPISODE}
    dates = {r.season_number: r.current.date for r in releases if not r.is_episode and r.current is not None}
    return [
        ListedEpisode(season, number, dates.get(season))
        for season, count in sorted(counts.items())
        if season not in listed_seasons
        for number in range(1, count + 1)
    ]


def airs_at(date: PartialDate | None) -> datetime | None:
    """The instant an episode counts as aired: its instant, its day's start, its period's end, or never."""
    if date is None or date.precision is Precision.UNKNOWN:
        return None
    if date.precision.has_instant:
        return date.starts_at
    return date.window_end


def counts_as_watched(episode: ListedEpisode, delay: timedelta, now: datetime) -> bool:
    """Whether everyone has had `delay` to watch the episode by `now` (at the instant itself: yes)."""
    aired = airs_at(episode.date)
    return aired is not None and aired + delay <= now


def aired_position(episodes: Iterable[ListedEpisode], delay: timedelta, now: datetime) -> Position:
    """The latest numbered episode, in order, counted as watched by `now`; `none` when there is none.

    The latest, not the first gap: an earlier episode left undated must not hold a whole series back.
    """
    watched = [e.code for e in episodes if e.code is not None and counts_as_watched(e, delay, now)]
    return Position(Reach.EPISODE, max(watched)) if watched else NOT_STARTED


class AiredTimeline:
    """A series' numbered episodes by the instant each counts as aired, so the `aired` position at any
    moment is one binary search — for replies asked on every keystroke (autocomplete), where a scan of a
    long series each time would cost too much. Same answer as `aired_position`. Immutable once built."""

    def __init__(self, episodes: Iterable[ListedEpisode]) -> None:
        timed = sorted(
            (aired, e.code) for e in episodes if e.code is not None and (aired := airs_at(e.date)) is not None
        )
        self._instants = [aired for aired, _ in timed]
        self._latest: list[EpisodeCode] = []  # the latest code among the first i+1 to air
        for _, code in timed:
            self._latest.append(max(code, self._latest[-1]) if self._latest else code)

    def position(self, delay: timedelta, now: datetime) -> Position:
        """The latest numbered episode counted as watched by `now` with `delay`; `none` when there is none."""
        count = bisect_right(self._instants, now - delay)
        return Position(Reach.EPISODE, self._latest[count - 1]) if count else NOT_STARTED


def order_keys(episodes: Sequence[ListedEpisode]) -> list[OrderKey]:
    """Each episode's place in the series' order (see the module docstring), in the order given."""
    numbered: dict[int, list[tuple[int, datetime | None]]] = {}
    for e in episodes:
        if e.number is not None:
            numbered.setdefault(e.season, []).append((e.number, airs_at(e.date)))
    keys = []
    for e in episodes:
        if e.number is not None:
            keys.append((e.season, e.number, 0))
            continue
        season = sorted(numbered.get(e.season, []))
        last = season[-1][0] if season else 0
        aired = airs_at(e.date) if e.date is not None and e.date.precision.has_instant else None
        if aired is not None:
            before = [n for n, when in season if when is not None and when <= aired]
            last = max(before, default=0)
        keys.append((e.season, last, 1))
    return keys


def key_visible(key: OrderKey, position: Position) -> bool:
    """Whether the episode at `key` counts as watched at `position` (a special needs the episode after it)."""
    if position.reach is Reach.ALL:
        return True
    if position.episode is None:
        return False
    return key <= (position.episode.season, position.episode.number, 0)


def watched_releases(releases: Iterable[Release], position: Position) -> set[int]:
    """The ids of the episodes and specials among `releases` (a series' or one season's — a special's
    place depends only on its own season) that count as watched at `position`; any other release, and
    every episode after the position, is left out, so a caller that hides what is missing errs safe."""
    ordered = [r for r in releases if r.is_episode and r.season_number is not None]  # exactly those listed() keeps
    return {r.id for r, key in zip(ordered, order_keys(listed(ordered)), strict=True) if key_visible(key, position)}
