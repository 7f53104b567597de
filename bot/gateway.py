"""Pointing discord.py at another REST base, and at the gateway that base advertises."""

from __future__ import annotations

import logging

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route

log = logging.getLogger(__name__)


def use_api_base(base: str) -> None:
    """Send REST (and interaction webhooks) to `base`, e.g. a rate-limit proxy or a local double."""
    Route.BASE = base


async def use_advertised_gateway(http: HTTPClient) -> str:
    """Ask `GET /gateway/bot` and connect there.

    A plain `Client` never asks (only `AutoShardedClient` does); it connects to its built-in URL,
    which would bypass the REST base we were told to use.
    """
    _shards, url, _limits = await http.get_bot_gateway()
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
    log.info("gateway from %s/gateway/bot: %s", Route.BASE, url)
    return url
