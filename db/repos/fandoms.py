"""Fandoms: the packs in the store, which of them each guild follows, and what a guild can see.

A guild sees the facts of the packs it follows plus what it created itself. Each choice a moderator
makes is a row of its own — a follow or an unfollow of one pack, kept by pack key, so a pack removed
and imported again is followed again, and two choices made at once are both kept. Until a guild
leaves the defaults (its first `/fandom add`), it follows the bot's default fandoms (`DEFAULT_FANDOMS`:
all of the operator's packs, none, or a list) with its own follows added and its unfollows taken out;
after, it follows what it follows explicitly and nothing else. The defaults cover the packs the
operator ships only: a fandom a guild added from TVmaze is followed by the guilds that follow it.
Outside a server (guild None) every pack is seen, and no guild's own rows.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.backends.database import Database
from db.facts.instants import to_text
from db.facts.models import StoreCounts
from db.repos.packs.changes import FactsChanges

# SQL for "this row is visible to the guild": its own, or from a pack it follows. `:guild` and
# `:packs` (a list of pack ids) come from `FandomRepository.params`.
VISIBLE = "({t}.guild_id = :guild OR {t}.pack_id = ANY(:packs))"


FANDOMS_CHANNEL = "fandoms"  # notified when a guild's choice changes
CACHE_TTL = 30.0  # seconds a remembered choice is trusted without a notice (a backstop for a lost one)

# One choice of one guild about one pack; the last made wins.
_CHOICE = """INSERT INTO guild_fandoms (guild_id, pack_key, follows, followed_by, followed_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (guild_id, pack_key) DO UPDATE SET
                 follows = excluded.follows, followed_by = excluded.followed_by, followed_at = excluded.followed_at"""
_LEAVE_DEFAULTS = """INSERT INTO guild_settings (guild_id, fandoms_chosen, updated_at) VALUES (?, 1, ?)
                     ON CONFLICT (guild_id) DO UPDATE SET fandoms_chosen = 1, updated_at = excluded.updated_at"""


def visible(table: str) -> str:
    return VISIBLE.format(t=table)


@dataclass(frozen=True, slots=True)
class DefaultFandoms:
    """What a guild follows until a moderator chooses: every pack, none, or the packs listed."""

    every: bool = True
    keys: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> DefaultFandoms:
        """`all`, `none`, or comma-separated pack ids; ValueError says what is accepted."""
        words = [w.strip() for w in text.split(",") if w.strip()]
        if [w.casefold() for w in words] == ["all"]:
            return cls(True)
        if [w.casefold() for w in words] in (["none"], []):
            return cls(False)
        bad = [w for w in words if not w.replace("-", "").isalnum() or w != w.casefold()]
        if bad:
            raise ValueError(f"must be `all`, `none` or pack ids separated by commas; `{bad[0]}` is not a pack id")
        return cls(False, tuple(dict.fromkeys(words)))

    def includes(self, key: str) -> bool:
        return self.every or key in self.keys

    def describe(self) -> str:
        return "all" if self.every else (",".join(self.keys) or "none")


@dataclass(frozen=True, slots=True)
class Following:
    """A guild's own choices: the packs it followed and unfollowed, and whether it left the defaults."""

    follows: frozenset[str]
    unfollows: frozenset[str]
    chosen: bool  # left the defaults: it follows its follows only

    def keys(self, defaults: Collection[str]) -> frozenset[str]:
        """The packs followed, given the packs the bot's defaults would have it follow."""
        if self.chosen:
            return self.follows
        return (frozenset(defaults) | self.follows) - self.unfollows


class FandomRepository:
    def __init__(self, database: Database, facts: FactsChanges) -> None:
        self._db = database
        self._facts = facts  # its revision says when the packs were imported, refreshed or removed
        self.default = DefaultFandoms()
        self._packs: dict[str, int] = {}
        self._added: frozenset[str] = frozenset()  # packs a guild added from TVmaze: never a default
        self._packs_revision = -1
        self._visible: dict[int | None, tuple[int, ...]] = {}
        self._visible_since = time.monotonic()

    def forget(self, guild_id: int | None = None) -> None:
        """Drop what is remembered of one guild's fandoms, or of every guild's."""
        if guild_id is None:
            self._visible.clear()
        else:
            self._visible.pop(guild_id, None)

    async def _pack_ids(self) -> dict[str, int]:
        if self._packs_revision != self._facts.revision:
            revision = self._facts.revision
            rows = await self._db.fetch_all(
                """SELECT p.key, p.id, CASE WHEN t.pack_id IS NOT NULL AND t.overlay IS NULL THEN 1 ELSE 0 END
                     FROM packs p LEFT JOIN tvmaze_shows t ON t.pack_id = p.id"""
            )
            self._packs, self._packs_revision = {r[0]: r[1] for r in rows}, revision
            self._added = frozenset(r[0] for r in rows if r[2])
            self._visible.clear()
        return self._packs

    async def default_includes(self, key: str) -> bool:
        """Whether a guild that never left the defaults follows pack `key` unless it unfollowed it: the
        bot's defaults name it, and it is the operator's (not a fandom a guild added from TVmaze). Asked
        of the store, not of what this process remembers: another process may have just added it."""
        if not self.default.includes(key):
            return False
        added = await self._db.fetch_value(
            """SELECT count(*) FROM tvmaze_shows t JOIN packs p ON p.id = t.pack_id
                WHERE p.key = ? AND t.overlay IS NULL""",
            (key,),
        )
        return not added

    async def _defaults(self) -> frozenset[str]:
        packs = await self._pack_ids()
        return frozenset(k for k in packs if self.default.includes(k) and k not in self._added)

    async def following(self, guild_id: int | None) -> Following:
        if guild_id is None:
            return Following(frozenset(), frozenset(), False)
        chosen, rows = await self._db.fetch_batch([
            ("SELECT fandoms_chosen FROM guild_settings WHERE guild_id = ?", (guild_id,)),
            ("SELECT pack_key, follows FROM guild_fandoms WHERE guild_id = ?", (guild_id,)),
        ])
        return Following(
            frozenset(r[0] for r in rows if r[1]), frozenset(r[0] for r in rows if not r[1]), bool(chosen and chosen[0][0])
        )

    async def followed_keys(self, guild_id: int | None) -> frozenset[str]:
        """The pack keys this guild follows now (its choices, with the defaults until it left them), present in the store.
        Outside a server (guild None: a DM, a group DM, a server the bot is not in) every pack the bot holds."""
        packs = await self._pack_ids()
        if guild_id is None:
            return frozenset(packs)
        following = await self.following(guild_id)
        return frozenset(k for k in following.keys(await self._defaults()) if k in packs)

    async def visible(self, guild_id: int | None) -> tuple[int, ...]:
        """Ids of the packs whose facts this guild sees; remembered until its fandoms or the packs change."""
        packs = await self._pack_ids()
        if time.monotonic() - self._visible_since > CACHE_TTL:
            self._visible.clear()
            self._visible_since = time.monotonic()
        found = self._visible.get(guild_id)
        if found is None:
            found = tuple(sorted(packs[k] for k in await self.followed_keys(guild_id)))
            if self._packs_revision == self._facts.revision:
                self._visible[guild_id] = found
        return found

    async def params(self, guild_id: int | None, **extra: Any) -> dict[str, Any]:
        """Bound parameters for `visible()` SQL: the guild and the packs it sees."""
        return {"guild": guild_id, "packs": list(await self.visible(guild_id)), **extra}

    async def follow(self, guild_id: int, key: str, user_id: int, now: datetime) -> None:
        """The guild follows pack `key` (a row of its own: other choices, even made at the same time, stay)."""
        await self._choose(guild_id, key, True, user_id, now)

    async def unfollow(self, guild_id: int, key: str, user_id: int, now: datetime) -> None:
        """The guild stops following pack `key`, a default one included; its other choices stay."""
        await self._choose(guild_id, key, False, user_id, now)

    async def follow_as_choice(self, guild_id: int, key: str, user_id: int, now: datetime) -> frozenset[str]:
        """Follow `key` and leave the defaults (a guild's first `/fandom add`): from now on the guild
        follows what it followed explicitly. Returns the packs it stopped following."""
        async with self._db.transaction() as conn:
            before = await self.followed_keys(guild_id)
            await conn.execute(_LEAVE_DEFAULTS, (guild_id, to_text(now)))
            await self._choose(guild_id, key, True, user_id, now)
            return before - await self.followed_keys(guild_id)

    async def set_following(self, guild_id: int, keys: frozenset[str], user_id: int, now: datetime) -> None:
        """Follow exactly `keys` and nothing else, defaults left (setting a guild up whole, as tests
        do); commands change one follow at a time instead."""
        async with self._db.transaction() as conn:
            await conn.execute(_LEAVE_DEFAULTS, (guild_id, to_text(now)))
            await conn.execute(
                "UPDATE guild_fandoms SET follows = 0, followed_by = ?, followed_at = ? "
                "WHERE guild_id = ? AND follows = 1 AND pack_key <> ALL(?)",
                (user_id, to_text(now), guild_id, sorted(keys)),
            )
            await conn.executemany(_CHOICE, [(guild_id, key, 1, user_id, to_text(now)) for key in sorted(keys)])
            await self._db.notify(FANDOMS_CHANNEL)  # other processes forget what they remembered
        self.forget(guild_id)

    async def _choose(self, guild_id: int, key: str, follows: bool, user_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(_CHOICE, (guild_id, key, int(follows), user_id, to_text(now)))
            await self._db.notify(FANDOMS_CHANNEL)  # other processes forget what they remembered
            self.forget(guild_id)  # the rest of the transaction (a re-plan) sees the new choice
        self.forget(guild_id)

    async def counts(self, guild_id: int | None = None) -> StoreCounts:
        """How many characters, series, releases and sources this guild can see (its fandoms and its own)."""
        row = await self._db.fetch_one(
            f"""
            SELECT (SELECT count(*) FROM characters t WHERE {visible("t")}),
                   (SELECT count(*) FROM series     t WHERE {visible("t")}),
                   (SELECT count(*) FROM releases   t WHERE {visible("t")}),
                   (SELECT count(*) FROM sources    t WHERE {visible("t")})
            """,
            await self.params(guild_id),
        )
        assert row is not None
        return StoreCounts(characters=row[0], series=row[1], releases=row[2], sources=row[3])
