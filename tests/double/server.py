"""A local Discord: REST and gateway on 127.0.0.1 that the real, unpatched discord.py client talks to.

Tests build a world (guilds, members), drive the bot with gateway events shaped like Discord's, and
read what a user would see. Every JSON body the bot sends is checked against Discord's OpenAPI spec;
every outgoing message is checked for who it would ping.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp import web_app as aiohttp_web_app

from tests.double import rest
from tests.double.command_rules import command_set_problems
from tests.double.contract import Contract
from tests.double.faults import RestFault
from tests.double.gateway import GatewaySession, gateway_handler
from tests.double.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    BOT_DM_CONTEXT,
    MESSAGE_COMPONENT,
    InteractionRecord,
    InteractionTimeout,
    command_payload,
    interaction_context,
    interaction_envelope,
)
from tests.double.limits import message_problems
from tests.double.mentions import pings
from tests.double.scheduled_events import scheduled_event_routes
from tests.double.shards import DISCORD_IDENTIFY_WINDOW, Sharding
from tests.double.threads import ThreadWorld, thread_routes
from tests.double.world import (
    DENIABLE,
    GROUP_DM,
    GUILD_FORUM,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    Permissions,
    iso_now,
    snowflake,
    snowflake_on_shard,
)

log = logging.getLogger("double")


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class SentMessageBody:
    """A message body the bot sent (create or edit), for the mention audit."""

    route: str
    body: dict[str, Any]
    pings: list[str]


class DiscordDouble(ThreadWorld):
    def __init__(
        self, *, token: str, contract: Contract | None, heartbeat_interval_ms: int = 41_250,
        shards: int = 1, max_concurrency: int = 1, identify_window: float = DISCORD_IDENTIFY_WINDOW,
    ) -> None:
        self.token = token
        # What GET /gateway/bot recommends and how IDENTIFYs are judged; a test may change it before
        # the bot connects.
        self.sharding = Sharding(shards, max_concurrency, identify_window)
        self.contract = contract
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.application_id = snowflake()
        self.bot_user = FakeUser(self.application_id, "fandex", bot=True)
        self.owner = FakeUser(snowflake(), "owner")
        self.users: dict[int, FakeUser] = {self.owner.id: self.owner}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        self.thread_edits: list[tuple[int, dict[str, Any]]] = []  # (thread id, PATCH body), in order
        self.interactions: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.commands: dict[int | str, list[dict[str, Any]]] = {}
        self.sync_calls: list[tuple[int | str, float]] = []
        self.requests: list[RecordedRequest] = []
        self.message_bodies: list[SentMessageBody] = []
        self.violations: list[str] = []
        self.sessions: list[GatewaySession] = []
        self.gateway_connections = 0
        self.nonce_repeats = 0
        # Members who turned off direct messages from server members: a DM to one of them is refused
        # with 403 and Discord's code 50007, "Cannot send messages to this user".
        self.closed_dms: set[int] = set()
        # Guild Scheduled Events by id (Discord's JSON), across guilds; events_of(guild) lists one guild's.
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        # Faults a test can switch on: seconds to hold the reply to a channel post after making it
        # (the bot can be killed while it waits, as if the answer were lost), REST faults, gateway faults.
        self.hold_post_replies = 0.0
        self.rest_faults: list[RestFault] = []
        self.injected: list[str] = []  # every fault the double produced, for the report
        self.heartbeat_ack_delay = 0.0
        self.drop_heartbeat_acks = False
        self._session_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.add_routes(rest.routes(self))
        app.add_routes(thread_routes(self))
        app.add_routes(scheduled_event_routes(self))
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        return await gateway_handler(self, request)

    async def close(self) -> None:
        for session in self.sessions:
            if session.ws is not None and not session.ws.closed:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
        # aiohttp caches middleware chains per handler in a module-level LRU (1,024 entries); our
        # handlers are bound to this double, so a closed double would stay alive — and a benchmark
        # that starts dozens of doubles would slow down round after round.
        cache = getattr(aiohttp_web_app, "_cached_build_middleware", None)
        if cache is not None:
            cache.cache_clear()

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway"

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "fandex",
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.owner.payload(),
            "team": None,
            "bot": self.bot_user.payload(),
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
        }

    # --- world ---------------------------------------------------------------------------------

    def bot_member(self, guild: FakeGuild) -> FakeMember:
        return FakeMember(self.bot_user, guild.id, permissions=Permissions.BOT)

    async def add_guild(
        self, name: str = "Hell's Kitchen", channels: tuple[str, ...] = ("general", "premieres"), *, shard: int | None = None,
        forums: tuple[str, ...] = (), denied: dict[str, set[str]] | None = None, locale: str = "en-US",
    ) -> FakeGuild:
        """A guild the bot is in (on `shard` of the recommended count, if given), with text `channels`,
        forum channels `forums`, and what the bot is `denied` per channel name (keys of DENIABLE); the
        connection of its shard gets its GUILD_CREATE as when the bot joins one. `locale` is the server's
        preferred locale."""
        guild_id = snowflake() if shard is None else snowflake_on_shard(shard, self.sharding.shards)
        guild = FakeGuild(id=guild_id, name=name, owner_id=self.owner.id, preferred_locale=locale)
        guild.roles.append(FakeRole(guild.id, "@everyone", Permissions.MEMBER))
        kinds = [(n, 0) for n in channels] + [(n, GUILD_FORUM) for n in forums]
        for position, (channel_name, kind) in enumerate(kinds):
            channel = FakeChannel(
                snowflake(), channel_name, guild.id, type=kind, position=position, bot_id=self.bot_user.id,
                denied=set((denied or {}).get(channel_name, ())),
            )
            guild.channels.append(channel)
            self.channels[channel.id] = channel
        self.guilds[guild.id] = guild
        for session in self.sessions:
            if session.open and session.ready.is_set() and session.serves(guild.id):
                await session.dispatch("GUILD_CREATE", guild.payload(self.bot_member(guild)))
        return guild

    def events_of(self, guild: FakeGuild) -> list[dict[str, Any]]:
        """The guild's scheduled events, oldest first."""
        return [e for e in self.scheduled_events.values() if e["guild_id"] == str(guild.id)]

    def add_member(
        self, guild: FakeGuild, name: str, *, permissions: int = Permissions.MEMBER, locale: str = "en-US",
    ) -> FakeMember:
        """A member of `guild` whose client speaks `locale` (each interaction's `locale`)."""
        user = FakeUser(snowflake(), name, locale=locale)
        self.users[user.id] = user
        member = FakeMember(user, guild.id, permissions=permissions)
        guild.members[user.id] = member
        return member

    async def revoke_channel(self, channel: FakeChannel, *, what: str = "view", tell_bot: bool = False) -> None:
        """Take the bot's access to a channel away (a moderator changed its permissions): `what` is a
        key of DENIABLE ("view", "send", "create_threads", "send_in_threads"); the channel's payload
        then carries a deny overwrite for the bot, which CHANNEL_UPDATE tells it with `tell_bot`."""
        channel.denied.add(what)
        channel.bot_id = self.bot_user.id
        if tell_bot:
            await self.session_for(channel.guild_id).dispatch("CHANNEL_UPDATE", channel.payload())

    async def update_channel(self, channel: FakeChannel) -> None:
        """A moderator changed a channel's settings (its flags, say): CHANNEL_UPDATE tells the bot."""
        await self.session_for(channel.guild_id).dispatch("CHANNEL_UPDATE", channel.payload())

    def add_role(self, guild: FakeGuild, name: str, *, mentionable: bool = True) -> FakeRole:
        role = FakeRole(snowflake(), name, 0, position=len(guild.roles), mentionable=mentionable)
        guild.roles.append(role)
        return role

    # --- the bot's connection --------------------------------------------------------------------

    def session_changed(self) -> None:
        self._session_event.set()

    async def wait_for_session(self, timeout: float = 30.0, *, after: int = 0, shards: int = 1) -> GatewaySession:
        """The bot's newest ready gateway session (the `after`+1-th identify, for restarts), once
        `shards` different shards are ready."""
        deadline = time.monotonic() + timeout
        while True:
            ready = [s for s in self.sessions[after:] if s.ready.is_set() and s.open]
            if len({s.shard for s in ready}) >= shards:
                return ready[-1]
            left = deadline - time.monotonic()
            if left <= 0:
                got = sorted(s.shard[0] for s in ready)
                raise TimeoutError(f"{shards} shard(s) of the bot did not connect within {timeout} s (ready: {got})")
            self._session_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._session_event.wait(), left)

    def live_session(self) -> GatewaySession:
        live = [s for s in self.sessions if s.open and s.ready.is_set()]
        if not live:
            raise ConnectionError("no bot is connected to the double's gateway")
        return live[-1]

    def session_for(self, guild_id: int | None) -> GatewaySession:
        """The connection a guild's events go to, `(guild_id >> 22) % num_shards`; DMs go to shard 0."""
        live = [s for s in self.sessions if s.open and s.ready.is_set() and s.serves(guild_id)]
        if not live:
            where = "direct messages (shard 0)" if guild_id is None else f"guild {guild_id}"
            raise ConnectionError(f"no bot connection serves {where}")
        return live[-1]

    # --- faults --------------------------------------------------------------------------------

    def inject(
        self, path: str, *, method: str | None = None, status: int = 503, count: int = 1,
        retry_after: float = 0.5, is_global: bool = False, delay: float = 0.0,
    ) -> RestFault:
        """Answer the next `count` matching REST calls with `status` (429s carry `retry_after`), or delay them."""
        fault = RestFault(re.compile(path), method, status, count, retry_after, is_global, delay)
        self.rest_faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.rest_faults.clear()
        self.heartbeat_ack_delay = 0.0
        self.drop_heartbeat_acks = False
        self.hold_post_replies = 0.0

    async def drop_gateway(self) -> None:
        """Cut the bot's gateway connection without a close frame, as a network failure would."""
        session = self.live_session()
        self.injected.append("gateway connection dropped")
        assert session.ws is not None
        transport = session.transport
        if transport is not None:
            transport.abort()
        else:
            await session.ws.close(code=4000)

    async def request_reconnect(self) -> None:
        """Op 7: Discord asks the bot to reconnect (and resume)."""
        self.injected.append("op 7 reconnect")
        await self.live_session().send({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Op 9: the session is invalid; without `resumable` the bot must identify afresh."""
        self.injected.append(f"op 9 invalid session (resumable={resumable})")
        await self.live_session().send({"op": 9, "d": resumable, "s": None, "t": None})

    # --- driving interactions ----------------------------------------------------------------------

    def _definition(self, name: str, guild: FakeGuild | None) -> tuple[dict[str, Any], bool]:
        if guild is not None:
            for command in self.commands.get(guild.id, []):
                if command["name"] == name:
                    return command, True
        for command in self.commands.get("global", []):
            if command["name"] == name:
                return command, False
        raise KeyError(f"/{name} is not a synced command")

    async def _send(self, record: InteractionRecord) -> InteractionRecord:
        self.interactions[record.id] = record
        self.by_token[record.token] = record
        record.sent_at = time.monotonic()
        await self.session_for(record.guild.id if record.guild else None).dispatch("INTERACTION_CREATE", record.payload)
        return record

    def _envelope(
        self, kind: int, data: dict[str, Any], who: FakeMember | FakeUser, channel: FakeChannel | None,
        message: FakeMessage | None = None,
    ) -> InteractionRecord:
        member = who if isinstance(who, FakeMember) else None
        user = who.user if isinstance(who, FakeMember) else who
        guild = self.guilds.get(member.guild_id) if member else None
        if channel is None:
            channel = guild.text_channel if guild else self._dm_with(user)
        interaction_id, token, payload = interaction_envelope(
            application_id=self.application_id, kind=kind, data=data, user=user, member=member, guild=guild,
            channel=channel, app_permissions=self.bot_permissions(channel), message=message.payload() if message else None,
        )
        return InteractionRecord(interaction_id, token, kind, user, guild, channel, payload)

    def bot_permissions(self, channel: FakeChannel) -> int:
        """The bot's permissions in `channel` as Discord computes them for `app_permissions`: its own,
        less what the channel (a thread's parent, for a thread) denies it."""
        rules = self.channels.get(channel.thread.parent_id, channel) if channel.thread else channel
        guild = self.guilds.get(channel.guild_id) if channel.guild_id is not None else None
        granted = Permissions.BOT | (guild.bot_grants if guild is not None else 0)
        return granted & ~sum(DENIABLE[what] for what in rules.denied)

    def group_dm(self, *users: FakeUser) -> FakeChannel:
        """A group DM of `users` (the bot is no member): a private channel where only a command a member
        installed to their own account can be used (interaction context 2)."""
        for user in users:
            self.users.setdefault(user.id, user)
        channel = FakeChannel(snowflake(), "group-dm", None, type=GROUP_DM, recipients=list(users))
        self.channels[channel.id] = channel
        return channel

    def server_without_bot(self) -> FakeChannel:
        """A text channel of a server the bot is not in: a member who installed the bot to their account
        uses its commands there; the interaction carries the guild's id but no install of the bot by it."""
        channel = FakeChannel(snowflake(), "elsewhere", snowflake())
        self.channels[channel.id] = channel
        return channel

    def offered(self, name: str, who: FakeMember | FakeUser, channel: FakeChannel | None = None) -> bool:
        """Whether a Discord client offers the synced `/name` to `who` in `channel` (default: their server's
        first channel, or their DM with the bot): its `contexts` hold the interaction's context, and its
        `integration_types` an install that reaches there — the server's (0) in a server of the bot, the
        member's own (1) anywhere else; in the DM with the bot, either."""
        guild = self.guilds.get(who.guild_id) if isinstance(who, FakeMember) else None
        definition, _ = self._definition(name, guild)
        if channel is None:
            channel = guild.text_channel if guild else self._dm_with(who.user if isinstance(who, FakeMember) else who)
        context = interaction_context(guild, channel)
        installs = set(definition.get("integration_types") or [0])
        if guild is not None:
            reaching = {0}
        elif context == BOT_DM_CONTEXT:
            reaching = {0, 1}
        else:
            reaching = {1}
        return context in (definition.get("contexts") or [0, 1, 2]) and bool(installs & reaching)

    def _dm_with(self, user: FakeUser) -> FakeChannel:
        self.users.setdefault(user.id, user)
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = FakeChannel(snowflake(), f"dm-{user.username}", None, type=1, recipient=user)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    async def command(
        self, who: FakeMember | FakeUser, name: str, options: dict[str, Any] | None = None, /, *,
        channel: FakeChannel | None = None,
    ) -> InteractionRecord:
        """Invoke `/name` (or `/group sub` as "group sub") as `who`; returns once the bot acknowledged."""
        record = await self.send_command(who, name, options, channel=channel)
        return await record.acked()

    async def send_command(
        self, who: FakeMember | FakeUser, name: str, options: dict[str, Any] | None = None, /, *,
        channel: FakeChannel | None = None,
    ) -> InteractionRecord:
        """Send the command without waiting for the acknowledgement."""
        options = options or {}
        path = name.split()
        guild = self.guilds.get(who.guild_id) if isinstance(who, FakeMember) else None
        definition, guild_scoped = self._definition(path[0], guild)
        built, resolved = command_payload(definition, path, options, None, guild)
        data: dict[str, Any] = {"id": definition["id"], "name": path[0], "type": 1, "options": built}
        if resolved:
            data["resolved"] = resolved
        if guild_scoped and guild is not None:
            data["guild_id"] = str(guild.id)
        return await self._send(self._envelope(APPLICATION_COMMAND, data, who, channel))

    async def send_autocomplete(
        self, who: FakeMember | FakeUser, name: str, options: dict[str, Any], focused: str, /, *,
        channel: FakeChannel | None = None,
    ) -> InteractionRecord:
        """Send an autocomplete request as `who` types `options[focused]`, without waiting for the choices."""
        path = name.split()
        guild = self.guilds.get(who.guild_id) if isinstance(who, FakeMember) else None
        definition, guild_scoped = self._definition(path[0], guild)
        built, _ = command_payload(definition, path, options, focused, guild)
        data: dict[str, Any] = {"id": definition["id"], "name": path[0], "type": 1, "options": built}
        if guild_scoped and guild is not None:
            data["guild_id"] = str(guild.id)
        return await self._send(self._envelope(AUTOCOMPLETE, data, who, channel))

    async def autocomplete(
        self, who: FakeMember | FakeUser, name: str, options: dict[str, Any], focused: str, /, *,
        channel: FakeChannel | None = None,
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while `who` types `options[focused]`."""
        record = await self.send_autocomplete(who, name, options, focused, channel=channel)
        await record.acked()
        if record.choices is None:
            raise InteractionTimeout(f"autocomplete for /{name} answered with callback type {record.callback_type}")
        return record.choices

    async def send_press(self, who: FakeMember | FakeUser, message: FakeMessage, button: str) -> InteractionRecord:
        """Press a button (by label or custom_id) on `message`, without waiting for the answer."""
        found = next((b for b in message.buttons() if button in (b.get("label"), b.get("custom_id"))), None)
        if found is None:
            raise KeyError(f"message {message.id} has no button {button!r}; it has {[b.get('label') for b in message.buttons()]}")
        channel = self.channels[message.channel_id]
        data = {"custom_id": found["custom_id"], "component_type": 2}
        return await self._send(self._envelope(MESSAGE_COMPONENT, data, who, channel, message=message))

    async def press(self, who: FakeMember | FakeUser, message: FakeMessage, button: str) -> InteractionRecord:
        """Press a button and return once the bot acknowledged."""
        return await (await self.send_press(who, message, button)).acked()

    async def send_select(
        self, who: FakeMember | FakeUser, message: FakeMessage, labels: list[str], *, select: str | None = None,
    ) -> InteractionRecord:
        """Choose options (by label) in a string select on `message` — the first, or the one whose custom_id
        or placeholder is `select` — as a member's client would, without waiting for the answer. As Discord,
        the client sends only values the select offers, between its min_values and max_values (default 1)."""
        found = next((s for s in message.selects() if select in (None, s.get("custom_id"), s.get("placeholder"))), None)
        if found is None:
            raise KeyError(f"message {message.id} has no select {select!r}; it has {[s.get('custom_id') for s in message.selects()]}")
        if found.get("disabled"):
            raise ValueError(f"select {found['custom_id']} is disabled; a client cannot choose in it")
        offered = {o["label"]: o["value"] for o in found.get("options", [])}
        if missing := [label for label in labels if label not in offered]:
            raise KeyError(f"select {found['custom_id']} offers no {missing}; it offers {list(offered)}")
        if not found.get("min_values", 1) <= len(labels) <= found.get("max_values", 1):
            raise ValueError(f"select {found['custom_id']} takes {found.get('min_values', 1)}–{found.get('max_values', 1)} values")
        channel = self.channels[message.channel_id]
        data = {"custom_id": found["custom_id"], "component_type": 3, "values": [offered[label] for label in labels]}
        return await self._send(self._envelope(MESSAGE_COMPONENT, data, who, channel, message=message))

    async def choose(
        self, who: FakeMember | FakeUser, message: FakeMessage, labels: list[str], *, select: str | None = None,
    ) -> InteractionRecord:
        """Choose in a string select and return once the bot acknowledged."""
        return await (await self.send_select(who, message, labels, select=select)).acked()

    # --- messages ------------------------------------------------------------------------------

    def store_message(
        self, channel: FakeChannel, data: dict[str, Any], files: dict[str, bytes], *, flags: int,
        interaction: InteractionRecord | None = None, message_id: int | None = None,
    ) -> FakeMessage:
        message = FakeMessage(
            id=message_id or snowflake(), channel_id=channel.id, guild_id=channel.guild_id, author=self.bot_user, flags=flags,
            interaction_id=interaction.id if interaction else None,
            webhook_id=self.application_id if interaction else None,
        )
        self._apply(message, data, files)
        message.pings = pings(message.content, data.get("allowed_mentions"))
        self.messages[message.id] = message
        return message

    def edit_stored(self, message: FakeMessage, data: dict[str, Any], files: dict[str, bytes]) -> None:
        self._apply(message, data, files)
        message.edits += 1
        message.edited_at = iso_now()
        message.history.append(list(message.embeds))

    def _apply(self, message: FakeMessage, data: dict[str, Any], files: dict[str, bytes]) -> None:
        if "content" in data:
            message.content = data["content"] or ""
        if "embeds" in data:
            message.embeds = list(data["embeds"] or [])
        if "components" in data:
            message.components = list(data["components"] or [])
        if "allowed_mentions" in data:
            message.allowed_mentions = data["allowed_mentions"]
        if data.get("message_reference"):
            message.message_reference = data["message_reference"]
        if "attachments" in data or files:
            kept = [a for a in data.get("attachments") or [] if "filename" not in a]
            message.attachments = kept + [
                {"id": str(snowflake()), "filename": name, "size": len(content), "url": f"{self.base_url}/attachments/{name}",
                 "proxy_url": f"{self.base_url}/attachments/{name}", "content_type": "image/png" if name.endswith(".png") else None}
                for name, content in files.items()
            ]
            message.files.update(files)

    def message_of(self, record: InteractionRecord) -> FakeMessage | None:
        raw = record.payload.get("message")
        return self.messages.get(int(raw["id"])) if raw else None

    def channel_messages(self, channel: FakeChannel, *, include_ephemeral: bool = False) -> list[FakeMessage]:
        """What members see in the channel, oldest first (ephemeral replies are only their user's)."""
        return [
            m for m in self.messages.values()
            if m.channel_id == channel.id and not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    # --- recording and the contract ------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        request[rest.ARRIVED] = time.monotonic()
        body, files = await _read_body(request)
        request[rest.JSON_BODY], request[rest.FILES] = body, files
        recorded = RecordedRequest(request.method, request.path, dict(request.query), body)
        self.requests.append(recorded)
        needs_auth = not request.path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))
        if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            recorded.status = 401
            return rest.error(401, 0, "401: Unauthorized")
        for fault in self.rest_faults:
            if fault.matches(request.method, request.path):
                fault.count -= 1
                fault.hits.append(request.path)
                if fault.delay:
                    self.injected.append(f"delay {fault.delay}s {request.method} {request.path}")
                    await asyncio.sleep(fault.delay)
                    break
                self.injected.append(f"{fault.status} {request.method} {request.path}")
                recorded.status = fault.status
                return fault.response()
        if self.contract is not None:
            api_path = request.path.removeprefix("/api/v10")
            for problem in self.contract.violations(request.method, api_path, body):
                self.violations.append(problem)
                log.error("contract violation: %s", problem)
        if over := self._over_limits(request, body):
            self.violations += [f"{request.method} {request.path}: {p}" for p in over]
            recorded.status = 400
            return rest.json_response({"message": "Invalid Form Body", "code": 50035, "errors": over}, 400)
        self._audit_message_body(request, body)
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = rest.error(404, 0, "404: Not Found")
            self.violations.append(f"{request.method} {request.path}: the double does not implement this route")
        recorded.status = response.status
        return response

    @staticmethod
    def _over_limits(request: web.Request, body: Any) -> list[str]:
        """What Discord would refuse with 400 beyond the spec: sizes of content, embeds and choices; names
        and localizations of a command set."""
        if request.method == "PUT" and request.path.endswith("/commands") and isinstance(body, list):
            return command_set_problems(body)
        if not isinstance(body, dict) or request.method not in ("POST", "PATCH"):
            return []
        data = _message_data(request, body)
        return message_problems(data) if isinstance(data, dict) else []

    def _audit_message_body(self, request: web.Request, body: Any) -> None:
        if not isinstance(body, dict) or request.method not in ("POST", "PATCH"):
            return
        data = _message_data(request, body)
        if request.path.endswith("/callback") and body.get("type") not in (4, 5, 7):
            return
        if not isinstance(data, dict) or request.path.endswith("/users/@me/channels"):
            return
        if not any(key in data for key in ("content", "embeds", "components")):
            return  # a deferral ("thinking…") carries no text that could ping
        self.message_bodies.append(
            SentMessageBody(f"{request.method} {request.path}", data, pings(data.get("content"), data.get("allowed_mentions")))
        )


def _message_data(request: web.Request, body: dict[str, Any]) -> Any:
    """The message inside a body: an interaction callback's `data`, a forum post's `message`, or the body."""
    if request.path.endswith("/callback"):
        return body.get("data")
    if request.path.endswith("/threads") and "message" in body:
        return body["message"]
    return body


async def _read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    if not request.can_read_body:
        return None, {}
    if request.content_type == "multipart/form-data":
        files: dict[str, bytes] = {}
        payload: Any = None
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            elif part.filename:
                files[part.filename] = bytes(await part.read())
        return payload, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), {}
