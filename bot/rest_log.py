"""One log line per REST call Discord refused or failed, webhooks (interaction replies) included.

discord.py retries 5xx and waits out 429s quietly (some only at DEBUG); an operator should see each.
Webhook and interaction tokens in URLs are credentials, so they are cut out of the line.
"""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import aiohttp

log = logging.getLogger("bot.rest")

_TOKEN_IN_PATH = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/?]+")


def redact_path(path: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1…", path)


async def _on_request_end(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestEndParams
) -> None:
    status = params.response.status
    if status >= 400:
        log.warning(
            "Discord answered %s %s to %s %s", status, params.response.reason or "", params.method,
            redact_path(params.url.path),
        )


async def _on_request_exception(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestExceptionParams
) -> None:
    log.warning("%s %s failed: %s", params.method, redact_path(params.url.path), type(params.exception).__name__)


def rest_trace() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(_on_request_end)
    trace.on_request_exception.append(_on_request_exception)
    return trace
