"""Polls: creation (with its deadline timer, in one transaction), closing, tallies and ship records."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.backends.database import Database
from db.backends.protocol import Row
from db.facts.instants import from_text, to_text
from db.repos.timers import TimerSpec, insert_timer

POLLS_CHANNEL = "polls"  # notified when a poll closes
VOTER_SECRET = "poll_voter_secret"  # meta key: the key of the export's per-poll voter hashes
VOTERS_HIDDEN, VOTERS_SHOWN = "hidden", "shown"


def read_choices(text: str) -> tuple[int, ...]:
    """`"3,0,2"` (as votes.choices holds them) → (3, 0, 2)."""
    return tuple(int(part) for part in text.split(",")) if text else ()


def write_choices(choices: Sequence[int]) -> str:
    return ",".join(str(c) for c in choices)


@dataclass(frozen=True, slots=True)
class PollOption:
    position: int
    label: str
    character_id: int | None = None


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    result_message_id: int | None
    creator_id: int
    kind: str
    question: str
    first_character_id: int | None
    second_character_id: int | None
    hide_results: bool
    open: bool
    created_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    closed_by: int | None
    options: tuple[PollOption, ...]
    tally_version: int = 0  # bumped by every vote batch; the message shows up to polls.shown_version
    picks: int = 1  # how many options a ballot may hold (a ranked poll: how many ranks)
    ranked: bool = False  # ballots rank their choices; decided by instant run-off
    role_id: int | None = None  # only members holding this role may vote
    voters: str = VOTERS_HIDDEN  # 'shown': who voted what is listed in the results after the close
    opens_at: datetime | None = None  # set while the poll waits to be posted; None once posted


@dataclass(frozen=True, slots=True)
class NewPoll:
    guild_id: int
    channel_id: int
    creator_id: int
    kind: str
    question: str
    options: Sequence[PollOption]
    closes_at: datetime
    hide_results: bool = False
    first_character_id: int | None = None
    second_character_id: int | None = None
    picks: int = 1
    ranked: bool = False
    role_id: int | None = None
    voters: str = VOTERS_HIDDEN
    opens_at: datetime | None = None  # posted then, through an opening timer, instead of at once


@dataclass(frozen=True, slots=True)
class Ballot:
    """One member's ballot: the option positions it holds, in rank order (ascending when unranked)."""

    user_id: int
    choices: tuple[int, ...]
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class PairRecord:
    """A pair's ship polls in one guild: how many, and the Yes votes among all votes cast."""

    first_character_id: int
    second_character_id: int
    polls: int
    votes: int
    yes: int
    latest_poll_id: int


class _NotExtended(Exception):
    """Rolls an extension back: the poll or its timer changed under it."""


def pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}:{high}"


def _poll(row: Row, options: list[Row]) -> Poll:
    return Poll(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        result_message_id=row["result_message_id"],
        creator_id=row["creator_id"],
        kind=row["kind"],
        question=row["question"],
        first_character_id=row["first_character_id"],
        second_character_id=row["second_character_id"],
        hide_results=bool(row["hide_results"]),
        open=row["state"] == "open",
        created_at=from_text(row["created_at"]),
        closes_at=from_text(row["closes_at"]),
        closed_at=from_text(row["closed_at"]) if row["closed_at"] else None,
        closed_by=row["closed_by"],
        options=tuple(PollOption(o["position"], o["label"], o["character_id"]) for o in options),
        tally_version=row["tally_version"],
        picks=row["picks"],
        ranked=bool(row["ranked"]),
        role_id=row["role_id"],
        voters=row["voters"],
        opens_at=from_text(row["opens_at"]) if row["opens_at"] else None,
    )


class PollRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, new: NewPoll, deadline_kind: str, now: datetime, opening_kind: str = "poll_open") -> Poll:
        """Insert the poll, its options and its deadline timer together — and, for a poll that opens
        later, its opening timer: all or nothing."""
        pair = (
            pair_key(new.first_character_id, new.second_character_id)
            if new.kind == "ship" and new.first_character_id and new.second_character_id
            else None
        )
        async with self._db.transaction() as conn:
            inserted = await conn.fetch_one(
                """INSERT INTO polls (guild_id, channel_id, creator_id, kind, question, first_character_id,
                                      second_character_id, pair_key, hide_results, created_at, closes_at,
                                      picks, ranked, role_id, voters, opens_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (
                    new.guild_id,
                    new.channel_id,
                    new.creator_id,
                    new.kind,
                    new.question,
                    new.first_character_id,
                    new.second_character_id,
                    pair,
                    int(new.hide_results),
                    to_text(now),
                    to_text(new.closes_at),
                    new.picks,
                    int(new.ranked),
                    new.role_id,
                    new.voters,
                    to_text(new.opens_at) if new.opens_at else None,
                ),
            )
            assert inserted is not None
            poll_id: int = inserted["id"]
            await conn.executemany(
                "INSERT INTO poll_options (poll_id, position, label, character_id) VALUES (?, ?, ?, ?)",
                [(poll_id, o.position, o.label, o.character_id) for o in new.options],
            )
            deadline = TimerSpec(deadline_kind, f"{deadline_kind}:{poll_id}", new.closes_at, {"poll_id": poll_id}, new.guild_id)
            await insert_timer(conn, deadline, now)
            if new.opens_at is not None:
                opening = TimerSpec(opening_kind, f"{opening_kind}:{poll_id}", new.opens_at, {"poll_id": poll_id}, new.guild_id)
                await insert_timer(conn, opening, now)
        poll = await self.get(poll_id)
        assert poll is not None
        return poll

    async def mark_posted(self, poll_id: int, message_id: int) -> bool:
        """A poll that waited for its opening is posted as `message_id`; False if it was already."""
        async with self._db.transaction() as conn:
            posted = await conn.execute(
                "UPDATE polls SET message_id = ?, opens_at = NULL WHERE id = ? AND opens_at IS NOT NULL", (message_id, poll_id)
            )
            return posted == 1

    async def discard(self, poll_id: int, deadline_kind: str) -> None:
        """Undo a poll whose message could not be posted (and its timer with it)."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))
            await conn.execute("DELETE FROM timers WHERE delivery_key = ?", (f"{deadline_kind}:{poll_id}",))

    async def set_message(self, poll_id: int, message_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE polls SET message_id = ? WHERE id = ?", (message_id, poll_id))

    async def set_result_message(self, poll_id: int, message_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE polls SET result_message_id = ? WHERE id = ?", (message_id, poll_id))

    async def get(self, poll_id: int, guild_id: int | None = None) -> Poll | None:
        """The poll; with `guild_id`, only if it belongs to that guild."""
        row = await self._db.fetch_one("SELECT * FROM polls WHERE id = ? AND guild_id = coalesce(?, guild_id)", (poll_id, guild_id))
        if row is None:
            return None
        options = await self._db.fetch_all(
            "SELECT position, label, character_id FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)
        )
        return _poll(row, options)

    async def close(self, poll_id: int, closed_at: datetime, closed_by: int | None) -> bool:
        """Close an open poll; False if it was already closed (so only one closer posts the result)."""
        async with self._db.transaction() as conn:
            closed = await conn.execute(
                "UPDATE polls SET state = 'closed', closed_at = ?, closed_by = ? WHERE id = ? AND state = 'open'",
                (to_text(closed_at), closed_by, poll_id),
            )
            if closed:
                await self._db.notify(POLLS_CHANNEL)  # other processes drop the open copy they keep
            return closed == 1

    async def close_early(self, poll_id: int, now: datetime, closed_by: int, deadline_kind: str) -> int | None:
        """Close an open poll now and bring its deadline timer forward to now, in one transaction, so the
        scheduler shows and posts the result as it does at a deadline. The timer's id, or None if the poll
        was already closed."""
        key = f"{deadline_kind}:{poll_id}"
        async with self._db.transaction() as conn:
            if not await self.close(poll_id, now, closed_by):
                return None
            moved = await conn.execute(
                "UPDATE timers SET due_at = ? WHERE delivery_key = ? AND state = 'pending'", (to_text(now), key)
            )
            if moved == 0:  # no pending deadline (it failed for good, say): a fresh one, due now
                row = await self._db.fetch_one("SELECT guild_id FROM polls WHERE id = ?", (poll_id,))
                assert row is not None
                await insert_timer(conn, TimerSpec(deadline_kind, f"{key}:early", now, {"poll_id": poll_id}, row[0]), now)
                key = f"{key}:early"
            timer_id = await self._db.fetch_value("SELECT id FROM timers WHERE delivery_key = ?", (key,))
        return int(timer_id)

    async def extend(self, poll_id: int, by: timedelta, now: datetime, deadline_kind: str) -> datetime | None:
        """Move an open poll's close `by` later, and its pending deadline timer with it, in one transaction;
        the new close, or None if the poll is closed, past its deadline, or its timer is already being
        delivered (it is closing right now) — then nothing changes."""
        try:
            async with self._db.transaction() as conn:
                row = await conn.fetch_one("SELECT closes_at FROM polls WHERE id = ? AND state = 'open'", (poll_id,))
                if row is None or from_text(row[0]) <= now:
                    return None
                old = from_text(row[0])
                new = old + by
                moved = await conn.execute(
                    "UPDATE polls SET closes_at = ? WHERE id = ? AND state = 'open' AND closes_at = ?",
                    (to_text(new), poll_id, to_text(old)),
                )
                timer = await conn.execute(
                    "UPDATE timers SET due_at = ? WHERE delivery_key = ? AND state = 'pending'",
                    (to_text(new), f"{deadline_kind}:{poll_id}"),
                )
                if moved != 1 or timer != 1:
                    raise _NotExtended
                await self._db.notify(POLLS_CHANNEL)  # other processes drop their copy with the old close
        except _NotExtended:
            return None
        return new

    async def take_edit(self, poll_id: int, now: datetime, hold: timedelta, *, final: bool = False) -> bool:
        """Become the one process editing the poll's message, for at most `hold`; False if another holds
        it, if the last edit was too recent (see `end_edit`), or — unless `final` — if the poll closed."""
        async with self._db.transaction() as conn:
            taken = await conn.execute(
                """UPDATE polls SET edit_owner = :me, edit_lease_until = :until
                    WHERE id = :id AND (:final OR state = 'open')
                      AND (edit_lease_until IS NULL OR edit_lease_until <= :now OR edit_owner = :me)""",
                {"me": self._db.process_id, "until": to_text(now + hold), "id": poll_id, "final": final,
                 "now": to_text(now)},
            )
            return taken == 1

    async def end_edit(self, poll_id: int, next_allowed: datetime) -> None:
        """Done editing; nobody (in any process) edits the message again before `next_allowed`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE polls SET edit_owner = NULL, edit_lease_until = ? WHERE id = ? AND edit_owner = ?",
                (to_text(next_allowed), poll_id, self._db.process_id),
            )

    async def mark_shown(self, poll_id: int, version: int) -> None:
        """The poll's message now shows every vote up to `version`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE polls SET shown_version = ? WHERE id = ? AND shown_version < ?", (version, poll_id, version)
            )

    async def needing_refresh(self) -> list[Poll]:
        """Open polls whose message may be stale (votes it does not show) or not yet known."""
        rows = await self._db.fetch_all(
            """SELECT id FROM polls WHERE state = 'open' AND opens_at IS NULL
                  AND (tally_version > shown_version OR message_id IS NULL) ORDER BY id"""
        )
        polls = [await self.get(r[0]) for r in rows]
        return [p for p in polls if p is not None]

    async def counts(self, poll_id: int) -> dict[int, int]:
        """Committed ballots per option position: a ballot counts once for each option it holds."""
        return (await self.tally(poll_id))[0]

    async def tally(self, poll_id: int) -> tuple[dict[int, int], int]:
        """Committed ballots per option position (a ballot counts once for each option it holds), and how
        many ballots. Grouped by the whole ballot first: the rows read are the distinct ballots, not the voters."""
        rows = await self._db.fetch_all("SELECT choices, count(*) FROM votes WHERE poll_id = ? GROUP BY choices", (poll_id,))
        counts: dict[int, int] = {}
        for choices, n in rows:
            for position in read_choices(choices):
                counts[position] = counts.get(position, 0) + n
        return counts, sum(n for _, n in rows)

    async def ballots(self, poll_id: int) -> list[Ballot]:
        """Every committed ballot of the poll, oldest change first (the run-off's input, the export's rows).
        It names the voters: callers show them only as the poll's `voters` setting allows."""
        rows = await self._db.fetch_all(
            "SELECT user_id, choices, voted_at FROM votes WHERE poll_id = ? ORDER BY voted_at, user_id", (poll_id,)
        )
        return [Ballot(r[0], read_choices(r[1]), from_text(r[2])) for r in rows]

    async def recent(self, guild_id: int, since: datetime, limit: int = 200) -> list[tuple[int, str, bool, datetime, bool]]:
        """(id, question, open, closes_at, waiting) of a guild's open polls and those closed since `since`;
        `waiting`: not posted yet, its opening still ahead."""
        rows = await self._db.fetch_all(
            """SELECT id, question, state, closes_at, opens_at FROM polls
                WHERE guild_id = ? AND (state = 'open' OR closed_at >= ?)
                ORDER BY state = 'open' DESC, id DESC LIMIT ?""",
            (guild_id, to_text(since), limit),
        )
        return [(r[0], r[1], r[2] == "open", from_text(r[3]), r[4] is not None) for r in rows]

    async def voter_secret(self) -> bytes:
        """The store's secret for hashing voters in exports, made once on first use (the first of two
        processes racing to make it wins; both then read the same)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (VOTER_SECRET, secrets.token_hex(32))
            )
        value = await self._db.fetch_value("SELECT value FROM meta WHERE key = ?", (VOTER_SECRET,))
        return bytes.fromhex(value)

    async def pair_records(self, guild_id: int) -> list[PairRecord]:
        """Every polled ship of a guild, counting only results people may see (not hidden, open polls)."""
        rows = await self._db.fetch_all(
            """SELECT least(p.first_character_id, p.second_character_id) AS a,
                      greatest(p.first_character_id, p.second_character_id) AS b,
                      count(DISTINCT p.id) AS polls,
                      count(v.user_id) AS votes,
                      count(CASE WHEN v.position = 0 THEN 1 END) AS yes,
                      max(p.id) AS latest
                 FROM polls p LEFT JOIN votes v ON v.poll_id = p.id
                WHERE p.guild_id = ? AND p.kind = 'ship' AND p.pair_key IS NOT NULL
                  AND p.first_character_id IS NOT NULL AND p.second_character_id IS NOT NULL
                  AND NOT (p.hide_results = 1 AND p.state = 'open')
                GROUP BY least(p.first_character_id, p.second_character_id),
                         greatest(p.first_character_id, p.second_character_id)""",
            (guild_id,),
        )
        return [PairRecord(r["a"], r["b"], r["polls"], r["votes"], r["yes"], r["latest"]) for r in rows]

    async def pair_polls(self, guild_id: int, first_id: int, second_id: int) -> list[Poll]:
        """A pair's ship polls in this guild, newest first."""
        rows = await self._db.fetch_all(
            "SELECT id FROM polls WHERE guild_id = ? AND pair_key = ? ORDER BY id DESC",
            (guild_id, pair_key(first_id, second_id)),
        )
        polls = [await self.get(r[0]) for r in rows]
        return [p for p in polls if p is not None]
