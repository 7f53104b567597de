"""Interactions the double sends, and what the bot answered to each.

Option payloads are built from the command definitions the bot synced, so a test names options as a
user would and gets the types Discord would send.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, FakeRole, FakeUser, snowflake

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER = 3, 4, 5, 6, 7, 8, 10


class InteractionTimeout(AssertionError):
    """The bot did not answer as a user would have needed it to, in time."""


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    user: FakeUser
    guild: FakeGuild | None
    channel: FakeChannel
    payload: dict[str, Any]
    sent_at: float = field(default_factory=time.monotonic)
    callback: dict[str, Any] | None = None
    callback_at: float | None = None
    original: FakeMessage | None = None
    followups: list[FakeMessage] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    rejected_callbacks: list[int] = field(default_factory=list)  # statuses of callbacks refused (late, twice)
    _acked: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def latency(self) -> float | None:
        """Seconds from sending the event to receiving the callback."""
        return None if self.callback_at is None else self.callback_at - self.sent_at

    @property
    def callback_type(self) -> int | None:
        return None if self.callback is None else self.callback["type"]

    def acknowledge(self, body: dict[str, Any], arrived: float | None = None) -> None:
        """Record the callback; its time is when the request arrived, before the double's own work."""
        self.callback = body
        self.callback_at = arrived if arrived is not None else time.monotonic()
        self._acked.set()
        self.changed()

    def changed(self) -> None:
        self._changed.set()

    async def acked(self, timeout: float = 5.0) -> InteractionRecord:
        try:
            await asyncio.wait_for(self._acked.wait(), timeout)
        except TimeoutError:
            raise InteractionTimeout(f"interaction {self.id} was not acknowledged within {timeout} s") from None
        return self

    async def reply(self, timeout: float = 10.0) -> FakeMessage:
        """The message the user ends up seeing: the response, a deferred response's edit, or a follow-up."""
        await self.acked(min(timeout, 5.0))
        deadline = time.monotonic() + timeout
        while True:
            if self.original is not None and not self.original.flags & FakeMessage.LOADING and self.callback_type != 6:
                return self.original
            if self.followups:
                return self.followups[0]
            left = deadline - time.monotonic()
            if left <= 0:
                raise InteractionTimeout(f"interaction {self.id} got no visible reply within {timeout} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue


def command_payload(
    definition: dict[str, Any], path: list[str], values: dict[str, Any], focused: str | None, guild: FakeGuild | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`data.options` and `data.resolved` for invoking `path` (e.g. ["release", "set"]) with `values`."""
    options_def = definition.get("options") or []
    resolved: dict[str, Any] = {}
    wrapper: list[dict[str, Any]] = []
    container = wrapper
    for name in path[1:]:
        sub = next((o for o in options_def if o["name"] == name and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if sub is None:
            raise KeyError(f"/{' '.join(path)}: no subcommand {name!r} in the synced definition")
        entry: dict[str, Any] = {"type": sub["type"], "name": name, "options": []}
        container.append(entry)
        container = entry["options"]
        options_def = sub.get("options") or []
    for name, value in values.items():
        option = next((o for o in options_def if o["name"] == name), None)
        if option is None:
            known = ", ".join(o["name"] for o in options_def)
            raise KeyError(f"/{' '.join(path)} has no option {name!r} (it has: {known})")
        item: dict[str, Any] = {"type": option["type"], "name": name, "value": _option_value(option["type"], value, resolved, guild)}
        if name == focused:
            item["focused"] = True
            item["value"] = str(value)
        container.append(item)
    return wrapper, resolved


def _option_value(kind: int, value: Any, resolved: dict[str, Any], guild: FakeGuild | None) -> Any:
    if kind == CHANNEL and isinstance(value, FakeChannel):
        data = value.payload() | {"permissions": str((1 << 53) - 1)}
        resolved.setdefault("channels", {})[str(value.id)] = data
        return str(value.id)
    if kind == ROLE and isinstance(value, FakeRole):
        resolved.setdefault("roles", {})[str(value.id)] = value.payload()
        return str(value.id)
    if kind == USER and isinstance(value, FakeMember):
        resolved.setdefault("users", {})[str(value.id)] = value.user.payload()
        member = value.payload(with_permissions=True)
        member.pop("user")
        resolved.setdefault("members", {})[str(value.id)] = member
        return str(value.id)
    if kind == INTEGER:
        return int(value) if not isinstance(value, str) else value
    if kind == NUMBER:
        return float(value) if not isinstance(value, str) else value
    if kind == BOOLEAN:
        return bool(value)
    return value if isinstance(value, (str, int, float)) else str(value)


GUILD_CONTEXT, BOT_DM_CONTEXT, PRIVATE_CHANNEL_CONTEXT = 0, 1, 2  # Discord's interaction context types
ELSEWHERE_PERMISSIONS = (1 << 10) | (1 << 11)  # a member's own permissions in a server without the bot: view, send


def interaction_context(guild: FakeGuild | None, channel: FakeChannel) -> int:
    """Where the interaction happens, as Discord says in `context`: a server (the bot's, or one where only
    the member installed it), the DM with the bot, or a private channel (a group DM, a DM between users)."""
    if guild is not None or channel.guild_id is not None:
        return GUILD_CONTEXT
    return BOT_DM_CONTEXT if channel.type == 1 else PRIVATE_CHANNEL_CONTEXT


def interaction_envelope(
    *,
    application_id: int,
    kind: int,
    data: dict[str, Any],
    user: FakeUser,
    member: FakeMember | None,
    guild: FakeGuild | None,
    channel: FakeChannel,
    app_permissions: int,
    message: dict[str, Any] | None = None,
) -> tuple[int, str, dict[str, Any]]:
    """An INTERACTION_CREATE payload shaped like Discord's, with a fresh id and token."""
    interaction_id = snowflake()
    token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
    channel_payload = channel.payload()
    if member is not None:
        channel_payload["permissions"] = str(member.permissions)
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": data,
        "channel_id": str(channel.id),
        "channel": channel_payload,
        "token": token,
        "version": 1,
        "locale": user.locale,
        "app_permissions": str(app_permissions),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {"0": str(guild.id)} if guild else {"1": str(user.id)},
        "context": interaction_context(guild, channel),
    }
    if guild is not None and member is not None:
        payload["guild_id"] = str(guild.id)
        payload["guild"] = {"id": str(guild.id), "locale": guild.preferred_locale, "features": []}
        payload["guild_locale"] = guild.preferred_locale
        payload["member"] = member.payload(with_permissions=True)
    elif channel.guild_id is not None:  # a server the bot is not in: only the member's own install authorizes it
        payload["guild_id"] = str(channel.guild_id)
        payload["guild"] = {"id": str(channel.guild_id), "locale": "en-US", "features": []}
        payload["guild_locale"] = "en-US"
        payload["member"] = {
            "user": user.payload(), "nick": None, "avatar": None, "banner": None, "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None, "deaf": False, "mute": False, "pending": False, "flags": 0, "permissions": str(ELSEWHERE_PERMISSIONS),
            "communication_disabled_until": None,
        }
    else:
        payload["user"] = user.payload()
    if message is not None:
        payload["message"] = message
    return interaction_id, token, payload
