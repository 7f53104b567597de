"""Keeping a guild's reminder timers in step with its subscriptions, releases and /remindme requests."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from itertools import groupby
from typing import TypeVar

from bot.scheduling.scheduler import Outcome, Scheduler
from cogs.countdown.timeline import starts_at
from cogs.countdown.wanted_timers import (
    CHANNEL_REMINDER,
    HORIZON,
    HORIZON_TICK,
    PERSONAL_REMINDER,
    cancelled_because,
    channel_reminders,
    move_notice,
    move_notices,
    moves_in_plan,
    personal_moves,
    personal_notice,
    personal_reminders,
    worth_telling,
)
from db import Store
from db.facts.models import Release, ReleaseMove
from db.repos.personal_reminders import PersonalReminder
from db.repos.timers import ReconcileResult, Timer, TimerSpec

log = logging.getLogger(__name__)
T = TypeVar("T")
REPLANNED = "replanned_generation"  # meta key: the facts generation reminders were last re-planned for

HORIZON_AT = clock_time(10, 0, tzinfo=UTC)  # the daily re-plan: after the Americas' prime time, before Asia's
TICK_BUDGET = 10.0  # seconds of re-planning per horizon timer; the rest continues in a timer of its own


def next_tick(now: datetime) -> datetime:
    """The next daily horizon re-plan after `now`."""
    today = datetime.combine(now.date(), HORIZON_AT)
    return today if today > now else today + timedelta(days=1)


class ReminderPlanner:
    def __init__(self, store: Store, scheduler: Scheduler, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._scheduler = scheduler
        self._clock = clock

    async def apply(self, guild_id: int | None, change: Callable[[], Awaitable[T]]) -> tuple[T, ReconcileResult]:
        """Make `change` and re-plan the guild's reminders in one transaction: both commit, or neither.

        The plan is read inside the transaction, after the change, and writes go one at a time, so two
        re-plans of a guild never interleave: the last to commit planned from everything before it.
        """
        return await self._apply(guild_id, change, notice_moves=False)

    async def replan(self, guild_id: int | None, *, notice_moves: bool = False) -> ReconcileResult:
        """Recompute the guild's wanted reminder timers and reconcile the store with them; with
        `notice_moves` (a pack changed), each channel whose reminders moved with a release is told so."""
        _, plan = await self._apply(guild_id, _nothing, notice_moves=notice_moves)
        return plan

    async def _apply(
        self, guild_id: int | None, change: Callable[[], Awaitable[T]], *, notice_moves: bool
    ) -> tuple[T, ReconcileResult]:
        async with self._store.transaction():
            outcome = await change()
            plan = await self._reconcile(guild_id, notice_moves)
        if plan.added or plan.cancelled:
            self._scheduler.wake()  # after the commit, so the dispatcher sees the new timers
        return outcome, plan

    async def _reconcile(self, guild_id: int | None, notice_moves: bool) -> ReconcileResult:
        now = self._clock()
        mine = await self._store.personal_reminders.of_guild(guild_id)
        asked = {r.id: r for r in await self._store.releases.by_ids([r.release_id for r in mine], guild_id)}
        wanted = personal_reminders(guild_id, mine, asked, now)
        subs = await self._store.subscriptions.of_guild(guild_id) if guild_id is not None else []
        if guild_id is not None and any(s.active for s in subs):
            offset = max((o for s in subs for o in s.offsets), default=0)
            # A reminder falls due within the horizon when its release starts within the horizon plus its offset.
            coming = await self._store.releases.starting_between(guild_id, now, now + HORIZON + timedelta(seconds=offset))
            openers = await self._store.releases.season_openers([r.id for r in coming if r.is_episode])
            wanted += channel_reminders(guild_id, subs, coming, now, openers, until=now + HORIZON)
        plan = await self._store.timers.reconcile(guild_id, (CHANNEL_REMINDER, PERSONAL_REMINDER), wanted, now)
        if notice_moves and guild_id is not None and plan.cancelled_keys:
            await self._notice_planned_moves(guild_id, plan, wanted, now)
        if plan.cancelled_keys:
            await self._tell_members(guild_id, plan.cancelled_keys, wanted, mine, asked, now)
        return plan

    async def _tell_members(
        self, guild_id: int | None, cancelled_keys: Sequence[str], wanted: list[TimerSpec],
        mine: list[PersonalReminder], seen: dict[int, Release], now: datetime,
    ) -> None:
        """Whatever moved a /remindme DM (a moderator's date, a sync, an unfollow, a removal): its member is
        told once, by a timer keyed by the move and committed with the re-plan that made it."""
        moves = personal_moves(cancelled_keys, wanted, now)
        if not moves:
            return
        planned = {t.key: t.payload for t in await self._store.timers.by_keys([m.key for m in moves])}
        requests = {r.id: r for r in mine}
        specs = []
        for move in moves:
            reminder = requests.get(move.reminder_id)
            release = seen.get(reminder.release_id) if reminder is not None else None
            why = None if move.after is not None else cancelled_because(reminder, release, now)
            specs.append(personal_notice(guild_id, move, planned[move.key], now, why, release.title if release else None))
        await self._store.timers.add_many(specs, now)

    async def _notice_planned_moves(self, guild_id: int, plan: ReconcileResult, wanted: list[TimerSpec], now: datetime) -> None:
        """Reminders cancelled for another instant of the same release: its date moved in the pack."""
        moves = moves_in_plan(plan.cancelled_keys, wanted)
        if not moves:
            return
        subs = {s.id: s for s in await self._store.subscriptions.of_guild(guild_id)}
        releases = {r.id: r for r in await self._store.releases.by_ids([m.release_id for m in moves], guild_id)}
        specs = []
        for move in moves:
            release, sub = releases.get(move.release_id), subs.get(move.subscription_id)
            after = starts_at(release) if release is not None else None
            before = datetime.fromtimestamp(move.before, UTC)
            if sub is not None and after is not None and worth_telling(before, after, now):
                specs.append(move_notice(guild_id, sub, move.release_id, before, after, now))
        if specs:
            await self._store.timers.add_many(specs, now)

    async def replan_all(self) -> None:
        """After the packs changed: every guild with reminders gets its timers recomputed."""
        guilds = await self._store.subscriptions.guilds_with_reminders()
        await self._replan_guilds(guilds, "every fandom")

    async def replan_changed(self) -> None:
        """Re-plan for the packs changed since the last re-plan: by the first bot process to ask, once
        per change (an importing process asks at once, the others when they notice), and only for the
        guilds following the packs that changed — a sync of one show is not every guild's work."""
        async with self._store.deployment_lock("re-plan"):
            done = await self._store.meta.get(REPLANNED)
            generation, changed = await self._store.packs.changed_since(int(done or 0))
            if done == str(generation):
                return
            if changed is None or done is None:
                await self.replan_all()
            else:
                for pack_key in sorted(changed):
                    await self.replan_fandom(pack_key)
            await self._store.meta.set(REPLANNED, str(generation))

    async def replan_fandom(self, pack_key: str) -> None:
        """After one pack changed (a sync, an import): only the guilds that see it and have reminders."""
        guilds = await self._store.subscriptions.guilds_with_reminders_following(pack_key)
        await self._replan_guilds(guilds, f"fandom {pack_key}")

    async def _replan_guilds(self, guilds: Sequence[int | None], what: str) -> None:
        added = cancelled = 0
        for guild_id in guilds:
            result = await self.replan(guild_id, notice_moves=True)
            added, cancelled = added + result.added, cancelled + result.cancelled
        log.info("re-planned reminders of %s for %d guild(s): %d added, %d cancelled", what, len(guilds), added, cancelled)

    async def announce_moves(self, pack_key: str, moves: Sequence[ReleaseMove]) -> int:
        """Tell each active channel that wants it, in the guilds that see the pack, that a release moved:
        one post per (channel, move), however often this is called or by how many processes. A move of
        a past release, or one months away on both sides, is not announced. Returns notices planned."""
        now = self._clock()
        moves = [m for m in moves if m.release_id is not None and worth_telling(m.before, m.after, now)]
        if not moves:
            return 0
        ids = [m.release_id for m in moves if m.release_id is not None]
        openers = await self._store.releases.season_openers(ids)
        subs = await self._store.subscriptions.active_following(pack_key)
        specs: list[TimerSpec] = []
        for guild_id, group in groupby(subs, key=lambda s: s.guild_id):
            guild_subs = list(group)
            seen = {r.id: r for r in await self._store.releases.by_ids(ids, guild_id)}
            for move in moves:
                if (release := seen.get(move.release_id or 0)) is not None:
                    specs += move_notices(guild_id, guild_subs, release, move, openers, now)
        added = await self._store.timers.add_many(specs, now)
        if added:
            self._scheduler.wake()
        log.info("announcing %d move(s) of fandom %s: %d notice(s) planned", len(moves), pack_key, added)
        return added

    async def keep_horizon(self) -> None:
        """At start-up: make sure the daily horizon re-plan is planned (one for the whole bot: its key is the day)."""
        if await self._store.timers.pending_of_kind(HORIZON_TICK):
            return
        await self._store.timers.add(self._tick_spec(next_tick(self._clock())), self._clock())
        self._scheduler.wake()

    async def horizon_tick(self, timer: Timer) -> Outcome:
        """The daily timer: re-plan every guild with reminders, so what came within the horizon gets its
        timers. A run longer than TICK_BUDGET continues in a timer of its own, after the last guild done."""
        started = time.monotonic()
        after: int = timer.payload.get("after", -1)
        guilds = sorted((-1 if g is None else g, g) for g in await self._store.subscriptions.guilds_with_reminders())
        done = 0
        for order, guild_id in guilds:
            if order <= after:
                continue
            await self.replan(guild_id)
            done += 1
            if time.monotonic() - started > TICK_BUDGET:
                spec = self._tick_spec(self._clock(), day=timer.payload.get("day"), after=order)
                await self._store.timers.add(spec, self._clock())
                return Outcome.done(f"{done} guild(s) re-planned; continuing after guild {order}")
        await self._store.timers.add(self._tick_spec(next_tick(self._clock())), self._clock())
        return Outcome.done(f"{done} guild(s) re-planned")

    @staticmethod
    def _tick_spec(due: datetime, *, day: str | None = None, after: int | None = None) -> TimerSpec:
        day = day or due.date().isoformat()
        key = f"horizon:{day}" if after is None else f"horizon:{day}:after:{after}"
        payload: dict[str, object] = {"day": day} | ({"after": after} if after is not None else {})
        return TimerSpec(kind=HORIZON_TICK, key=key, due_at=due, payload=payload, guild_id=None)


async def _nothing() -> None:
    return None
