"""Releases and the history of their announced dates, as a guild sees them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from db.backends.database import Database
from db.backends.protocol import Connection, Row
from db.facts.dates import PartialDate, from_stored
from db.facts.instants import text_or_none, to_text
from db.facts.models import Announcement, Release, ReleaseKind
from db.repos.fandoms import FandomRepository, visible

# A guild's own announcements come after the pack's: a moderator's date supersedes the articles'.
_DATES = """
    SELECT id, release_id, seq, precision, value, starts_at, window_start, window_end, timezone,
           note, announced_on, source_id, guild_id
      FROM release_dates
     WHERE release_id = ANY(:ids) AND (guild_id IS NULL OR guild_id = :guild)
     ORDER BY release_id, guild_id IS NOT NULL, seq
"""


def _announcement(row: Row) -> Announcement:
    return Announcement(
        id=row["id"],
        seq=row["seq"],
        date=from_stored(
            row["precision"], row["value"], row["timezone"], row["starts_at"], row["window_start"], row["window_end"]
        ),
        note=row["note"],
        announced_on=row["announced_on"],
        source_id=row["source_id"],
        guild_id=row["guild_id"],
    )


class ReleaseRepository:
    def __init__(self, database: Database, fandoms: FandomRepository) -> None:
        self._db = database
        self._fandoms = fandoms

    async def visible(self, guild_id: int | None = None) -> list[Release]:
        """Every release a guild can see, with its date history."""
        rows = await self._db.fetch_all(
            f"SELECT * FROM releases r WHERE {visible('r')} ORDER BY id", await self._fandoms.params(guild_id)
        )
        return await self._with_history(rows, guild_id)

    async def get(self, release_id: int, guild_id: int | None = None) -> Release | None:
        """One release as this guild sees it, or None if it is another guild's or gone."""
        rows = await self._db.fetch_all(
            f"SELECT * FROM releases r WHERE id = :id AND {visible('r')}",
            await self._fandoms.params(guild_id, id=release_id),
        )
        found = await self._with_history(rows, guild_id)
        return found[0] if found else None

    async def by_ids(self, release_ids: Sequence[int], guild_id: int | None = None) -> list[Release]:
        """The releases among `release_ids` this guild sees (a /remindme's, say), without loading the rest."""
        if not release_ids:
            return []
        rows = await self._db.fetch_all(
            f"SELECT * FROM releases r WHERE id = ANY(:ids) AND {visible('r')} ORDER BY id",
            await self._fandoms.params(guild_id, ids=sorted(set(release_ids))),
        )
        return await self._with_history(rows, guild_id)

    async def starting_between(self, guild_id: int | None, since: datetime, until: datetime) -> list[Release]:
        """The releases this guild sees whose current date (its own if it set one, else the pack's)
        starts at an exact instant in [since, until), soonest first.

        Found by instant (index release_dates_by_start), so a reminder horizon costs what is inside it,
        not every release of every fandom followed. A release with an older announcement inside the
        window but a current date elsewhere is read and then left out."""
        rows = await self._db.fetch_all(
            f"""SELECT * FROM releases r
                 WHERE {visible('r')}
                   AND id IN (SELECT release_id FROM release_dates
                               WHERE starts_at >= :since AND starts_at < :until
                                 AND (guild_id IS NULL OR guild_id = :guild))
                 ORDER BY id""",
            await self._fandoms.params(guild_id, since=to_text(since), until=to_text(until)),
        )
        found = [
            (moment, release) for release in await self._with_history(rows, guild_id)
            if release.current is not None and (moment := release.current.date.starts_at) is not None
            and since <= moment < until
        ]
        return [release for _, release in sorted(found, key=lambda pair: (pair[0], pair[1].id))]

    async def season_openers(self, release_ids: Sequence[int]) -> dict[int, bool]:
        """Which of these releases are the first numbered episode of their season, each mapped to
        whether that season has a release of its own (if not, the episode is the season's premiere)."""
        if not release_ids:
            return {}
        rows = await self._db.fetch_all(
            """SELECT e.id,
                      EXISTS (SELECT 1 FROM releases s WHERE s.series_id = e.series_id
                                 AND s.season_number = e.season_number AND s.kind = 'release') AS own
                 FROM releases e
                WHERE e.id = ANY(:ids) AND e.kind = 'episode' AND e.series_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM releases o WHERE o.series_id = e.series_id
                                     AND o.season_number = e.season_number AND o.kind = 'episode' AND o.episode < e.episode)""",
            {"ids": sorted(set(release_ids))},
        )
        return {r[0]: bool(r[1]) for r in rows}

    async def series_aliases(self) -> dict[int, list[str]]:
        """Series id → its title and aliases, so "<an alias> s1" can find a release."""
        rows = await self._db.fetch_all(
            "SELECT id, title FROM series UNION ALL SELECT series_id, name FROM series_names ORDER BY 1"
        )
        found: dict[int, list[str]] = defaultdict(list)
        for r in rows:
            found[r[0]].append(r[1])
        return found

    async def guild_marks(self, guild_id: int | None) -> tuple[tuple[object, ...], ...]:
        """What this guild added or moved, as plain values: equal marks mean the guild sees the same
        releases, so an index built from them can be reused (a few rows; every pack release is left out)."""
        if guild_id is None:
            return ()
        own, dates = await self._db.fetch_batch([
            ("SELECT id, key, title FROM releases WHERE guild_id = ? ORDER BY id", (guild_id,)),
            ("SELECT id, release_id, seq, precision, value, starts_at, timezone FROM release_dates "
             "WHERE guild_id = ? ORDER BY id", (guild_id,)),
        ])
        return tuple(tuple(r) for r in own) + tuple(tuple(r) for r in dates)

    async def for_series(self, series_id: int, guild_id: int | None = None) -> list[Release]:
        rows = await self._db.fetch_all(
            f"SELECT * FROM releases r WHERE series_id = :id AND {visible('r')} ORDER BY season_number, id",
            await self._fandoms.params(guild_id, id=series_id),
        )
        return await self._with_history(rows, guild_id)

    async def tvmaze_ratings(self, series_id: int) -> dict[int, float]:
        """Release id → TVmaze's average rating, for the series' rated episodes and specials: what
        /ratings shows beside a server's own. Empty when none is rated or the series is not from TVmaze
        (only a pack's `rating:` key, TVmaze's average kept in step by sync, sets one)."""
        rows = await self._db.fetch_all(
            """SELECT id, rating FROM releases
                WHERE series_id = ? AND kind <> 'release' AND guild_id IS NULL AND rating IS NOT NULL
                ORDER BY id""",
            (series_id,),
        )
        return {r[0]: float(r[1]) for r in rows}

    async def _with_history(self, rows: list[Row], guild_id: int | None) -> list[Release]:
        if not rows:
            return []
        dates = await self._db.fetch_all(_DATES, {"ids": [r["id"] for r in rows], "guild": guild_id})
        history: dict[int, list[Announcement]] = defaultdict(list)
        for d in dates:
            history[d["release_id"]].append(_announcement(d))
        return [
            Release(
                id=r["id"],
                key=r["key"],
                title=r["title"],
                series_id=r["series_id"],
                season_number=r["season_number"],
                platform=r["platform"],
                guild_id=r["guild_id"],
                history=tuple(history[r["id"]]),
                kind=ReleaseKind(r["kind"]),
                episode=r["episode"],
                episode_title=r["episode_title"],
                runtime=r["runtime"],
                rating=r["rating"],
            )
            for r in rows
        ]


class ReleaseRemoval(StrEnum):
    REMOVED = "removed"  # the guild's own release is gone
    REVERTED = "reverted"  # a pack release is back on the pack's date in this guild


def _slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.casefold()).split())[:60] or "release"


class ReleaseWriter:
    """What a guild may change: its own releases, and its own dates for the pack's."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def set_date(
        self, guild_id: int, title: str, date: PartialDate, user_id: int, now: datetime, release_id: int | None
    ) -> int:
        """Move `release_id` for this guild, or create a guild release titled `title`; returns its id."""
        async with self._db.transaction() as conn:
            if release_id is None:
                release_id = await insert_guild_release(conn, guild_id, title, None)
            row = await conn.fetch_one(
                "SELECT coalesce(max(seq), -1) + 1 FROM release_dates WHERE release_id = ? AND guild_id = ?",
                (release_id, guild_id),
            )
            seq = row[0] if row else 0
            await conn.execute(
                """INSERT INTO release_dates (guild_id, key, release_id, seq, precision, value, starts_at,
                                              window_start, window_end, timezone, announced_on, set_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (guild_id, f"guild-{guild_id}-{release_id}-{seq}", release_id, seq, date.precision.value, date.value,
                 text_or_none(date.starts_at), text_or_none(date.window_start), text_or_none(date.window_end), date.timezone,
                 now.date().isoformat(), user_id),
            )
        return release_id

    async def remove(self, guild_id: int, release_id: int) -> ReleaseRemoval | None:
        """Remove a guild's own release, or revert a pack release to the pack's date; None if neither."""
        async with self._db.transaction() as conn:
            if await conn.execute("DELETE FROM releases WHERE id = ? AND guild_id = ?", (release_id, guild_id)):
                return ReleaseRemoval.REMOVED
            reverted = await conn.execute(
                "DELETE FROM release_dates WHERE release_id = ? AND guild_id = ?", (release_id, guild_id)
            )
            return ReleaseRemoval.REVERTED if reverted else None


async def insert_guild_release(conn: Connection, guild_id: int, title: str, platform: str | None) -> int:
    """A new release of the guild's own, under a key unique in the guild; returns its id."""
    base = _slug(title)
    key, n = base, 1
    while await _exists(conn, "SELECT 1 FROM releases WHERE guild_id = ? AND key = ?", (guild_id, key)):
        n += 1
        key = f"{base}-{n}"
    row = await conn.fetch_one(
        "INSERT INTO releases (guild_id, key, title, platform) VALUES (?, ?, ?, ?) RETURNING id",
        (guild_id, key, title, platform),
    )
    assert row is not None
    release_id: int = row["id"]
    return release_id


async def _exists(conn: Connection, sql: str, params: tuple[object, ...]) -> bool:
    return await conn.fetch_one(sql, params) is not None
