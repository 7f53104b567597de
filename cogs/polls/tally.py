"""Counting votes and saying the result — plain functions, no Discord."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.formatting import literal
from bot.i18n import ENGLISH, _, current_locale, ngettext
from bot.i18n.formats import listing, number
from cogs.polls.runoff import RunOff
from db.repos.polls import Poll


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


def option_labels(poll: Poll) -> list[str]:
    """The options' labels as shown: a ship poll's are the bot's own words ("Yes", "No", "It's complicated",
    stored in English), said in the language being spoken; any other poll's are the creator's or the pack's."""
    if poll.kind == "ship":
        return [_(o.label) for o in poll.options]
    return [o.label for o in poll.options]


def and_list(items: Sequence[str]) -> str:
    """'**A**, **B** and **C**' — English as the bot always wrote it, the other languages by CLDR."""
    if current_locale() != ENGLISH:
        return listing(list(items))
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def votes_word(n: int) -> str:
    return ngettext("{votes} vote", "{votes} votes", n, votes=number(n))


def percent(share: float) -> int:
    return round(share * 100)


def option_line(option: OptionCount) -> str:
    """`Yes — 12 votes (60%)`: the label (shown literally), then its count and share on the same line."""
    return _("{option} — {votes} ({percent}%)", option=literal(option.label), votes=votes_word(option.votes),
             percent=percent(option.share))


def result_sentence(result: Tally) -> str:
    """One sentence for the closed poll: the winner, a tie, or nobody voted."""
    winners = result.winners
    if not winners:
        return _("nobody voted")
    if result.runoff is not None:
        return runoff_sentence(result, result.runoff)
    if len(winners) > 1:
        names = and_list([f"**{literal(w.label)}**" for w in winners])
        # i18n: a tie always has two voters or more
        return _("a tie between {names}, {votes} each, of {voters} voters",
                 names=names, votes=votes_word(winners[0].votes), voters=number(result.voters))
    best = winners[0]
    return _("**{option}** with {votes} of {voters} ({percent}%)", option=literal(best.label),
             votes=votes_word(best.votes), voters=number(result.voters), percent=percent(best.share))


def runoff_sentence(result: Tally, runoff: RunOff) -> str:
    """The run-off's outcome: who won, in which round, with how many of the ballots still counting."""
    last = runoff.rounds[-1]
    names = [f"**{literal(result.options[p].label)}**" for p in runoff.winners]
    votes = votes_word(last.counts[runoff.winners[0]])
    later = len(runoff.rounds) > 1
    if len(names) > 1:
        if later:
            return _("a tie between {names} in round {round} of the run-off, {votes} each, of {voters} voters",
                     names=and_list(names), round=len(runoff.rounds), votes=votes, voters=number(result.voters))
        return _("a tie between {names} in the first round of the run-off, {votes} each, of {voters} voters",
                 names=and_list(names), votes=votes, voters=number(result.voters))
    if later:
        return _("{winner} wins the run-off in round {round} with {votes} of {counted}",
                 winner=names[0], round=len(runoff.rounds), votes=votes, counted=number(last.counted))
    return _("{winner} wins the run-off in the first round with {votes} of {counted}",
             winner=names[0], votes=votes, counted=number(last.counted))


def runoff_lines(result: Tally, runoff: RunOff) -> list[str]:
    """Each round of the run-off: the count per option still in the race, who was eliminated, and the
    ballots with no choice left."""
    lines = []
    for index, round_ in enumerate(runoff.rounds, start=1):
        counts = " · ".join(f"{literal(result.options[p].label)} {number(n)}" for p, n in round_.counts.items())
        out = listing([literal(result.options[p].label) for p in round_.eliminated])
        if round_.eliminated and round_.exhausted:
            line = ngettext("Round {round}: {counts} — out: {out} ({count} ballot with no choice left)",
                            "Round {round}: {counts} — out: {out} ({count} ballots with no choice left)",
                            round_.exhausted, round=index, counts=counts, out=out)
        elif round_.eliminated:
            line = _("Round {round}: {counts} — out: {out}", round=index, counts=counts, out=out)
        elif round_.exhausted:
            line = ngettext("Round {round}: {counts} ({count} ballot with no choice left)",
                            "Round {round}: {counts} ({count} ballots with no choice left)",
                            round_.exhausted, round=index, counts=counts)
        else:
            line = _("Round {round}: {counts}", round=index, counts=counts)
        lines.append(line)
    return lines
