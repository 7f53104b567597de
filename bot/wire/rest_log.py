"""One log line per REST call Discord refused, interaction replies included.

discord.py retries 5xx and waits out 429s quietly (some only at DEBUG); an operator should see each
attempt. An aiohttp TraceConfig would, but it costs ~10% of a button press's CPU (trace objects,
awaited signals, a rebuilt query string per request). Instead, discord.py's session builds its
responses with a subclass that logs a refused status as discord.py reads its body: next to free.
Webhook and interaction tokens in URLs are credentials, so they are cut out of the line.
"""

from __future__ import annotations

import logging
import re

import aiohttp
import discord

from bot.logs import redact

log = logging.getLogger("bot.rest")

# Refusals that are someone's choice, not a fault: 50007, a member who closed their direct messages.
QUIET_CODES = frozenset({50007})
_CODE = re.compile(r'"code"\s*:\s*(\d+)')


class LoggedResponse(aiohttp.ClientResponse):
    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """discord.py reads every body once, as text: a refusal is logged then, with Discord's error code,
        at INFO for a code in QUIET_CODES and at WARNING for anything else."""
        body = await super().text(encoding, errors)
        if self.status >= 400:
            found = _CODE.search(body[:500])
            code = int(found[1]) if found else None
            log.log(
                logging.INFO if code in QUIET_CODES else logging.WARNING, "Discord answered %s %s to %s %s%s",
                self.status, self.reason or "", self.method, redact(self.url.path), f" (code {code})" if code else "",
            )
        return body


def log_refusals(http: discord.http.HTTPClient) -> bool:
    """Make the REST session (created by discord.py at login) log refusals; False if it can't."""
    session = getattr(http, "_HTTPClient__session", None)
    if not isinstance(session, aiohttp.ClientSession) or not hasattr(session, "_response_class"):
        log.warning("cannot hook discord.py's REST session; refused calls are logged only by discord.py")
        return False
    session._response_class = LoggedResponse
    return True
