"""Members' ratings of episodes, one changeable rating per member, episode and server.

Star presses come in rushes (a thousand members rating the episode that just aired), so they go
through one group commit, as votes do (db/backends/group_commit.py): presses that arrive while a
batch commits share the next transaction, each answered only once its own batch has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from db.backends.database import Database
from db.backends.group_commit import GroupCommit
from db.backends.protocol import Plan, Statement
from db.facts.instants import from_text, to_text

STARS = range(1, 6)


class RatingClosed(Exception):
    """The episode's rating is not open in that server (closed, past its closing instant, or no thread)."""


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """A server's ratings of one episode: the mean of the stars and how many members rated."""

    release_id: int
    average: float
    count: int


@dataclass(frozen=True, slots=True)
class _Press:
    guild_id: int
    release_id: int
    user_id: int
    stars: int
    at: datetime


_CLOSED = -1  # a press's result when its rating was not open (stars are 1–5, None is a first rating)


class EpisodeRatingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._presses: GroupCommit[_Press, int | None] = GroupCommit(self._write)

    @property
    def batches(self) -> int:
        """How many transactions carried ratings (for benchmarks and tests)."""
        return self._presses.batches

    async def rate(self, guild_id: int, release_id: int, user_id: int, stars: int, now: datetime) -> int | None:
        """Set the member's rating of the episode; the stars it replaced (None for a first rating).

        Returns once the transaction holding it has committed. Raises RatingClosed, storing nothing,
        unless the episode's thread row in that server is open at `now` (`closed_at` unset and
        `closes_at` later), checked in the same transaction as the write.
        """
        if stars not in STARS:  # refused here, not by the table's check: it would fail the whole batch
            raise ValueError(f"stars must be 1 to 5, not {stars}")
        previous = await self._presses.submit(_Press(guild_id, release_id, user_id, stars, now))
        if previous == _CLOSED:
            raise RatingClosed(f"the rating of release {release_id} in guild {guild_id} is not open")
        return previous

    async def _write(self, presses: list[_Press]) -> list[int | None]:
        # Checked against the later of each press and the batch's own write: a press made just before the
        # closing instant whose batch writes after it is refused, so nothing lands after the close counted.
        return await self._db.run_plan(lambda: _write_ratings(presses, datetime.now(UTC)))

    async def of_member(self, guild_id: int, release_id: int, user_id: int) -> int | None:
        row = await self._db.fetch_one(
            "SELECT stars FROM episode_ratings WHERE guild_id = ? AND release_id = ? AND user_id = ?",
            (guild_id, release_id, user_id),
        )
        return int(row[0]) if row else None

    async def summary(self, guild_id: int, release_id: int) -> RatingSummary:
        """The server's ratings of one episode (count 0, average 0.0 when nobody rated).

        Read after the episode's thread row is locked, as every batch of presses locks it: a batch
        already writing commits first and is counted; one after it finds the closing instant passed.
        """
        return await self._db.run_plan(lambda: _summary(guild_id, release_id))

    async def per_episode(self, guild_id: int, series_id: int, season: int | None = None) -> list[RatingSummary]:
        """The server's ratings of each rated episode of a series (or one season of it), in episode order
        (specials, with no number, after their season's episodes; the same order on both backends)."""
        one_season = "" if season is None else "AND r.season_number = :season"
        rows = await self._db.fetch_all(
            f"""SELECT r.id, avg(e.stars), count(*)
                  FROM episode_ratings e JOIN releases r ON r.id = e.release_id
                 WHERE e.guild_id = :guild AND r.series_id = :series {one_season}
                 GROUP BY r.id, r.season_number, r.episode
                 ORDER BY r.season_number IS NULL, r.season_number, r.episode IS NULL, r.episode, r.id""",
            {"guild": guild_id, "series": series_id} | ({} if season is None else {"season": season}),
        )
        return [RatingSummary(r[0], float(r[1]), int(r[2])) for r in rows]


def _write_ratings(presses: list[_Press], written_at: datetime) -> Plan[list[int | None]]:
    """One transaction: check each episode's rating is open, read the stars it replaces, write (a plan:
    see db/backends/protocol.py). Presses are taken in arrival order, so a member's later press in the
    batch replaces their earlier one and reports it as the previous stars.

    The thread rows are locked `FOR UPDATE` where the backend has row locks: batches of other processes
    rating the same episode queue behind this one (so the previous stars read here are the ones
    replaced), and a close reading the summary waits for this batch or sees its closing instant passed.
    """
    guilds = sorted({p.guild_id for p in presses})
    releases = sorted({p.release_id for p in presses})
    rows = yield Statement(
        """SELECT guild_id, release_id, closed_at, closes_at FROM watchalong_threads
            WHERE guild_id = ANY(?) AND release_id = ANY(?) ORDER BY guild_id, release_id FOR UPDATE""",
        (guilds, releases),
    )
    open_until = {(r[0], r[1]): from_text(r[3]) for r in rows if r[2] is None}
    rows = yield Statement(
        """SELECT guild_id, release_id, user_id, stars FROM episode_ratings
            WHERE guild_id = ANY(?) AND release_id = ANY(?) AND user_id = ANY(?)""",
        (guilds, releases, sorted({p.user_id for p in presses})),
    )
    current: dict[tuple[int, int, int], int] = {(r[0], r[1], r[2]): int(r[3]) for r in rows}
    results: list[int | None] = []
    writes: dict[tuple[int, int, int], tuple[int, str]] = {}  # the member's last press wins
    for press in presses:
        closes_at = open_until.get((press.guild_id, press.release_id))
        if closes_at is None or max(press.at, written_at) >= closes_at:
            results.append(_CLOSED)
            continue
        key = (press.guild_id, press.release_id, press.user_id)
        previous = current.get(key)
        results.append(previous)
        current[key] = press.stars
        if previous != press.stars:
            writes[key] = (press.stars, to_text(press.at))
    if writes:
        yield Statement(
            """INSERT INTO episode_ratings (guild_id, release_id, user_id, stars, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (guild_id, release_id, user_id)
               DO UPDATE SET stars = excluded.stars, updated_at = excluded.updated_at""",
            many=[(*key, stars, at) for key, (stars, at) in writes.items()],
        )
    return results


def _summary(guild_id: int, release_id: int) -> Plan[RatingSummary]:
    yield Statement(
        "SELECT 1 FROM watchalong_threads WHERE guild_id = ? AND release_id = ? FOR UPDATE", (guild_id, release_id)
    )
    [row] = yield Statement(
        "SELECT count(*), avg(stars) FROM episode_ratings WHERE guild_id = ? AND release_id = ?", (guild_id, release_id)
    )
    if not row[0]:
        return RatingSummary(release_id, 0.0, 0)
    return RatingSummary(release_id, float(row[1]), int(row[0]))
