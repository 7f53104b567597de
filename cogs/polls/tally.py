"""Counting votes and saying the result — plain functions, no Discord."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.formatting import literal


@dataclass(frozen=True, slots=True)
class OptionCount:
    position: int
    label: str
    votes: int
    share: float  # of all votes cast, 0.0–1.0


@dataclass(frozen=True, slots=True)
class Tally:
    options: tuple[OptionCount, ...]
    voters: int

    @property
    def winners(self) -> tuple[OptionCount, ...]:
        """The options with the most votes (several on a tie; none when nobody voted)."""
        if self.voters == 0:
            return ()
        top = max(o.votes for o in self.options)
        return tuple(o for o in self.options if o.votes == top)


def tally(labels: Sequence[str], counts: Mapping[int, int]) -> Tally:
    """Votes per option (by position) with each option's share of all voters."""
    voters = sum(counts.get(i, 0) for i in range(len(labels)))
    return Tally(
        tuple(
            OptionCount(i, label, counts.get(i, 0), counts.get(i, 0) / voters if voters else 0.0)
            for i, label in enumerate(labels)
        ),
        voters,
    )


def votes_word(n: int) -> str:
    return f"{n} vote" if n == 1 else f"{n} votes"


def option_line(option: OptionCount) -> str:
    """`Yes — 12 votes (60%)`: the label (shown literally), then its count and share on the same line."""
    return f"{literal(option.label)} — {votes_word(option.votes)} ({round(option.share * 100)}%)"


def result_sentence(result: Tally) -> str:
    """One sentence for the closed poll: the winner, a tie, or nobody voted."""
    winners = result.winners
    if not winners:
        return "nobody voted"
    if len(winners) > 1:
        names = ", ".join(f"**{literal(w.label)}**" for w in winners[:-1]) + f" and **{literal(winners[-1].label)}**"
        return f"a tie between {names}, {votes_word(winners[0].votes)} each, of {result.voters} voters"
    best = winners[0]
    return f"**{literal(best.label)}** with {votes_word(best.votes)} of {result.voters} ({round(best.share * 100)}%)"
