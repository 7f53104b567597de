"""Fandoms: the packs in the store, which of them each guild follows, and what a guild can see.

A guild sees the facts of the packs it follows plus what it created itself. Until a moderator
chooses, a guild follows the bot's default fandoms (`DEFAULT_FANDOMS`: all of them, none, or a list).
Follows are kept by pack key, so a pack removed and imported again is followed again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from db.instants import to_text

if TYPE_CHECKING:
    from db.store import Store

# SQL for "this row is visible to the guild": its own, or from a pack it follows. `:guild` and
# `:packs` (a list of pack ids) come from `FandomRepository.params`.
VISIBLE = "({t}.guild_id = :guild OR {t}.pack_id = ANY(:packs))"


FANDOMS_CHANNEL = "fandoms"  # notified when a guild's choice changes
CACHE_TTL = 30.0  # seconds a remembered choice is trusted without a notice (a backstop for a lost one)


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
    """A guild's fandoms: the pack keys it follows, and whether a moderator chose them."""

    keys: frozenset[str]
    chosen: bool


class FandomRepository:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.default = DefaultFandoms()
        self._packs: dict[str, int] = {}
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
        if self._packs_revision != self._store.facts_revision:
            revision = self._store.facts_revision
            rows = await self._store.fetch_all("SELECT key, id FROM packs")
            self._packs, self._packs_revision = {r[0]: r[1] for r in rows}, revision
            self._visible.clear()
        return self._packs

    async def following(self, guild_id: int | None) -> Following:
        if guild_id is None:
            return Following(frozenset(), False)
        chosen = await self._store.fetch_value(
            "SELECT fandoms_chosen FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if not chosen:
            return Following(frozenset(), False)
        rows = await self._store.fetch_all("SELECT pack_key FROM guild_fandoms WHERE guild_id = ?", (guild_id,))
        return Following(frozenset(r[0] for r in rows), True)

    async def followed_keys(self, guild_id: int | None) -> frozenset[str]:
        """The pack keys this guild follows now (its choice, or the default), present in the store."""
        packs = await self._pack_ids()
        following = await self.following(guild_id)
        if following.chosen:
            return frozenset(k for k in following.keys if k in packs)
        return frozenset(k for k in packs if self.default.includes(k))

    async def visible(self, guild_id: int | None) -> tuple[int, ...]:
        """Ids of the packs whose facts this guild sees; remembered until its fandoms or the packs change."""
        packs = await self._pack_ids()
        if time.monotonic() - self._visible_since > CACHE_TTL:
            self._visible.clear()
            self._visible_since = time.monotonic()
        found = self._visible.get(guild_id)
        if found is None:
            found = tuple(sorted(packs[k] for k in await self.followed_keys(guild_id)))
            if self._packs_revision == self._store.facts_revision:
                self._visible[guild_id] = found
        return found

    async def params(self, guild_id: int | None, **extra: Any) -> dict[str, Any]:
        """Bound parameters for `visible()` SQL: the guild and the packs it sees."""
        return {"guild": guild_id, "packs": list(await self.visible(guild_id)), **extra}

    async def set_following(self, guild_id: int, keys: frozenset[str], user_id: int, now: datetime) -> None:
        """Record a moderator's choice (the whole set): from now on the default no longer applies."""
        async with self._store.transaction() as conn:
            await conn.execute(
                """INSERT INTO guild_settings (guild_id, fandoms_chosen, updated_at) VALUES (?, 1, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET fandoms_chosen = 1, updated_at = excluded.updated_at""",
                (guild_id, to_text(now)),
            )
            await conn.execute(
                "DELETE FROM guild_fandoms WHERE guild_id = ? AND pack_key <> ALL(?)",
                (guild_id, sorted(keys)),
            )
            await conn.executemany(
                "INSERT INTO guild_fandoms (guild_id, pack_key, followed_by, followed_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, pack_key) DO NOTHING",
                [(guild_id, key, user_id, to_text(now)) for key in sorted(keys)],
            )
            await self._store.notify(FANDOMS_CHANNEL)  # other processes forget what they remembered
        self.forget(guild_id)
