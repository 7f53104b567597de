"""Faults the double can inject, as Discord (or the network) produces them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from aiohttp import web

REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class RestFault:
    """Answer the next `count` requests matching `method` and `path` with `status` (or delay them)."""

    path: re.Pattern[str]
    method: str | None = None
    status: int = 503
    count: int = 1
    retry_after: float = 0.5
    is_global: bool = False
    delay: float = 0.0  # with status 0: only hold the request this long, then answer normally
    hits: list[str] = field(default_factory=list)

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and (self.method is None or self.method == method) and bool(self.path.search(path))

    def response(self) -> web.Response:
        if self.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": self.retry_after, "global": self.is_global}
            headers = {
                "Content-Type": "application/json",
                "Retry-After": str(max(1, round(self.retry_after))),
                "X-RateLimit-Scope": "global" if self.is_global else "user",
                "Via": "1.1 google",  # discord.py treats a 429 without it as a Cloudflare ban
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)
        reason = REASONS.get(self.status, "Error")
        return web.Response(status=self.status, text=f"{self.status}: {reason}", content_type="text/plain")
