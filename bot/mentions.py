"""Mentions policy: nobody is pinged unless a message says so, and ids go out as Discord's spec wants."""

from __future__ import annotations

from typing import Any

import discord


class SpecMentions(discord.AllowedMentions):
    """AllowedMentions whose role and user ids are written as snowflake strings.

    discord.py writes them as integers; Discord's OpenAPI spec types them as strings. The client's
    default is one of these, and discord.py merges each message's mentions into it, so `merge` keeps
    the class.
    """

    def to_dict(self) -> Any:
        data = super().to_dict()
        for key in ("roles", "users"):
            if key in data:
                data[key] = [str(i) for i in data[key]]
        return data

    def merge(self, other: discord.AllowedMentions) -> SpecMentions:
        merged = super().merge(other)
        return SpecMentions(
            everyone=merged.everyone, users=merged.users, roles=merged.roles, replied_user=merged.replied_user
        )


NO_PINGS = SpecMentions.none()


def role_pings(role_id: int | None) -> SpecMentions:
    """Ping the configured role and nobody else — never @everyone or @here."""
    if role_id is None:
        return NO_PINGS
    return SpecMentions(everyone=False, users=False, roles=[discord.Object(role_id)], replied_user=False)
