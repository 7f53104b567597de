"""Votes, committed before they are confirmed, many presses per transaction (db/backends/group_commit.py):
each caller gets its answer only after the transaction holding its vote has committed. A withdrawal
is a press like any other, in the same batches, so it too is committed before it is acknowledged
and orders with the member's other presses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from db.backends.database import Database
from db.backends.group_commit import GroupCommit
from db.backends.protocol import Plan, Statement
from db.facts.instants import from_text, to_text
from db.repos.polls import read_choices, write_choices


class VoteOutcome(StrEnum):
    RECORDED = "recorded"  # a first vote
    CHANGED = "changed"  # moved from another option
    UNCHANGED = "unchanged"  # pressed the option already chosen, or sent the same picks again
    CLOSED = "closed"  # the poll is closed (or past its deadline): nothing stored
    NO_SUCH_OPTION = "no_such_option"
    REPEATED = "repeated"  # a ballot naming one option twice (a ranking that repeats an option): nothing stored
    TOO_MANY = "too_many"  # more choices than the poll's picks (or ranks), or none: nothing stored
    WITHDRAWN = "withdrawn"  # the member's vote was taken back
    NOT_VOTED = "not_voted"  # a withdrawal with no vote to take back (already withdrawn, a retry)


@dataclass(frozen=True, slots=True)
class VoteResult:
    outcome: VoteOutcome
    previous: int | None = None  # the first choice of the ballot this press replaced or withdrew
    before: tuple[int, ...] = ()  # that ballot's choices, in rank order
    choices: tuple[int, ...] = ()  # the ballot as it now stands (as stored: unranked picks ascending)


@dataclass(frozen=True, slots=True)
class _Press:
    poll_id: int
    user_id: int
    choices: tuple[int, ...] | None  # None: withdraw the member's ballot
    at: datetime


class VoteRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._presses: GroupCommit[_Press, VoteResult] = GroupCommit(self._write)

    @property
    def batches(self) -> int:
        """How many transactions carried votes (for benchmarks and tests)."""
        return self._presses.batches

    async def record(self, poll_id: int, user_id: int, position: int, at: datetime) -> VoteResult:
        """Store one member's vote (replacing their earlier one); returns once it is committed."""
        return await self._presses.submit(_Press(poll_id, user_id, (position,), at))

    async def cast(self, poll_id: int, user_id: int, choices: Sequence[int], at: datetime) -> VoteResult:
        """Store one member's ballot of several choices (in rank order on a ranked poll), replacing their
        earlier one; the same picks sent twice are one ballot, UNCHANGED. Returns once committed."""
        return await self._presses.submit(_Press(poll_id, user_id, tuple(choices), at))

    async def withdraw(self, poll_id: int, user_id: int, at: datetime) -> VoteResult:
        """Take one member's vote back (WITHDRAWN with the option it was for, or NOT_VOTED); returns once
        committed, so the member is never told a vote is gone that a crash could bring back."""
        return await self._presses.submit(_Press(poll_id, user_id, None, at))

    async def _write(self, presses: list[_Press]) -> list[VoteResult]:
        return await self._db.run_plan(lambda: _write_votes(presses))


def _judge(choices: tuple[int, ...], options: int, picks: int, ranked: bool) -> VoteOutcome | tuple[int, ...]:
    """What is wrong with a ballot, or its choices as stored (unranked picks have no order: ascending)."""
    if any(not 0 <= c < options for c in choices):
        return VoteOutcome.NO_SUCH_OPTION
    if len(set(choices)) != len(choices):
        return VoteOutcome.REPEATED
    if not 1 <= len(choices) <= picks:
        return VoteOutcome.TOO_MANY
    return choices if ranked else tuple(sorted(choices))


def _write_votes(presses: list[_Press]) -> Plan[list[VoteResult]]:
    """One transaction: check each poll is open, record, report (a plan: see db/backends/protocol.py).

    The polls are read `FOR SHARE` where the backend has row locks, so a close in another process
    waits for these votes or these votes see it closed — never a vote stored after the final count.
    """
    poll_ids = sorted({p.poll_id for p in presses})
    rows = yield Statement(
        """SELECT p.id, p.state, p.closes_at, (SELECT count(*) FROM poll_options o WHERE o.poll_id = p.id),
                  p.picks, p.ranked, p.opens_at
             FROM polls p WHERE p.id = ANY(?) FOR SHARE""",
        (poll_ids,),
    )
    # A poll waiting to be posted (opens_at set) takes no votes yet: to a press it is as good as closed.
    polls = {r[0]: (r[1] == "open" and r[6] is None, from_text(r[2]), r[3], r[4], bool(r[5])) for r in rows}
    members = sorted({p.user_id for p in presses})
    rows = yield Statement(
        "SELECT poll_id, user_id, choices FROM votes WHERE poll_id = ANY(?) AND user_id = ANY(?)", (poll_ids, members)
    )
    current = {(r[0], r[1]): read_choices(r[2]) for r in rows}
    results: list[VoteResult] = []
    writes: dict[tuple[int, int], tuple[tuple[int, ...] | None, str]] = {}  # the member's last press wins; None: withdrawn
    for press in presses:  # in arrival order: a member's later press in the batch wins
        state = polls.get(press.poll_id)
        if state is None or not state[0] or press.at >= state[1]:
            results.append(VoteResult(VoteOutcome.CLOSED))
            continue
        key = (press.poll_id, press.user_id)
        before = current.get(key, ())
        previous = before[0] if before else None
        if press.choices is None:
            results.append(VoteResult(VoteOutcome.WITHDRAWN if before else VoteOutcome.NOT_VOTED, previous, before))
            if before:
                del current[key]
                writes[key] = (None, to_text(press.at))
            continue
        judged = _judge(press.choices, state[2], state[3], state[4])
        if isinstance(judged, VoteOutcome):
            results.append(VoteResult(judged, previous, before, before))
            continue
        outcome = (VoteOutcome.RECORDED if not before
                   else VoteOutcome.UNCHANGED if before == judged else VoteOutcome.CHANGED)
        results.append(VoteResult(outcome, previous, before, judged))
        current[key] = judged
        if outcome is not VoteOutcome.UNCHANGED:
            writes[key] = (judged, to_text(press.at))
    if writes:
        votes = [(poll_id, user_id, choices[0], write_choices(choices), at)
                 for (poll_id, user_id), (choices, at) in writes.items() if choices is not None]
        withdrawn = [(poll_id, user_id) for (poll_id, user_id), (choices, _) in writes.items() if choices is None]
        if votes:
            yield Statement(
                """INSERT INTO votes (poll_id, user_id, position, choices, voted_at) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (poll_id, user_id) DO UPDATE
                      SET position = excluded.position, choices = excluded.choices, voted_at = excluded.voted_at""",
                many=votes,
            )
        if withdrawn:
            yield Statement("DELETE FROM votes WHERE poll_id = ? AND user_id = ?", many=withdrawn)
        # The polls' messages are stale until a tally edit records this version (see db/repos/polls.py).
        yield Statement(
            "UPDATE polls SET tally_version = tally_version + 1 WHERE id = ANY(?)",
            (sorted({poll_id for poll_id, _ in writes}),),
        )
    return results
