"""Votes, committed before they are confirmed, many presses per transaction (db/backends/group_commit.py):
each caller gets its answer only after the transaction holding its vote has committed. A withdrawal
is a press like any other, in the same batches, so it too is committed before it is acknowledged
and orders with the member's other presses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from db.backends.database import Database
from db.backends.group_commit import GroupCommit
from db.backends.protocol import Plan, Statement
from db.facts.instants import from_text, to_text


class VoteOutcome(StrEnum):
    RECORDED = "recorded"  # a first vote
    CHANGED = "changed"  # moved from another option
    UNCHANGED = "unchanged"  # pressed the option already chosen
    CLOSED = "closed"  # the poll is closed (or past its deadline): nothing stored
    NO_SUCH_OPTION = "no_such_option"
    WITHDRAWN = "withdrawn"  # the member's vote was taken back
    NOT_VOTED = "not_voted"  # a withdrawal with no vote to take back (already withdrawn, a retry)


@dataclass(frozen=True, slots=True)
class VoteResult:
    outcome: VoteOutcome
    previous: int | None = None


@dataclass(frozen=True, slots=True)
class _Press:
    poll_id: int
    user_id: int
    position: int | None  # None: withdraw the member's vote
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
        return await self._presses.submit(_Press(poll_id, user_id, position, at))

    async def withdraw(self, poll_id: int, user_id: int, at: datetime) -> VoteResult:
        """Take one member's vote back (WITHDRAWN with the option it was for, or NOT_VOTED); returns once
        committed, so the member is never told a vote is gone that a crash could bring back."""
        return await self._presses.submit(_Press(poll_id, user_id, None, at))

    async def _write(self, presses: list[_Press]) -> list[VoteResult]:
        return await self._db.run_plan(lambda: _write_votes(presses))


def _write_votes(presses: list[_Press]) -> Plan[list[VoteResult]]:
    """One transaction: check each poll is open, record, report (a plan: see db/backends/protocol.py).

    The polls are read `FOR SHARE` where the backend has row locks, so a close in another process
    waits for these votes or these votes see it closed — never a vote stored after the final count.
    """
    poll_ids = sorted({p.poll_id for p in presses})
    rows = yield Statement(
        """SELECT p.id, p.state, p.closes_at, (SELECT count(*) FROM poll_options o WHERE o.poll_id = p.id)
             FROM polls p WHERE p.id = ANY(?) FOR SHARE""",
        (poll_ids,),
    )
    polls = {r[0]: (r[1] == "open", from_text(r[2]), r[3]) for r in rows}
    members = sorted({p.user_id for p in presses})
    rows = yield Statement(
        "SELECT poll_id, user_id, position FROM votes WHERE poll_id = ANY(?) AND user_id = ANY(?)", (poll_ids, members)
    )
    current = {(r[0], r[1]): r[2] for r in rows}
    results: list[VoteResult] = []
    writes: dict[tuple[int, int], tuple[int | None, str]] = {}  # the member's last press wins; None: withdrawn
    for press in presses:  # in arrival order: a member's later press in the batch wins
        state = polls.get(press.poll_id)
        if state is None or not state[0] or press.at >= state[1]:
            results.append(VoteResult(VoteOutcome.CLOSED))
            continue
        key = (press.poll_id, press.user_id)
        previous = current.get(key)
        if press.position is None:
            results.append(VoteResult(VoteOutcome.NOT_VOTED if previous is None else VoteOutcome.WITHDRAWN, previous))
            if previous is not None:
                del current[key]
                writes[key] = (None, to_text(press.at))
            continue
        if not 0 <= press.position < state[2]:
            results.append(VoteResult(VoteOutcome.NO_SUCH_OPTION))
            continue
        outcome = (VoteOutcome.RECORDED if previous is None
                   else VoteOutcome.UNCHANGED if previous == press.position else VoteOutcome.CHANGED)
        results.append(VoteResult(outcome, previous))
        current[key] = press.position
        if outcome is not VoteOutcome.UNCHANGED:
            writes[key] = (press.position, to_text(press.at))
    if writes:
        votes = [(poll_id, user_id, pos, at) for (poll_id, user_id), (pos, at) in writes.items() if pos is not None]
        withdrawn = [(poll_id, user_id) for (poll_id, user_id), (pos, _) in writes.items() if pos is None]
        if votes:
            yield Statement(
                """INSERT INTO votes (poll_id, user_id, position, voted_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (poll_id, user_id) DO UPDATE SET position = excluded.position, voted_at = excluded.voted_at""",
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
