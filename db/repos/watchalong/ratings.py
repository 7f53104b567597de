"""Members' ratings of episodes, one changeable rating per member, episode and server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.backends.database import Database
from db.facts.instants import to_text


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """A server's ratings of one episode: the mean of the stars and how many members rated."""

    release_id: int
    average: float
    count: int


class EpisodeRatingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def rate(self, guild_id: int, release_id: int, user_id: int, stars: int, now: datetime) -> int | None:
        """Set the member's rating of the episode; the stars it replaced (None for a first rating).

        Exactly one row per member under concurrent presses: a first INSERT that loses a race (it
        waits for the winner's commit and conflicts) reads the winner's row and updates it instead.
        """
        key = (guild_id, release_id, user_id)
        async with self._db.transaction() as conn:
            for _ in range(2):
                row = await conn.fetch_one(
                    "SELECT stars FROM episode_ratings WHERE guild_id = ? AND release_id = ? AND user_id = ? FOR UPDATE", key
                )
                if row is not None:
                    await conn.execute(
                        "UPDATE episode_ratings SET stars = ?, updated_at = ? WHERE guild_id = ? AND release_id = ? AND user_id = ?",
                        (stars, to_text(now), *key),
                    )
                    return int(row[0])
                added = await conn.execute(
                    """INSERT INTO episode_ratings (guild_id, release_id, user_id, stars, updated_at) VALUES (?, ?, ?, ?, ?)
                       ON CONFLICT (guild_id, release_id, user_id) DO NOTHING""",
                    (*key, stars, to_text(now)),
                )
                if added == 1:
                    return None
        raise RuntimeError(f"rating {key} neither inserted nor found")  # pragma: no cover - a deleted row mid-race

    async def of_member(self, guild_id: int, release_id: int, user_id: int) -> int | None:
        row = await self._db.fetch_one(
            "SELECT stars FROM episode_ratings WHERE guild_id = ? AND release_id = ? AND user_id = ?",
            (guild_id, release_id, user_id),
        )
        return int(row[0]) if row else None

    async def summary(self, guild_id: int, release_id: int) -> RatingSummary:
        """The server's ratings of one episode (count 0, average 0.0 when nobody rated)."""
        row = await self._db.fetch_one(
            "SELECT count(*), avg(stars) FROM episode_ratings WHERE guild_id = ? AND release_id = ?",
            (guild_id, release_id),
        )
        if row is None or not row[0]:
            return RatingSummary(release_id, 0.0, 0)
        return RatingSummary(release_id, float(row[1]), int(row[0]))

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
