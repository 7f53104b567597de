"""One log line per REST call Discord refused, interaction replies included.

discord.py retries 5xx and waits out 429s quietly (some only at DEBUG); an operator should see each
attempt. An aiohttp TraceConfig would, but it costs ~10% of a button press's CPU (trace objects,
awaited signals, a rebuilt query string per request). Instead, discord.py's session builds its
responses with a subclass that logs a refused status as the response starts: next to free.
Webhook and interaction tokens in URLs are credentials, so they are cut out of the line.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord

from bot.logs import redact

log = logging.getLogger("bot.rest")

class LoggedResponse(aiohttp.ClientResponse):
    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        response = await super().start(connection)
        if self.status >= 400:
            log.warning("Discord answered %s %s to %s %s", self.status, self.reason or "", self.method, redact(self.url.path))
        return response


def log_refusals(http: discord.http.HTTPClient) -> bool:
    """Make the REST session (created by discord.py at login) log refusals; False if it can't."""
    session = getattr(http, "_HTTPClient__session", None)
    if not isinstance(session, aiohttp.ClientSession) or not hasattr(session, "_response_class"):
        log.warning("cannot hook discord.py's REST session; refused calls are logged only by discord.py")
        return False
    session._response_class = LoggedResponse
    return True
