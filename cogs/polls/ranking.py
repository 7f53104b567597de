"""Ranking ships by how much the server wants them, without letting one lonely vote win.

A ship with 1 Yes of 1 vote has a 100% share but tells us little; one with 40 of 50 tells us a lot.
Ships are ranked by the lower bound of the Wilson score interval (95%) for their Yes share: the share
we can be fairly sure of given how many voted. Ties on that bound go to more votes, then to the pair
polled most recently. Ships with fewer than MIN_VOTES votes are listed, but marked as early days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from db.repos.polls import PairRecord

Z = 1.96  # 95% confidence
MIN_VOTES = 5


def wilson_lower_bound(yes: int, total: int, z: float = Z) -> float:
    if total == 0:
        return 0.0
    p = yes / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * total)) / total)
    return (centre - margin) / (1 + z * z / total)


@dataclass(frozen=True, slots=True)
class RankedShip:
    record: PairRecord
    share: float
    confidence: float  # the Wilson lower bound used for ranking

    @property
    def early(self) -> bool:
        return self.record.votes < MIN_VOTES


def rank_ships(records: Iterable[PairRecord]) -> list[RankedShip]:
    ranked = [
        RankedShip(r, r.yes / r.votes if r.votes else 0.0, wilson_lower_bound(r.yes, r.votes)) for r in records
    ]
    ranked.sort(key=lambda s: (-s.confidence, -s.record.votes, -s.record.latest_poll_id))
    return ranked
