"""The double's world: guilds, channels, roles, members and messages, and their Discord payloads.

Payloads carry the fields Discord sends (and discord.py reads), so the real client parses them as
it would parse Discord's.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_sequence = itertools.count(1)


def snowflake() -> int:
    """A fresh, time-ordered Discord id."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_sequence) & 0x3FFFFF)


def snowflake_on_shard(shard: int, shard_count: int) -> int:
    """A fresh id of a guild that lives on `shard`: its timestamp is moved back a few milliseconds
    so that `(id >> 22) % shard_count == shard`."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    ms -= (ms - shard) % shard_count
    return (ms << 22) | (next(_sequence) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


class Permissions:
    """The permission bits the bot cares about (Discord's values)."""

    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    MANAGE_GUILD = 1 << 5
    ADMINISTRATOR = 1 << 3
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MANAGE_EVENTS = 1 << 33
    CREATE_EVENTS = 1 << 44

    # Discord's default @everyone has the two thread bits, so a plain member (and the bot) has them.
    MEMBER = (
        VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS
    )
    BOT = MEMBER | USE_EXTERNAL_EMOJIS


# What a test can deny the bot in a channel (`FakeChannel.denied`), and the permission bit each is.
DENIABLE = {
    "view": Permissions.VIEW_CHANNEL,
    "send": Permissions.SEND_MESSAGES,
    "create_threads": Permissions.CREATE_PUBLIC_THREADS,
    "send_in_threads": Permissions.SEND_MESSAGES_IN_THREADS,
}
GUILD_TEXT, DM, GROUP_DM, PUBLIC_THREAD, GUILD_FORUM = 0, 1, 3, 11, 15
AUTO_ARCHIVE_MINUTES = (60, 1440, 4320, 10080)


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    locale: str = "en-US"  # the language of the member's client: each interaction's `locale`

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None if self.bot else self.username.title(),
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class ThreadState:
    """What a thread has beyond a channel: its parent, its creator and its archive state."""

    parent_id: int
    owner_id: int
    auto_archive_duration: int = 1440
    archived: bool = False
    locked: bool = False
    archive_timestamp: str = field(default_factory=iso_now)
    created_at: str = field(default_factory=iso_now)
    message_count: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "archived": self.archived,
            "archive_timestamp": self.archive_timestamp,
            "auto_archive_duration": self.auto_archive_duration,
            "locked": self.locked,
            "create_timestamp": self.created_at,
            "invitable": True,
        }


@dataclass
class FakeChannel:
    id: int
    name: str
    guild_id: int | None
    type: int = GUILD_TEXT  # DM, PUBLIC_THREAD, GUILD_FORUM
    position: int = 0
    recipient: FakeUser | None = None
    recipients: list[FakeUser] = field(default_factory=list)  # a group DM's members (the bot is not one)
    # What the bot may not do here (keys of DENIABLE): refused by the routes with 403, and sent to
    # the bot as a deny overwrite for its own member (`bot_id`) so it can check before trying.
    denied: set[str] = field(default_factory=set)
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    bot_id: int | None = None
    thread: ThreadState | None = None
    flags: int = 0  # a forum's REQUIRE_TAG is 1 << 4, as Discord's channel flags

    def permission_overwrites(self) -> list[dict[str, Any]]:
        bits = sum(DENIABLE[what] for what in sorted(self.denied))
        if not bits or self.bot_id is None:
            return self.overwrites
        mine = {"id": str(self.bot_id), "type": 1, "allow": "0", "deny": str(bits)}
        return [o for o in self.overwrites if o["id"] != mine["id"]] + [mine]

    def payload(self) -> dict[str, Any]:
        if self.type == DM:
            assert self.recipient is not None
            return {"id": str(self.id), "type": 1, "last_message_id": None, "flags": 0,
                    "recipients": [self.recipient.payload()]}
        if self.type == GROUP_DM:  # a private channel: a user-installed command is used here, the bot is no member
            return {"id": str(self.id), "type": GROUP_DM, "name": None, "icon": None, "last_message_id": None, "flags": 0,
                    "owner_id": str(self.recipients[0].id), "recipients": [u.payload() for u in self.recipients]}
        if self.thread is not None:
            return self._thread_payload(self.thread)
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": self.permission_overwrites(),
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": self.flags,
        }
        if self.type == GUILD_FORUM:
            data |= {
                "default_auto_archive_duration": 1440, "available_tags": [], "default_reaction_emoji": None,
                "default_thread_rate_limit_per_user": 0, "default_sort_order": None, "default_forum_layout": 0,
            }
        return data

    def _thread_payload(self, thread: ThreadState) -> dict[str, Any]:
        """A thread channel object as Discord sends it (ThreadResponse in the spec)."""
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": str(thread.parent_id),
            "owner_id": str(thread.owner_id),
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": thread.payload(),
            "message_count": thread.message_count,
            "member_count": 1,
            "total_message_sent": thread.message_count,
            "applied_tags": [],
        }


@dataclass
class FakeMember:
    user: FakeUser
    guild_id: int
    permissions: int = Permissions.MEMBER
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    def payload(self, *, with_permissions: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.payload(),
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
            "collectibles": None,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: list[FakeChannel] = field(default_factory=list)
    roles: list[FakeRole] = field(default_factory=list)
    members: dict[int, FakeMember] = field(default_factory=dict)
    threads: list[FakeChannel] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)
    bot_grants: int = 0  # server-wide permissions the bot has beyond Permissions.BOT (Create Events, say)
    preferred_locale: str = "en-US"  # the server's language (Server Settings → Community): `guild_locale`

    @property
    def text_channel(self) -> FakeChannel:
        return self.channels[0]

    def channel(self, name: str) -> FakeChannel:
        return next(c for c in self.channels if c.name == name)

    def payload(self, bot_member: FakeMember) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "nsfw": False,
            "stickers": [],
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "incidents_data": None,
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members) + 1,
            "voice_states": [],
            "members": [bot_member.payload()],
            "channels": [c.payload() for c in self.channels],
            "threads": [t.payload() for t in self.threads if t.thread is not None and not t.thread.archived],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "lazy": True,
        }


@dataclass
class FakeMessage:
    """A message as Discord holds it, plus what the double learned while accepting it."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    pings: list[str] = field(default_factory=list)  # who this message would notify: "@everyone", "<@&id>", …
    interaction_id: int | None = None
    webhook_id: int | None = None
    nonce: str | None = None
    message_reference: dict[str, Any] | None = None  # what this message replies to
    created_at: str = field(default_factory=iso_now)
    created_mono: float = field(default_factory=time.monotonic)
    edited_at: str | None = None
    edits: int = 0
    history: list[list[dict[str, Any]]] = field(default_factory=list)  # the embeds after each edit, in order
    deleted: bool = False

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def text(self) -> str:
        """Everything a reader sees as text: content, embed titles, descriptions, fields, footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [embed.get("author", {}).get("name", "")]
            for f in embed.get("fields", []):
                parts += [f.get("name", ""), f.get("value", "")]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def buttons(self) -> list[dict[str, Any]]:
        found = []
        for row in self.components:
            found += [c for c in row.get("components", []) if c.get("type") == 2]
        return found

    def selects(self) -> list[dict[str, Any]]:
        """The message's string selects (component type 3), in order."""
        found = []
        for row in self.components:
            found += [c for c in row.get("components", []) if c.get("type") == 3]
        return found

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": self.created_at,
            "edited_timestamp": self.edited_at,
            "tts": False,
            "mention_everyone": "@everyone" in self.pings or "@here" in self.pings,
            "mentions": [],
            "mention_roles": [p[3:-1] for p in self.pings if p.startswith("<@&")],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "pinned": False,
            "type": 20 if self.interaction_id else 0,
            "flags": self.flags,
            "components": self.components,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        return data
