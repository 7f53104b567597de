"""Sharding as Discord does it: which shard a guild lives on, what `GET /gateway/bot` recommends, and
how an IDENTIFY is judged (its shard, the guilds one shard may hold, its max_concurrency bucket).

https://discord.com/developers/docs/events/gateway#sharding
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_IDENTIFY_WINDOW = 5.0  # one IDENTIFY per bucket per 5 s
INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011
GUILDS_PER_SHARD = 2500
CLOSE_REASONS = {INVALID_SHARD: "Invalid shard.", SHARDING_REQUIRED: "Sharding required."}  # Discord's wording


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard whose connection receives a guild's events."""
    return (guild_id >> 22) % shard_count


@dataclass
class IdentifyRecord:
    """One IDENTIFY the double received, and what it answered."""

    shard: tuple[int, int]
    at: float
    outcome: str  # "ready", "invalid session" (op 9), or "closed 4010"/"closed 4011"


@dataclass
class Verdict:
    shard: tuple[int, int]
    close_code: int | None = None  # close the connection with this code
    invalid_session: bool = False  # answer op 9 with d: false
    reason: str = ""

    @property
    def admitted(self) -> bool:
        return self.close_code is None and not self.invalid_session


@dataclass
class Sharding:
    """What the double recommends and enforces. Tests shorten `identify_window`; Discord's is 5 s."""

    shards: int = 1
    max_concurrency: int = 1
    identify_window: float = DISCORD_IDENTIFY_WINDOW
    guilds_per_shard: int = GUILDS_PER_SHARD
    session_starts_total: int = 1000
    identifies: list[IdentifyRecord] = field(default_factory=list)
    _bucket_last: dict[int, float] = field(default_factory=dict)

    def gateway_bot(self, url: str) -> dict[str, Any]:
        """`GET /gateway/bot`, shaped as Discord documents it."""
        started = sum(1 for r in self.identifies if r.outcome == "ready")
        return {
            "url": url,
            "shards": self.shards,
            "session_start_limit": {
                "total": self.session_starts_total,
                "remaining": max(self.session_starts_total - started, 0),
                "reset_after": 14_400_000,
                "max_concurrency": self.max_concurrency,
            },
        }

    def judge(self, raw: Any, guild_ids: list[int]) -> Verdict:
        """Admit an IDENTIFY, or refuse it as Discord would. Only admitted ones start a bucket's window."""
        shard = _shard_field(raw)
        now = time.monotonic()
        if shard is None:
            verdict = Verdict((-1, -1), close_code=INVALID_SHARD, reason=f"invalid shard {raw!r}")
        else:
            verdict = self._judge_valid(shard, guild_ids, now)
        outcome = "ready" if verdict.admitted else ("invalid session" if verdict.invalid_session else f"closed {verdict.close_code}")
        self.identifies.append(IdentifyRecord(verdict.shard, now, outcome))
        return verdict

    def _judge_valid(self, shard: tuple[int, int], guild_ids: list[int], now: float) -> Verdict:
        shard_id, count = shard
        held = sum(1 for g in guild_ids if shard_of(g, count) == shard_id)
        if held > self.guilds_per_shard:
            return Verdict(shard, close_code=SHARDING_REQUIRED, reason=f"shard {shard_id} would hold {held} guilds")
        bucket = shard_id % self.max_concurrency
        last = self._bucket_last.get(bucket)
        if last is not None and now - last < self.identify_window:
            return Verdict(shard, invalid_session=True, reason=f"bucket {bucket} identified {now - last:.2f} s ago")
        self._bucket_last[bucket] = now
        return Verdict(shard)


def _shard_field(raw: Any) -> tuple[int, int] | None:
    """IDENTIFY's `shard`: absent means [0, 1]; otherwise [shard_id, num_shards] with 0 <= id < num."""
    if raw is None:
        return (0, 1)
    if not isinstance(raw, list) or len(raw) != 2 or not all(type(v) is int for v in raw):
        return None
    shard_id, count = raw
    return (shard_id, count) if 0 <= shard_id < count else None
