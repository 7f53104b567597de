"""What a series has coming that a calendar can hold — plain functions of its releases and the clock.

An occasion is a release or episode known to the minute (one known only to its day, month, season or
year has no start to put in a calendar). A season's own release and its first episode are one
occasion, the season premiere, keyed by the season, so it stays the same occasion (the same Discord
event, the same calendar UID) whichever of the two the facts list, and when its date moves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import _
from bot.spoilers.positions import EpisodeCode, Position, is_visible
from db.facts.dates import Precision
from db.facts.models import Release, ReleaseKind

DEFAULT_LENGTH = timedelta(hours=1)  # when the runtime is unknown


@dataclass(frozen=True, slots=True)
class Occasion:
    """One dated thing to gather for; `key` names what it is, never when."""

    series_id: int | None
    key: str
    release: Release
    premiere: bool
    starts_at: datetime

    @property
    def ends_at(self) -> datetime:
        minutes = self.release.runtime
        return self.starts_at + (timedelta(minutes=minutes) if minutes else DEFAULT_LENGTH)

    @property
    def code(self) -> EpisodeCode | None:
        r = self.release
        if r.kind is ReleaseKind.EPISODE and r.season_number is not None and r.episode is not None:
            return EpisodeCode(r.season_number, r.episode)
        return None

    def title(self, position: Position) -> str:
        """The release's short title, with the episode's own title only when `position` has reached it
        (a calendar or a Discord event cannot hide a title behind a spoiler bar: it is left out). Its fixed
        words in the language being spoken: the reader's in a calendar, the server's in its events."""
        r = self.release
        shown = r.episode_title is not None and (self.code is None or is_visible(self.code, position))
        if r.kind is ReleaseKind.SPECIAL and r.episode_title and not shown:
            return _("{title} (special)", title=r.title)
        return f"{r.title} — “{r.episode_title}”" if shown else r.title


def exact_start(release: Release) -> datetime | None:
    current = release.current
    if current is None or current.date.precision is not Precision.EXACT:
        return None
    return current.date.starts_at


def occasion_key(release: Release) -> tuple[str, bool]:
    """(key, is a premiere): a season's release and its episode 1 share `season-N`."""
    season = release.season_number
    if release.kind is ReleaseKind.RELEASE:
        return (f"season-{season}", True) if season is not None else (f"release-{release.key}", True)
    if release.kind is ReleaseKind.EPISODE and season is not None and release.episode == 1:
        return f"season-{season}", True
    return f"release-{release.key}", False


def occasions(releases: Iterable[Release]) -> list[Occasion]:
    """The releases known to the minute as occasions, one per key (a season premiere that is also the
    season's first episode once: the episode, which has the title and runtime), by start."""
    chosen: dict[tuple[int | None, str], Occasion] = {}
    for release in releases:
        starts_at = exact_start(release)
        if starts_at is None:
            continue
        key, premiere = occasion_key(release)
        slot = (release.series_id, key)
        held = chosen.get(slot)
        if held is None or (held.release.kind is ReleaseKind.RELEASE and release.kind is ReleaseKind.EPISODE):
            chosen[slot] = Occasion(release.series_id, key, release, premiere, starts_at)
    return sorted(chosen.values(), key=lambda o: (o.starts_at, o.key))


def upcoming(found: Iterable[Occasion], now: datetime, *, premieres_only: bool = False, limit: int | None = None) -> list[Occasion]:
    """Those not yet started (premieres only, if asked), nearest first, at most `limit`."""
    ahead = [o for o in found if o.starts_at > now and (o.premiere or not premieres_only)]
    ahead.sort(key=lambda o: (o.starts_at, o.key))
    return ahead if limit is None else ahead[:limit]
