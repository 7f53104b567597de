"""`/poll export`: a poll's ballots as CSV — one row per ballot, the voter an opaque per-poll hash
unless the poll shows its voters. Plain functions, no Discord."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Sequence

from db.facts.instants import to_text
from db.repos.polls import VOTERS_SHOWN, Ballot, Poll

HEADER = ("ballot", "voter", "choices", "changed_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def voter_hash(secret: bytes, poll_id: int, user_id: int) -> str:
    """The same member gets the same hash within one poll (their ballot is traceable across changes)
    and an unrelated one in every other poll; without the store's secret it cannot be reversed by
    trying every member id."""
    digest = hmac.new(secret, f"{poll_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def ballots_csv(poll: Poll, ballots: Sequence[Ballot], secret: bytes) -> str:
    """`ballot,voter,choices,changed_at`: ballots numbered in order of their last change, choices as
    option texts separated by `; ` (in rank order on a ranked poll), times in UTC ISO 8601."""
    labels = {o.position: o.label for o in poll.options}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for number, ballot in enumerate(ballots, start=1):
        voter = str(ballot.user_id) if poll.voters == VOTERS_SHOWN else voter_hash(secret, poll.id, ballot.user_id)
        choices = "; ".join(_cell(labels.get(c, "?")) for c in ballot.choices)
        writer.writerow((number, voter, _cell(choices), to_text(ballot.changed_at)))
    return out.getvalue()
