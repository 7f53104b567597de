"""The releases one guild sees, indexed once per (facts revision, followed packs, the guild's own dates)
and asked on every keystroke: names, episode codes ("severance s2e5", "severance 2x05") and time order.

Plain data and functions — no Discord, no store — so ordering and naming are tested directly. Built
in a thread (a 10,000-episode show is tens of thousands of names); every ask after that is a dict
lookup, a bisection or a short merge.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from bot.i18n import N_
from bot.input.whole_numbers import DIGIT, read_whole_number
from bot.search.matching import IndexEntry, NameIndex
from bot.search.name_forms import fold
from db.facts.dates import Precision
from db.facts.episode_refs import EpisodeRefError, parse_episode
from db.facts.models import Release, ReleaseKind

# A season's first and last numbered episodes, as /countdown and /episodes mark them (translated where shown).
SEASON_PREMIERE = N_("season premiere")
SEASON_FINALE = N_("season finale")
EPISODE_TITLE = "episode title"  # an index entry that is an episode's own title: found by it, never an exact title
# A complete code after the series' name ("s2e5", "S02 E05", "2x05") is read by the one episode grammar,
# db.facts.episode_refs.parse_episode (packs' `since:`, /progress and /spoilers read it too). This pattern
# reads only what that grammar rightly refuses and autocomplete must take: a code still being typed
# ("s2", "s2e", "s2e0", "2x") and the words "season 2 episode 5".
_PARTIAL = re.compile(
    r"^(?P<series>.+?)\s*(?:"
    rf"\bs(?P<season>{DIGIT}{{1,4}})(?:\s*e(?P<episode>0*))?"
    rf"|\b(?P<season_x>{DIGIT}{{1,4}})x(?P<episode_x>0*)"
    rf"|\bseason (?P<season_w>{DIGIT}{{1,4}})(?: episode(?: (?P<episode_w>{DIGIT}{{0,5}}))?)?"
    r")$"
)
_TYPED_DIGITS = re.compile(rf"{DIGIT}+$")


@dataclass(frozen=True, slots=True)
class EpisodeCode:
    """What a member typed as "<series> s2e5", "<series> 2x05" or "<series> season 2 episode 5"."""

    series: str
    season: int
    episode: str | None  # the digits typed so far ("" after "s2e"); None: a season alone

    @property
    def number(self) -> int | None:
        return read_whole_number(self.episode) if self.episode else None


def parse_episode_code(typed: str) -> EpisodeCode | None:
    """The series, season and episode digits in what was typed, or None when it is no episode code."""
    folded = fold(typed, keep_article=True)
    return _complete_code(folded) or _partial_code(folded)


def _complete_code(folded: str) -> EpisodeCode | None:
    """A series' name, then a complete episode code: the code is the longest run of whole words at the
    end that the one grammar reads (a few words: no scan of anything but what was typed)."""
    starts = [i + 1 for i, ch in enumerate(folded) if ch == " "]
    for start in starts:
        try:
            season, __ = parse_episode(folded[start:])
        except EpisodeRefError:
            continue
        digits = _TYPED_DIGITS.search(folded)
        assert digits is not None  # parse_episode read a code ending in the episode's digits
        return EpisodeCode(folded[:start].strip(), season, digits[0])  # as typed: "s2e1" completes E01, E10…
    return None


def _partial_code(folded: str) -> EpisodeCode | None:
    found = _PARTIAL.match(folded)
    if found is None:
        return None
    season = found["season"] or found["season_x"] or found["season_w"]
    episode = next((e for e in (found["episode"], found["episode_x"], found["episode_w"]) if e is not None), None)
    if found["season_w"] and episode is None and not found[0].endswith("episode"):
        return None  # "<series> season 2" is the season's own name, in the name index
    if found["season_w"] and episode is None:
        episode = ""
    return EpisodeCode(found["series"].strip(), read_whole_number(season) or 0, episode)


def instant(release: Release) -> datetime | None:
    current = release.current
    return current.date.starts_at if current is not None else None


def time_rank(release: Release, now: datetime) -> tuple[int, float, str]:
    """Upcoming soonest first; then approximate dates, earliest first; then aired, most recent first;
    then undated."""
    moment = instant(release)
    if moment is not None:
        return (0, moment.timestamp(), release.title) if moment > now else (2, -moment.timestamp(), release.title)
    window = _window_start(release)
    return (3, 0.0, release.title) if window is None else (1, window.timestamp(), release.title)


def _window_start(release: Release) -> datetime | None:
    """Where an approximate date's window opens (None: undated)."""
    current = release.current
    if current is None or current.date.precision is Precision.UNKNOWN:
        return None
    return current.date.window_start


@dataclass
class _Timeline:
    """Releases with an instant, by instant; then those without: approximate first, then undated."""

    timed: list[Release] = field(default_factory=list)
    instants: list[float] = field(default_factory=list)
    approximate: list[Release] = field(default_factory=list)
    undated: list[Release] = field(default_factory=list)

    def add(self, release: Release) -> None:
        if instant(release) is not None:
            self.timed.append(release)
        elif _window_start(release) is not None:
            self.approximate.append(release)
        else:
            self.undated.append(release)

    def seal(self) -> None:
        self.timed.sort(key=lambda r: (instant(r), r.title))
        self.instants = [instant(r).timestamp() for r in self.timed]  # type: ignore[union-attr]  # add() times only releases with an instant
        self.approximate.sort(key=lambda r: (_window_start(r), r.title))
        self.undated.sort(key=lambda r: r.title)

    def in_order(self, now: datetime) -> Iterator[Release]:
        """Every release in `time_rank` order, lazily: a bisection, then slices."""
        split = bisect.bisect_right(self.instants, now.timestamp())
        yield from islice(self.timed, split, None)
        yield from self.approximate
        yield from (self.timed[i] for i in range(split - 1, -1, -1))
        yield from self.undated

    def next_after(self, now: datetime) -> Release | None:
        split = bisect.bisect_right(self.instants, now.timestamp())
        return self.timed[split] if split < len(self.timed) else None

    def last_before(self, now: datetime) -> Release | None:
        split = bisect.bisect_right(self.instants, now.timestamp())
        return self.timed[split - 1] if split else None


class GuildReleases:
    """One guild's releases, by name, by episode number and in time order. Immutable once built."""

    def __init__(self, releases: Iterable[Release], series_names: Mapping[int, list[str]]) -> None:
        self.releases = list(releases)
        self.by_id = {r.id: r for r in self.releases}
        self._all = _Timeline()
        self._per_series: dict[int, _Timeline] = defaultdict(_Timeline)
        self._episodes: dict[tuple[int, int, int], Release] = {}
        self._last_number: dict[tuple[int, int], int] = {}
        self._seasons: dict[tuple[int, int], list[Release]] = defaultdict(list)  # numbered episodes, then specials
        for release in self.releases:
            self._all.add(release)
            if release.series_id is not None:
                self._per_series[release.series_id].add(release)
                if release.is_episode and release.season_number is not None:
                    self._seasons[(release.series_id, release.season_number)].append(release)
                    if release.episode is not None:
                        self._episodes[(release.series_id, release.season_number, release.episode)] = release
                        place = (release.series_id, release.season_number)
                        self._last_number[place] = max(self._last_number.get(place, 0), release.episode)
        for timeline in (self._all, *self._per_series.values()):
            timeline.seal()
        for episodes in self._seasons.values():
            episodes.sort(key=lambda r: (r.kind is not ReleaseKind.EPISODE, r.episode or 0, r.id))
        self.names = NameIndex(release_entries(self.releases, series_names), strict=True)
        seen = set(self._per_series)
        self.series = NameIndex(
            [IndexEntry(sid, names[0], name, "name" if i == 0 else "alias")
             for sid, names in series_names.items() if sid in seen and names for i, name in enumerate(names)],
        )

    def __len__(self) -> int:
        return len(self.releases)

    def in_order(self, now: datetime, series_id: int | None = None) -> Iterator[Release]:
        """Every release (of one series), upcoming soonest first, then the rest (see `time_rank`)."""
        if series_id is None:
            return self._all.in_order(now)
        timeline = self._per_series.get(series_id)
        return timeline.in_order(now) if timeline else iter(())

    def next_up(self, now: datetime, series_id: int | None = None) -> Release | None:
        """The next release with an exact instant after `now` (of one series)."""
        timeline = self._all if series_id is None else self._per_series.get(series_id)
        return timeline.next_after(now) if timeline else None

    def latest(self, now: datetime) -> Release | None:
        """The release with an exact instant most recently passed."""
        return self._all.last_before(now)

    def next_episode(self, series_id: int, now: datetime) -> Release | None:
        timeline = self._per_series.get(series_id)
        if timeline is None:
            return None
        split = bisect.bisect_right(timeline.instants, now.timestamp())
        return next((r for r in islice(timeline.timed, split, None) if r.is_episode), None)

    def latest_episode(self, series_id: int, now: datetime) -> Release | None:
        timeline = self._per_series.get(series_id)
        if timeline is None:
            return None
        split = bisect.bisect_right(timeline.instants, now.timestamp())
        return next((timeline.timed[i] for i in range(split - 1, -1, -1) if timeline.timed[i].is_episode), None)

    def season(self, series_id: int, number: int) -> list[Release]:
        """A season's episodes: numbered ones in order, then specials."""
        return self._seasons.get((series_id, number), [])

    def season_numbers(self, series_id: int) -> list[int]:
        """Seasons of the series that have a release or episodes here, in order."""
        timeline = self._per_series.get(series_id)
        if timeline is None:
            return []
        every = (*timeline.timed, *timeline.approximate, *timeline.undated)
        return sorted({r.season_number for r in every if r.season_number is not None})

    def role(self, release: Release) -> str | None:
        """"season premiere" for a season's first numbered episode, "season finale" for its last (of several):
        the English, which the caller translates where it is shown."""
        if release.kind is not ReleaseKind.EPISODE or release.series_id is None or release.season_number is None:
            return None
        numbered = [e for e in self.season(release.series_id, release.season_number) if e.kind is ReleaseKind.EPISODE]
        if numbered and numbered[0].id == release.id:
            return SEASON_PREMIERE
        if len(numbered) > 1 and numbered[-1].id == release.id:
            return SEASON_FINALE
        return None

    def episode(self, code: EpisodeCode, *, exact: bool = False) -> Release | None:
        """The episode a complete code names, in the series the code's name means."""
        if code.number is None:
            return None
        for series_id in self._series_meant(code.series, exact=exact):
            found = self._episodes.get((series_id, code.season, code.number))
            if found is not None:
                return found
        return None

    def _series_meant(self, typed: str, *, exact: bool) -> list[int]:
        if exact:
            return [m.target for m in self.series.exact_all(typed)]
        return list(dict.fromkeys(m.target for m in self.series.resolve(typed)))

    def complete(self, typed: str, now: datetime, limit: int = 25) -> list[Release]:
        """Autocomplete: what fits the typed text, upcoming soonest first, then the rest."""
        if not fold(typed):
            return list(islice(self.in_order(now), limit))
        code = parse_episode_code(typed)
        if code is not None:
            found = self._complete_code(code, now, limit)
            if found:
                return found
        pool: dict[int, Release] = {}
        for match in self.series.complete(typed, 5, fuzzy=False):
            pool.update((r.id, r) for r in islice(self.in_order(now, match.target), limit))
        pool.update((m.target, self.by_id[m.target]) for m in self.names.complete(typed, limit))
        return sorted(pool.values(), key=lambda r: time_rank(r, now))[:limit]

    def found_by_title_alone(self, typed: str, limit: int = 25) -> set[int]:
        """The episodes `complete(typed)` offers only because their own title fits (not their code, name or
        series): a reader who has not watched one must not find it that way, which would tie the title to it."""
        if not fold(typed) or parse_episode_code(typed) is not None:
            return set()
        series = {m.target for m in self.series.complete(typed, 5, fuzzy=False)}
        kinds: dict[int, set[str]] = defaultdict(set)
        for match in self.names.complete(typed, limit):
            kinds[match.target].add(match.entry.kind)
        return {
            target for target, found in kinds.items()
            if found == {EPISODE_TITLE} and self.by_id[target].series_id not in series
        }

    def _complete_code(self, code: EpisodeCode, now: datetime, limit: int) -> list[Release]:
        """A season's releases for "<series> s2", its episodes for "<series> s2e" (soonest first), or those
        whose number starts with the digits typed ("s2e1": E01, then E10–E19, then E100…)."""
        found: list[Release] = []
        for match in self.series.complete(code.series, 5):
            in_season = (r for r in self.in_order(now, match.target) if r.season_number == code.season)
            digits = (code.episode or "").lstrip("0")
            if code.episode is None:
                found += islice((r for r in in_season if not r.is_episode), limit)
                found += islice((r for r in self.in_order(now, match.target) if r.season_number == code.season), limit)
            elif not digits:  # "s2e" or "s2e0": the season's episodes
                found += islice((r for r in in_season if r.is_episode), limit)
            else:
                found += self._numbered_from(match.target, code.season, read_whole_number(digits) or 0, limit)
        return list(dict.fromkeys(found))[:limit]

    def _numbered_from(self, series_id: int, season: int, first: int, limit: int) -> list[Release]:
        """Episodes numbered `first`, then first·10 … first·10+9, and so on: dictionary lookups, no scan."""
        found: list[Release] = []
        low, high = first, first + 1
        last = self._last_number.get((series_id, season), 0)
        while low <= last and len(found) < limit:
            for number in range(low, min(high, last + 1)):
                if (episode := self._episodes.get((series_id, season, number))) is not None:
                    found.append(episode)
                    if len(found) == limit:
                        break
            low, high = low * 10, high * 10
        return found


def release_entries(releases: Iterable[Release], series_names: Mapping[int, list[str]]) -> list[IndexEntry]:
    """Names a release answers to: its title (a special's with its own title), an episode's own title,
    "<series> season N" and "<series> sN" for a season under each series name, and the series' names
    alone when it is the series' only release (a miniseries)."""
    releases = list(releases)
    seasons_of: dict[int, int] = defaultdict(int)
    for r in releases:
        if r.series_id is not None and not r.is_episode:
            seasons_of[r.series_id] += 1
    entries: list[IndexEntry] = []
    for release in releases:
        if release.kind is ReleaseKind.SPECIAL:
            entries.append(IndexEntry(release.id, release.label, release.label, "name"))
        else:
            entries.append(IndexEntry(release.id, release.title, release.title, "name"))
        if release.is_episode:
            if release.episode_title:
                entries.append(IndexEntry(release.id, release.title, release.episode_title, EPISODE_TITLE))
            continue
        if release.series_id is None or release.season_number is None:
            continue
        for name in series_names.get(release.series_id, []):
            n = release.season_number
            entries += [
                IndexEntry(release.id, release.title, f"{name} season {n}", "alias"),
                IndexEntry(release.id, release.title, f"{name} s{n}", "alias"),
            ]
            if seasons_of[release.series_id] == 1:
                entries.append(IndexEntry(release.id, release.title, name, "alias"))
    return entries
