"""Which gateway shards a process runs: SHARD_COUNT and SHARD_IDS as an operator writes them, and
an even split of the shards between processes.

Discord puts a guild on shard `(guild_id >> 22) % shard_count`; every process of one bot must use
the same count, and between them run each shard exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PART = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?")
ACCEPTED_IDS = "shard numbers and ranges separated by commas, such as 0-3 or 0,2,5 or 0-2,5"


class ShardSettingError(ValueError):
    """SHARD_COUNT or SHARD_IDS is malformed; the message follows the variable's name."""


def parse_shard_count(text: str) -> int:
    """SHARD_COUNT: the total number of shards across every process of the bot."""
    value = text.strip()
    if not re.fullmatch(r"[0-9]+", value) or int(value) < 1:
        raise ShardSettingError(
            f"must be a whole number of shards, 1 or more, such as 4 (got {text!r}); "
            "leave it unset to use the count Discord recommends"
        )
    return int(value)


def parse_shard_ids(text: str, shard_count: int | None) -> list[int]:
    """SHARD_IDS: the shards this process runs, in order. They must fit SHARD_COUNT, each once."""
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        match = _PART.fullmatch(part)
        if match is None:
            raise ShardSettingError(f"must be {ACCEPTED_IDS} (got {text!r})")
        low = int(match[1])
        high = int(match[2]) if match[2] is not None else low
        if high < low:
            raise ShardSettingError(f"must be {ACCEPTED_IDS}, each range low-high (got {part.strip()!r})")
        ranges.append((low, high))
    if shard_count is None:
        raise ShardSettingError(
            "needs SHARD_COUNT, the total number of shards across every process, to number the shards"
        )
    top = max(high for _, high in ranges)
    if top >= shard_count:  # checked before a range is spelled out, so 0-999999999 costs nothing
        have = "has shard 0 alone" if shard_count == 1 else f"numbers shards 0-{shard_count - 1}"
        raise ShardSettingError(f"names shard {top}, but SHARD_COUNT={shard_count} {have}")
    ids: list[int] = []
    seen: set[int] = set()
    for low, high in ranges:
        for shard in range(low, high + 1):
            if shard in seen:
                raise ShardSettingError(f"lists shard {shard} twice ({text.strip()}); name each shard once")
            seen.add(shard)
            ids.append(shard)
    return sorted(ids)


def split_shards(shard_count: int, processes: int) -> list[list[int]]:
    """Contiguous, even ranges of shards, one per process; the first processes take one more when
    the count does not divide (7 over 3: 0-2, 3-4, 5-6)."""
    if processes < 1 or shard_count < 1:
        raise ValueError(f"need at least 1 process and 1 shard (got {processes} processes, {shard_count} shards)")
    if processes > shard_count:
        raise ValueError(
            f"{processes} processes but only {shard_count} shards: each process needs at least one shard"
        )
    size, extra = divmod(shard_count, processes)
    split: list[list[int]] = []
    start = 0
    for index in range(processes):
        end = start + size + (1 if index < extra else 0)
        split.append(list(range(start, end)))
        start = end
    return split


def format_shard_ids(ids: Iterable[int]) -> str:
    """The compact form SHARD_IDS accepts: runs as ranges, the rest as numbers (0-2,5)."""
    parts: list[str] = []
    run: list[int] = []
    for shard in sorted(set(ids)):
        if run and shard == run[-1] + 1:
            run.append(shard)
            continue
        if run:
            parts.append(_run_text(run))
        run = [shard]
    if run:
        parts.append(_run_text(run))
    return ",".join(parts)


def _run_text(run: list[int]) -> str:
    return str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}"
