"""What `python -m bot launch` will run: how many shards, which process runs which, and each child's environment.

Every child is told SHARD_COUNT explicitly, so all of them agree on it even if Discord's recommendation
changes while one of them is restarting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
import discord
from discord.http import HTTPClient

from bot.launch.gateway import use_api_base
from bot.launch.shards import format_shard_ids, split_shards
from bot.settings import Settings

GATEWAY_TIMEOUT = 10.0  # seconds for Discord to say how many shards it recommends
EXIT_UNREACHABLE = 1  # Discord could not be asked: worth retrying, unlike a configuration error (2)


class LaunchError(Exception):
    """The launch cannot go ahead. The message is one line for the operator; `status` is the exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def shard_choice(settings: Settings) -> ShardChoice:
    """SHARD_COUNT and SHARD_IDS as set for this launch (from the environment or .env)."""
    return ShardChoice(settings.shard_count, None if (ids := settings.shard_id_list) is None else tuple(ids))


@dataclass(frozen=True)
class ShardChoice:
    """SHARD_COUNT and SHARD_IDS as the operator set them; None where unset."""

    count: int | None
    ids: tuple[int, ...] | None


@dataclass(frozen=True)
class ProcessShare:
    """One child's part of the bot: its shards out of how many in all."""

    index: int
    shard_ids: tuple[int, ...]
    shard_count: int

    @property
    def label(self) -> str:
        """How the log names this child, e.g. "process 2 (shards 4-5)"."""
        noun = "shard" if len(self.shard_ids) == 1 else "shards"
        return f"process {self.index} ({noun} {format_shard_ids(self.shard_ids)})"

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """The launcher's environment with this child's SHARD_COUNT and SHARD_IDS (which win over .env)."""
        return dict(base) | {"SHARD_COUNT": str(self.shard_count), "SHARD_IDS": format_shard_ids(self.shard_ids)}


def refuse_sqlite(processes: int, database_url: str) -> None:
    """More than one process needs a store that several processes can write: PostgreSQL."""
    if processes > 1 and urlsplit(database_url).scheme == "sqlite":
        raise LaunchError(
            f"--processes {processes} needs PostgreSQL; SQLite serves one process — "
            "set DATABASE_URL=postgresql://… (see README, Scaling out)"
        )


def plan_processes(processes: int, choice: ShardChoice, recommended: int | None) -> list[ProcessShare]:
    """Share the shards out: SHARD_IDS if set, else every shard of SHARD_COUNT, else of Discord's recommendation.

    Only the recommendation is raised to one shard per process; a count or ids the operator chose are
    kept, and a launch they cannot serve is refused, because other machines may be running the rest.
    """
    if choice.count is not None:
        count, whence = choice.count, f"SHARD_COUNT is {choice.count}"
    else:
        if recommended is None:
            raise ValueError("without SHARD_COUNT the plan needs Discord's recommended shard count")
        count, whence = recommended, f"GET /gateway/bot recommends {recommended} shard{'s' * (recommended != 1)}"
        if choice.ids is None:
            count = max(count, processes)
    ids = choice.ids if choice.ids is not None else tuple(range(count))
    beyond = [i for i in ids if i >= count]
    if beyond:
        raise LaunchError(
            f"SHARD_IDS names shard {beyond[0]}, but {whence}: shard ids run from 0 to {count - 1}; "
            "set SHARD_COUNT to the same value on every machine"
        )
    if processes > len(ids):
        have = f"SHARD_IDS names {len(ids)} ({format_shard_ids(ids)})" if choice.ids is not None else whence
        raise LaunchError(f"--processes {processes} needs at least {processes} shards, one per process, but {have}")
    return [
        ProcessShare(index, tuple(ids[i] for i in run), count)
        for index, run in enumerate(split_shards(len(ids), processes))
    ]


async def recommended_shard_count(settings: Settings) -> int:
    """Ask Discord (at DISCORD_API_BASE) how many shards this bot should run: `GET /gateway/bot`."""
    if settings.custom_api_base:
        use_api_base(settings.discord_api_base)
    where = f"GET {settings.discord_api_base}/gateway/bot"
    advice = "set SHARD_COUNT to launch without asking"
    http = HTTPClient(asyncio.get_running_loop())
    try:
        async with asyncio.timeout(GATEWAY_TIMEOUT):
            await http.static_login(settings.discord_token.get_secret_value())
            shards, _url, _limits = await http.get_bot_gateway()
    except discord.LoginFailure:
        raise LaunchError("Discord rejected DISCORD_TOKEN (401) — check the token in .env (see .env.example)") from None
    except TimeoutError:
        raise LaunchError(f"{where} did not answer within {GATEWAY_TIMEOUT:.0f} s; {advice}", EXIT_UNREACHABLE) from None
    except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        raise LaunchError(f"could not ask Discord how many shards to run ({where}: {reason}); {advice}", EXIT_UNREACHABLE) from None
    finally:
        await http.close()
    return int(shards)
