"""Instant run-off for ranked polls — plain functions, no Discord.

Each round counts every ballot for its highest-ranked option still in the race. An option with more
than half of the ballots still counting wins. Otherwise the option with the fewest votes is
eliminated and its ballots pass to their next choice; a ballot with no choice left is exhausted and
counts no more. A tie for last place is broken by the earlier rounds (the option that had fewer votes
in the latest round where they differed goes; tied in every round, they go together). When every
option still in the race has the same count, they share the win: earlier rounds never pick a winner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Round:
    counts: dict[int, int]  # option position → votes this round, for every option still in the race
    eliminated: tuple[int, ...]  # positions that left the race after this round (none in the last)
    exhausted: int  # ballots with no option left in the race

    @property
    def counted(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class RunOff:
    rounds: tuple[Round, ...]
    winners: tuple[int, ...]  # one position, several on a tie, none when nobody ranked anything
    ballots: int

    @property
    def tied(self) -> bool:
        return len(self.winners) > 1


def instant_runoff(options: int, ballots: Iterable[Sequence[int]]) -> RunOff:
    """The rounds and the winner among positions 0..options-1. A ballot lists positions best first;
    positions out of range or repeated are ignored (the ballot is validated before it is stored)."""
    cleaned = [_clean(ballot, options) for ballot in ballots]
    cleaned = [ballot for ballot in cleaned if ballot]
    standing = set(range(options))
    rounds: list[Round] = []
    while True:
        counts = dict.fromkeys(sorted(standing), 0)
        exhausted = 0
        for ballot in cleaned:
            choice = next((p for p in ballot if p in standing), None)
            if choice is None:
                exhausted += 1
            else:
                counts[choice] += 1
        counted = sum(counts.values())
        if counted == 0:
            rounds.append(Round(counts, (), exhausted))
            return RunOff(tuple(rounds), (), len(cleaned))
        top = max(counts.values())
        if top * 2 > counted or len(standing) == 1:
            winner = next(p for p, n in counts.items() if n == top)
            rounds.append(Round(counts, (), exhausted))
            return RunOff(tuple(rounds), (winner,), len(cleaned))
        if min(counts.values()) == top:  # everyone left is level: they share the win
            rounds.append(Round(counts, (), exhausted))
            return RunOff(tuple(rounds), tuple(counts), len(cleaned))
        lowest = _last_place(counts, rounds)
        rounds.append(Round(counts, tuple(sorted(lowest)), exhausted))
        standing -= set(lowest)


def _clean(ballot: Sequence[int], options: int) -> list[int]:
    return [p for p in dict.fromkeys(ballot) if 0 <= p < options]


def _last_place(counts: dict[int, int], earlier: list[Round]) -> list[int]:
    """The options with the fewest votes; a tie among them broken by the latest earlier round in which
    they differed."""
    fewest = min(counts.values())
    tied = [p for p, n in counts.items() if n == fewest]
    for past in reversed(earlier):
        if len(tied) == 1:
            break
        least = min(past.counts[p] for p in tied)
        tied = [p for p in tied if past.counts[p] == least]
    return tied


def repeated_choice(ranking: Sequence[int]) -> int | None:
    """The first position a ranking names twice, or None: such a ranking is refused, not counted."""
    seen: set[int] = set()
    for p in ranking:
        if p in seen:
            return p
        seen.add(p)
    return None
