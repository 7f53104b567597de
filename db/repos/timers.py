"""Durable timers: every scheduled action is a row, claimed before it runs and finished after.

A claim is a guarded `UPDATE … WHERE state = 'pending'` over rows locked `FOR UPDATE SKIP LOCKED`,
so two dispatchers — in one process or in several sharing PostgreSQL — never both act on one timer,
and neither waits for the other. A claim belongs to its process (`Database.process_id`) until its lease
runs out; the holder extends the lease while it works, and only the holder may finish or retry it.
A claim whose lease ran out (its process died) is taken over. `attempted_at` records when a delivery
was about to do what must not happen twice, so a take-over can tell a safe repeat from a possible
duplicate. Every change to what is pending notifies the `timers` channel, waking every dispatcher.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from db.backends.database import Database
from db.backends.group_commit import GroupCommit, statements
from db.backends.protocol import Connection, Params, Row
from db.facts.instants import from_text, to_text


class TimerState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


TIMERS_CHANNEL = "timers"
LEASE = timedelta(seconds=30)  # how long a claim stands without its holder's heartbeat


@dataclass(frozen=True, slots=True)
class TimerSpec:
    """A timer as its planner wants it; the delivery key makes it unique and idempotent."""

    kind: str
    key: str
    due_at: datetime
    payload: Mapping[str, Any]
    guild_id: int | None


@dataclass(frozen=True, slots=True)
class Timer:
    id: int
    kind: str
    key: str
    guild_id: int | None
    due_at: datetime
    first_due_at: datetime
    payload: dict[str, Any]
    state: TimerState
    attempts: int
    outcome: str | None
    finished_at: datetime | None
    attempted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    added: int
    cancelled: int
    earliest: datetime | None  # the earliest pending due time among the timers touched
    cancelled_keys: tuple[str, ...] = ()  # delivery keys of the pending timers cancelled


async def insert_timer(conn: Connection, spec: TimerSpec, now: datetime) -> bool:
    """Insert a timer inside the caller's transaction unless its delivery key exists; True if added."""
    added = await conn.execute(
        """INSERT INTO timers (kind, delivery_key, guild_id, due_at, first_due_at, payload, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_key) DO NOTHING""",
        (spec.kind, spec.key, spec.guild_id, to_text(spec.due_at), to_text(spec.due_at),
         json.dumps(dict(spec.payload)), to_text(now)),
    )
    if added:
        await conn.notify(TIMERS_CHANNEL, "")
    return added == 1


def _timer(row: Row) -> Timer:
    return Timer(
        id=row["id"],
        kind=row["kind"],
        key=row["delivery_key"],
        guild_id=row["guild_id"],
        due_at=from_text(row["due_at"]),
        first_due_at=from_text(row["first_due_at"]),
        payload=json.loads(row["payload"]),
        state=TimerState(row["state"]),
        attempts=row["attempts"],
        outcome=row["outcome"],
        finished_at=from_text(row["finished_at"]) if row["finished_at"] else None,
        attempted_at=from_text(row["attempted_at"]) if row["attempted_at"] else None,
    )


class TimerRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        # A burst of due reminders records its attempts and ends together, in one trip per batch.
        self._outcomes: GroupCommit[tuple[str, Params], None] = GroupCommit(
            lambda writes: database.run_plan(lambda: statements(writes))
        )

    async def add(self, spec: TimerSpec, now: datetime) -> bool:
        """Insert a timer unless its key exists already; True if it was added."""
        async with self._db.transaction() as conn:
            return await insert_timer(conn, spec, now)

    async def plan_recurring(self, spec: TimerSpec, now: datetime) -> bool:
        """A timer that comes back (a sync every few hours) is one row for good, its fixed key the store's
        guarantee that no start, process or restart ever adds a second: inserted if new; if finished,
        pending again at `spec.due_at`; if pending, moved there when that is sooner. A claimed one is
        left to its holder, who plans its next turn (`again`). Pending timers of the kind under any
        other key (an older version's) are cancelled. True if the row now waits for `spec.due_at`."""
        async with self._db.transaction() as conn:
            planned = await conn.execute(
                """INSERT INTO timers (kind, delivery_key, guild_id, due_at, first_due_at, payload, created_at)
                   VALUES (:kind, :key, :guild, :due, :due, :payload, :now)
                   ON CONFLICT (delivery_key) DO UPDATE SET
                          state = 'pending', due_at = excluded.due_at, first_due_at = excluded.due_at,
                          payload = excluded.payload, attempts = 0, attempted_at = NULL, finished_at = NULL, outcome = NULL
                    WHERE timers.state <> 'claimed' AND (timers.state <> 'pending' OR timers.due_at > excluded.due_at)""",
                {"kind": spec.kind, "key": spec.key, "guild": spec.guild_id, "due": to_text(spec.due_at),
                 "payload": json.dumps(dict(spec.payload)), "now": to_text(now)},
            )
            await conn.execute(
                """UPDATE timers SET state = 'cancelled', finished_at = ?, outcome = 'replaced by the one recurring timer'
                    WHERE kind = ? AND delivery_key <> ? AND state = 'pending'""",
                (to_text(now), spec.kind, spec.key),
            )
            if planned:
                await conn.notify(TIMERS_CHANNEL, "")
        return planned == 1

    async def again(self, timer_id: int, at: datetime, outcome: str | None, now: datetime) -> None:
        """A recurring timer's delivery is done: the same row is pending again for its next turn at `at`."""
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                """UPDATE timers SET state = 'pending', due_at = ?, first_due_at = ?, outcome = ?, attempts = 0,
                          attempted_at = NULL, claimed_by = NULL, lease_until = NULL, finished_at = NULL
                    WHERE id = ? AND state = 'claimed' AND claimed_by = ?""",
                (to_text(at), to_text(at), outcome, timer_id, self._db.process_id),
            )
            if moved:
                await conn.notify(TIMERS_CHANNEL, "")

    async def reconcile(
        self, guild_id: int | None, kinds: Iterable[str], wanted: Iterable[TimerSpec], now: datetime
    ) -> ReconcileResult:
        """Make a guild's pending timers of `kinds` exactly `wanted`.

        Pending timers no longer wanted are cancelled; wanted ones are added, or revived if they were
        cancelled (a release moved back, say). Finished ones — done, skipped, failed — stay finished.
        """
        kinds = tuple(kinds)
        wanted_by_key = {spec.key: spec for spec in wanted}
        async with self._db.transaction() as conn:
            rows = await conn.fetch_all(
                """SELECT id, delivery_key, state FROM timers
                    WHERE guild_id IS NOT DISTINCT FROM ? AND kind = ANY(?) AND state IN ('pending', 'cancelled')""",
                (guild_id, list(kinds)),
            )
            existing = {row["delivery_key"]: (row["id"], row["state"]) for row in rows}
            stale_keys = tuple(key for key, (_, state) in existing.items() if state == "pending" and key not in wanted_by_key)
            stale = [(to_text(now), existing[key][0]) for key in stale_keys]
            await conn.executemany(
                "UPDATE timers SET state = 'cancelled', finished_at = ?, outcome = 'no longer wanted' "
                "WHERE id = ? AND state = 'pending'",
                stale,
            )
            revive = [(existing[k][0],) for k in wanted_by_key if k in existing and existing[k][1] == "cancelled"]
            await conn.executemany(
                "UPDATE timers SET state = 'pending', finished_at = NULL, outcome = NULL WHERE id = ?", revive
            )
            fresh = [spec for key, spec in wanted_by_key.items() if key not in existing]
            added = 0
            for spec in fresh:
                added += await insert_timer(conn, spec, now)
            if stale or revive:
                await conn.notify(TIMERS_CHANNEL, "")
        earliest = min((s.due_at for s in wanted_by_key.values()), default=None)
        return ReconcileResult(added=added + len(revive), cancelled=len(stale), earliest=earliest, cancelled_keys=stale_keys)

    async def add_many(self, specs: Iterable[TimerSpec], now: datetime) -> int:
        """Insert timers in one transaction, each unless its key exists already; how many were added."""
        async with self._db.transaction() as conn:
            added = 0
            for spec in specs:
                added += await insert_timer(conn, spec, now)
            return added

    async def pending_of_kind(self, kind: str) -> int:
        """How many timers of `kind` wait (e.g. the one daily horizon timer)."""
        value = await self._db.fetch_value(
            "SELECT count(*) FROM timers WHERE kind = ? AND state IN ('pending', 'claimed')", (kind,)
        )
        return int(value or 0)

    async def next_due_at(self, *, kinds: Iterable[str], excluding: Iterable[int] = ()) -> datetime | None:
        """The earliest pending due time of `kinds`, leaving out timers already being delivered."""
        value = await self._db.fetch_value(
            "SELECT min(due_at) FROM timers WHERE state = 'pending' AND kind = ANY(?) AND id <> ALL(?)",
            (list(kinds), list(excluding)),
        )
        return from_text(value) if value else None

    async def next_lapse_at(self, *, excluding: Iterable[int] = ()) -> datetime | None:
        """When the first claim other than `excluding` (the caller's own deliveries) runs out of lease: the
        claim of a process that died is to be taken over then."""
        value = await self._db.fetch_value(
            "SELECT min(lease_until) FROM timers WHERE state = 'claimed' AND id <> ALL(?)", (list(excluding),)
        )
        return from_text(value) if value else None

    async def due(self, now: datetime, limit: int, *, kinds: Iterable[str], excluding: Iterable[int] = ()) -> list[Timer]:
        """Pending timers of `kinds` due by `now`, earliest first."""
        rows = await self._db.fetch_all(
            """SELECT * FROM timers WHERE state = 'pending' AND due_at <= ? AND kind = ANY(?) AND id <> ALL(?)
                ORDER BY due_at, id LIMIT ?""",
            (to_text(now), list(kinds), list(excluding), limit),
        )
        return [_timer(r) for r in rows]

    async def claim(self, timer_id: int, now: datetime) -> bool:
        """Take one timer for delivery; False if someone else has it or it is no longer pending."""
        async with self._db.transaction() as conn:
            claimed = await conn.execute(
                "UPDATE timers SET state = 'claimed', claimed_at = ?, claimed_by = ?, lease_until = ?, "
                "attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
                (to_text(now), self._db.process_id, to_text(now + LEASE), timer_id),
            )
            return claimed == 1

    async def claim_due(
        self, now: datetime, limit: int, *, kinds: Iterable[str], excluding: Iterable[int] = (), by: datetime | None = None
    ) -> list[Timer]:
        """Claim up to `limit` pending timers of `kinds` due by `by` (default `now`), earliest first, for
        this process.

        Rows another process is claiming at this moment are skipped, not waited for; what one process
        claims, no other sees as pending until the lease runs out.
        """
        if limit <= 0:
            return []
        async with self._db.transaction() as conn:
            rows = await conn.fetch_all(
                """UPDATE timers SET state = 'claimed', claimed_at = :now, claimed_by = :owner, lease_until = :lease,
                          attempts = attempts + 1
                    WHERE id IN (SELECT id FROM timers
                                  WHERE state = 'pending' AND due_at <= :by AND kind = ANY(:kinds) AND id <> ALL(:busy)
                                  ORDER BY due_at, id LIMIT :limit FOR UPDATE SKIP LOCKED)
                      AND state = 'pending'
                RETURNING *""",
                {"now": to_text(now), "by": to_text(by or now), "owner": self._db.process_id, "lease": to_text(now + LEASE),
                 "kinds": list(kinds), "busy": list(excluding), "limit": limit},
            )
        return sorted((_timer(r) for r in rows), key=lambda t: (t.due_at, t.id))

    async def extend_leases(self, now: datetime) -> int:
        """The heartbeat: this process still works on what it claimed. Returns how many claims it holds."""
        async with self._db.transaction() as conn:
            return await conn.execute(
                "UPDATE timers SET lease_until = ? WHERE state = 'claimed' AND claimed_by = ?",
                (to_text(now + LEASE), self._db.process_id),
            )

    async def attempting(self, timer_id: int, now: datetime) -> None:
        """Record, committed, that the delivery is about to do what must not happen twice."""
        await self._outcomes.submit((
            "UPDATE timers SET attempted_at = ? WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
            (to_text(now), timer_id, self._db.process_id),
        ))

    async def finish(self, timer_id: int, state: TimerState, outcome: str | None, now: datetime) -> None:
        await self._outcomes.submit((
            "UPDATE timers SET state = ?, finished_at = ?, outcome = ?, lease_until = NULL "
            "WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
            (state.value, to_text(now), outcome, timer_id, self._db.process_id),
        ))

    async def retry(self, timer_id: int, at: datetime, reason: str, *, forget_attempt: bool) -> None:
        """Pending again at `at`; `forget_attempt` when the failure proves nothing went out."""
        async with self._db.transaction() as conn:
            moved = await conn.execute(
                "UPDATE timers SET state = 'pending', due_at = ?, outcome = ?, claimed_by = NULL, lease_until = NULL, "
                "attempted_at = CASE WHEN ? THEN NULL ELSE attempted_at END "
                "WHERE id = ? AND state = 'claimed' AND claimed_by = ?",
                (to_text(at), reason, forget_attempt, timer_id, self._db.process_id),
            )
            if moved:
                await conn.notify(TIMERS_CHANNEL, "")

    async def release_claims(self, now: datetime, *, every: bool = False) -> list[Timer]:
        """Claims whose holder is gone are pending again, their attempt kept: those whose lease ran out,
        or (`every`, at the start of the only process a SQLite store has) all of them. A live process's
        claims are never taken: it extends their lease while it works."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch_all(
                """UPDATE timers SET state = 'pending', claimed_by = NULL, lease_until = NULL
                    WHERE id IN (SELECT id FROM timers WHERE state = 'claimed'
                                    AND (? OR lease_until IS NULL OR lease_until <= ?) FOR UPDATE SKIP LOCKED)
                      AND state = 'claimed'
                RETURNING *""",
                (every, to_text(now)),
            )
            if rows:
                await conn.notify(TIMERS_CHANNEL, "")
        return sorted((_timer(r) for r in rows), key=lambda t: t.id)

    async def skip_overdue(self, older_than: datetime, now: datetime, kinds: Iterable[str]) -> list[Timer]:
        """Pending timers of `kinds` meant for before `older_than` are skipped, not delivered absurdly late."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch_all(
                "SELECT * FROM timers WHERE state = 'pending' AND first_due_at < ? AND due_at <= ? AND kind = ANY(?)",
                (to_text(older_than), to_text(now), list(kinds)),
            )
            stale = [_timer(r) for r in rows]
            await conn.executemany(
                "UPDATE timers SET state = 'skipped', finished_at = ?, outcome = ? WHERE id = ? AND state = 'pending'",
                [(to_text(now), f"missed: due {to_text(t.first_due_at)}, more than the catch-up window ago", t.id)
                 for t in stale],
            )
        return stale

    async def by_keys(self, keys: Iterable[str]) -> list[Timer]:
        """The timers with these delivery keys (what a reconcile cancelled, say), whatever their state."""
        rows = await self._db.fetch_all("SELECT * FROM timers WHERE delivery_key = ANY(?) ORDER BY id", (list(keys),))
        return [_timer(r) for r in rows]

    async def get(self, timer_id: int) -> Timer | None:
        row = await self._db.fetch_one("SELECT * FROM timers WHERE id = ?", (timer_id,))
        return _timer(row) if row else None

    async def of_guild(self, guild_id: int | None, kind: str, states: Iterable[TimerState] = (TimerState.PENDING,)) -> list[Timer]:
        wanted = [s.value for s in states]
        rows = await self._db.fetch_all(
            "SELECT * FROM timers WHERE guild_id IS NOT DISTINCT FROM ? AND kind = ? AND state = ANY(?) ORDER BY due_at, id",
            (guild_id, kind, wanted),
        )
        return [_timer(r) for r in rows]

    async def counts(self) -> dict[str, int]:
        rows = await self._db.fetch_all("SELECT state, count(*) FROM timers GROUP BY state")
        return {r[0]: r[1] for r in rows}

