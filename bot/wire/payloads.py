"""Where discord.py's JSON differs from Discord's OpenAPI spec, and our mentions policy.

discord.py writes some snowflakes (allowed_mentions ids, reply references, attachment ids) as
integers; the spec types them as strings. These subclasses write strings. Nobody is pinged unless a
message says so: the client's default is NO_PINGS.
"""

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


class SpecReference(discord.MessageReference):
    """A reply reference whose ids are snowflake strings, as Discord's spec types them."""

    def to_message_reference_dict(self) -> Any:
        data = super().to_message_reference_dict()
        for key in ("message_id", "channel_id", "guild_id"):
            if data.get(key) is not None:
                data[key] = str(data[key])
        return data


class SpecFile(discord.File):
    """An upload whose attachment id in `payload_json` is a string, as the spec types it."""

    def to_dict(self, index: int) -> Any:
        data = super().to_dict(index)
        data["id"] = str(data["id"])
        return data
