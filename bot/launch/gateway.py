"""Pointing discord.py at another REST base, and what `GET /gateway/bot` says about sharding."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotGateway:
    """`GET /gateway/bot`: where to connect, how many shards Discord recommends, and how fast
    sessions may start (`max_concurrency` IDENTIFYs per 5 s, `remaining` of `total` today)."""

    url: str
    recommended_shards: int
    max_concurrency: int
    session_starts_remaining: int
    session_starts_total: int
    resets_after_ms: int


def use_api_base(base: str) -> None:
    """Send REST (and interaction webhooks) to `base`, e.g. a rate-limit proxy or a local double."""
    Route.BASE = base


async def ask_bot_gateway(http: HTTPClient) -> BotGateway:
    """One `GET /gateway/bot` at the configured REST base."""
    shards, url, limits = await http.get_bot_gateway()
    return BotGateway(
        url=url,
        recommended_shards=shards,
        max_concurrency=limits["max_concurrency"],
        session_starts_remaining=limits["remaining"],
        session_starts_total=limits["total"],
        resets_after_ms=limits["reset_after"],
    )


def use_gateway(url: str) -> None:
    """Connect (and reconnect) to `url`.

    With SHARD_COUNT set, discord.py connects to its built-in URL, which would bypass a REST base
    we were told to use; so the gateway that base advertises is used instead.
    """
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
    log.info("gateway from %s/gateway/bot: %s", Route.BASE, url)
