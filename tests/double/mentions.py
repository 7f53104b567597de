"""Who a message would notify, by Discord's rules for content mentions and allowed_mentions.

Without allowed_mentions Discord parses everything, so a missing field is the dangerous case; embeds
never ping.
"""

from __future__ import annotations

import re
from typing import Any

_MENTION = re.compile(r"@everyone|@here|<@!?(\d+)>|<@&(\d+)>")


def pings(content: str | None, allowed: dict[str, Any] | None) -> list[str]:
    """'@everyone', '@here', '<@id>' and '<@&id>' entries for each mention that would notify someone."""
    if not content:
        return []
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    users = set() if allowed is None else {str(u) for u in allowed.get("users") or []}
    roles = set() if allowed is None else {str(r) for r in allowed.get("roles") or []}
    found: list[str] = []
    for m in _MENTION.finditer(content):
        text, user_id, role_id = m.group(0), m.group(1), m.group(2)
        if text in ("@everyone", "@here"):
            if "everyone" in parse:
                found.append(text)
        elif user_id is not None:
            if "users" in parse or user_id in users:
                found.append(f"<@{user_id}>")
        elif role_id is not None and ("roles" in parse or role_id in roles):
            found.append(f"<@&{role_id}>")
    return found
