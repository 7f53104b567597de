"""Taking a pack's facts out of the store without taking any guild's data with them.

Polls keep their question, option labels and votes (their character links become empty); a date a
guild set for one of the pack's releases becomes that guild's own release, with its /remindme
requests; everything else a guild made never pointed at the pack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from db.backends.protocol import Connection
from db.repos.releases import insert_guild_release

# What a pack owns, children before parents: deleted explicitly, so no foreign key is ever left dangling.
PACK_TABLES = (
    "ship_names", "ships", "relationships", "character_events", "appearances", "affiliations", "character_names",
    "characters", "production_facts",
    "release_dates", "releases", "seasons", "series_names", "series", "sources", "pack_terms",
)


@dataclass
class RemovalReport:
    pack: str
    title: str = ""
    removed: Counter[str] = field(default_factory=Counter)
    kept_dates: int = 0  # guild dates that became the guild's own releases
    polls_unlinked: int = 0  # polls that named one of the pack's characters; they keep their text and votes
    followers: int = 0  # guilds following the pack; the follow is kept for when it comes back

    def summary(self) -> str:
        gone = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in self.removed.items() if n) or "nothing"
        return (
            f"removed pack `{self.pack}` ({self.title}): {gone}.\n"
            f"kept: {self.polls_unlinked} poll(s) that named its characters (question, options and votes stay), "
            f"{self.kept_dates} server date(s) for its releases (now each server's own release), "
            f"{self.followers} server follow(s) (they apply again if the pack is imported again), "
            "and every subscription, setting and other server's data."
        )


async def keep_guild_dates(conn: Connection, release_ids: Sequence[int]) -> int:
    """Before pack releases go: each guild's own dates for them move to a new release of that guild's,
    and so do the /remindme requests made in that guild. Returns how many releases were made."""
    made = 0
    for release_id in release_ids:
        release = await conn.fetch_one("SELECT title, platform FROM releases WHERE id = ?", (release_id,))
        rows = await conn.fetch_all(
            "SELECT DISTINCT guild_id FROM release_dates WHERE release_id = ? AND guild_id IS NOT NULL ORDER BY 1",
            (release_id,),
        )
        guilds = [row[0] for row in rows]
        if release is None:
            continue
        for guild_id in guilds:
            own = await insert_guild_release(conn, guild_id, release["title"], release["platform"])
            await conn.execute(
                "UPDATE release_dates SET release_id = ? WHERE release_id = ? AND guild_id = ?", (own, release_id, guild_id)
            )
            await conn.execute(
                "UPDATE personal_reminders SET release_id = ? WHERE release_id = ? AND guild_id = ?",
                (own, release_id, guild_id),
            )
            made += 1
    return made


async def remove_pack(conn: Connection, key: str) -> RemovalReport | None:
    """Delete pack `key` inside the caller's transaction; None if there is no such pack."""
    # The pack row first: an import of the same pack in another process (a TVmaze sync) holds it while
    # it writes, so the two take turns instead of each waiting on rows the other already changed.
    pack = await conn.fetch_one("SELECT id, title FROM packs WHERE key = ? FOR UPDATE", (key,))
    if pack is None:
        return None
    pack_id = pack["id"]
    report = RemovalReport(key, pack["title"])
    row = await conn.fetch_one(
        """SELECT count(*) FROM polls WHERE first_character_id IN (SELECT id FROM characters WHERE pack_id = :p)
               OR second_character_id IN (SELECT id FROM characters WHERE pack_id = :p)
               OR id IN (SELECT poll_id FROM poll_options
                          WHERE character_id IN (SELECT id FROM characters WHERE pack_id = :p))""",
        {"p": pack_id},
    )
    report.polls_unlinked = row[0] if row else 0
    row = await conn.fetch_one("SELECT count(*) FROM guild_fandoms WHERE pack_key = ? AND follows = 1", (key,))
    report.followers = row[0] if row else 0
    releases = [row[0] for row in await conn.fetch_all("SELECT id FROM releases WHERE pack_id = ?", (pack_id,))]
    report.kept_dates = await keep_guild_dates(conn, releases)
    for table in PACK_TABLES:
        # table names from PACK_TABLES only
        report.removed[table] += await conn.execute(f"DELETE FROM {table} WHERE pack_id = ?", (pack_id,))
    await conn.execute("DELETE FROM packs WHERE id = ?", (pack_id,))
    return report

