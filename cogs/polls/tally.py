"""Counting votes and saying the result — plain functions, no Discord."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.formatting import literal
from cogs.polls.runoff import RunOff


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
    runoff: RunOff | None = None  # a ranked poll's instant run-off (its options count first choices)

    @property
    def winners(self) -> tuple[OptionCount, ...]:
        """The options with the most votes — a ranked poll: the run-off's winners (several on a tie;
        none when nobody voted)."""
        if self.voters == 0:
            return ()
        if self.runoff is not None:
            return tuple(self.options[p] for p in self.runoff.winners)
        top = max(o.votes for o in self.options)
        return tuple(o for o in self.options if o.votes == top)


def tally(labels: Sequence[str], counts: Mapping[int, int], voters: int | None = None, runoff: RunOff | None = None) -> Tally:
    """Votes per option (by position) with each option's share of the voters. `voters` is how many
    ballots were cast (a ballot holding several picks counts once for each); by default the sum."""
    if voters is None:
        voters = sum(counts.get(i, 0) for i in range(len(labels)))
    return Tally(
        tuple(
            OptionCount(i, label, counts.get(i, 0), counts.get(i, 0) / voters if voters else 0.0)
            for i, label in enumerate(labels)
        ),
        voters,
        runoff,
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
    if result.runoff is not None:
        return runoff_sentence(result, result.runoff)
    if len(winners) > 1:
        names = ", ".join(f"**{literal(w.label)}**" for w in winners[:-1]) + f" and **{literal(winners[-1].label)}**"
        return f"a tie between {names}, {votes_word(winners[0].votes)} each, of {result.voters} voters"
    best = winners[0]
    return f"**{literal(best.label)}** with {votes_word(best.votes)} of {result.voters} ({round(best.share * 100)}%)"


def runoff_sentence(result: Tally, runoff: RunOff) -> str:
    """The run-off's outcome: who won, in which round, with how many of the ballots still counting."""
    last = runoff.rounds[-1]
    names = [f"**{literal(result.options[p].label)}**" for p in runoff.winners]
    rounds = f"round {len(runoff.rounds)}" if len(runoff.rounds) > 1 else "the first round"
    if len(names) > 1:
        return (f"a tie between {', '.join(names[:-1])} and {names[-1]} in {rounds} of the run-off, "
                f"{votes_word(last.counts[runoff.winners[0]])} each, of {result.voters} voters")
    return f"{names[0]} wins the run-off in {rounds} with {votes_word(last.counts[runoff.winners[0]])} of {last.counted}"


def runoff_lines(result: Tally, runoff: RunOff) -> list[str]:
    """Each round of the run-off: the count per option still in the race, who was eliminated, and the
    ballots with no choice left."""
    lines = []
    for number, round_ in enumerate(runoff.rounds, start=1):
        counts = " · ".join(f"{literal(result.options[p].label)} {n}" for p, n in round_.counts.items())
        line = f"Round {number}: {counts}"
        if round_.eliminated:
            line += " — out: " + ", ".join(literal(result.options[p].label) for p in round_.eliminated)
        if round_.exhausted:
            line += f" ({round_.exhausted} ballot{'s' if round_.exhausted != 1 else ''} with no choice left)"
        lines.append(line)
    return lines
