"""What one reply may show of facts a pack marks `since:` an episode: per series, the order of the
last episode its reader counts as watched. Pure: built from positions (sights.py reads them), asked
once per fact with two integer comparisons, and hashable, so what is built for one sight (a card,
the hidden names of an index) is kept for the next reply that sees as far."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.spoilers.positions import Position, Reach
from db.facts.episode_refs import episode_order
from db.facts.models import EpisodeMark

SEES_ALL = 1 << 62  # past any episode's order
SEES_NONE = -1  # before any: not started


def order_of(position: Position) -> int:
    """A position as the one integer a fact's mark compares with (db/facts/episode_refs.py)."""
    if position.reach is Reach.ALL:
        return SEES_ALL
    if position.episode is None:
        return SEES_NONE
    return episode_order(position.episode.season, position.episode.number)


@dataclass(frozen=True, slots=True)
class Sight:
    """Per series id, the order of the last episode counted as watched. A mark in a series this sight
    was not built for is hidden: when in doubt, hidden."""

    limits: tuple[tuple[int, int], ...] = ()  # (series id, order), by series id

    @classmethod
    def of(cls, positions: Mapping[int, Position]) -> Sight:
        return cls(tuple(sorted((series_id, order_of(p)) for series_id, p in positions.items())))

    def limit(self, series_id: int) -> int | None:
        for sid, order in self.limits:
            if sid == series_id:
                return order
        return None

    def sees(self, mark: EpisodeMark | None) -> bool:
        """Whether a fact revealed at `mark` (None: known from the start) may be shown."""
        if mark is None:
            return True
        limit = self.limit(mark.series_id)
        return limit is not None and mark.order <= limit

    def sees_all(self, marks: Iterable[EpisodeMark | None]) -> bool:
        return all(self.sees(m) for m in marks)

    def meet(self, other: Sight) -> Sight:
        """As far as both see: for a private answer about a public search ("did you mean" under a public
        card), which must name nothing the member has not watched, nor what the channel could not show."""
        mine, theirs = dict(self.limits), dict(other.limits)
        return Sight(tuple(sorted((s, min(mine[s], theirs[s])) for s in mine.keys() & theirs.keys())))

    def within(self, series_ids: Iterable[int]) -> Sight:
        """This sight in those series only: the key for what depends on them alone (a card's marks)."""
        wanted = set(series_ids)
        return Sight(tuple(pair for pair in self.limits if pair[0] in wanted))


def marked_series(marks: Iterable[EpisodeMark | None]) -> tuple[int, ...]:
    """The series a set of facts' marks name: the only ones a sight needs positions for."""
    return tuple(sorted({m.series_id for m in marks if m is not None}))
