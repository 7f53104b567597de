"""The double's gateway: HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeats, RESUME, dispatch.

Plain-text JSON frames: discord.py asks for zlib-stream but reads text frames as they come.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.double.shards import CLOSE_REASONS, shard_of

if TYPE_CHECKING:
    from tests.double.server import DiscordDouble

log = logging.getLogger("double.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11
PRIVILEGED_INTENTS = {1 << 1: "GUILD_MEMBERS", 1 << 8: "GUILD_PRESENCES", 1 << 15: "MESSAGE_CONTENT"}


class GatewaySession:
    """One bot connection, for one shard. Sequence numbers and the event buffer survive a RESUME on a
    new socket."""

    def __init__(self, double: DiscordDouble, shard: tuple[int, int] = (0, 1)) -> None:
        self.double = double
        self.shard = shard  # [shard_id, num_shards] from IDENTIFY; [0, 1] when it sent none
        self.session_id = secrets.token_hex(16)
        self.ws: web.WebSocketResponse | None = None
        self.transport: asyncio.Transport | None = None
        self.seq = 0
        self.sent: list[dict[str, Any]] = []
        self.intents: int | None = None
        self.identify: dict[str, Any] | None = None
        self.ready = asyncio.Event()
        self.heartbeats = 0
        self.resumes = 0

    @property
    def open(self) -> bool:
        return self.ws is not None and not self.ws.closed

    def serves(self, guild_id: int | None) -> bool:
        """Whether this connection gets the guild's events; direct messages go to shard 0."""
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_of(guild_id, count) == shard_id

    async def send(self, payload: dict[str, Any]) -> None:
        if self.ws is None or self.ws.closed:
            raise ConnectionError("the bot's gateway connection is closed")
        await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.sent.append(payload)
        await self.send(payload)


async def gateway_handler(double: DiscordDouble, request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=0)
    await ws.prepare(request)
    double.gateway_connections += 1
    session: GatewaySession | None = None
    await ws.send_str(json.dumps({"op": HELLO, "d": {"heartbeat_interval": double.heartbeat_interval_ms}, "s": None, "t": None}))
    try:
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, data = frame.get("op"), frame.get("d")
            if op == HEARTBEAT:
                if session is not None:
                    session.heartbeats += 1
                if double.drop_heartbeat_acks:
                    double.injected.append("heartbeat ACK dropped")
                    continue
                if double.heartbeat_ack_delay:
                    double.injected.append(f"heartbeat ACK delayed {double.heartbeat_ack_delay}s")
                    asyncio.get_running_loop().call_later(double.heartbeat_ack_delay, _ack_later, ws)
                    continue
                await ws.send_str(json.dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
            elif op == IDENTIFY:
                session = await _identify(double, ws, data)
            elif op == RESUME:
                session = await _resume(double, ws, data)
            if session is not None and session.ws is ws:
                session.transport = request.transport
    finally:
        if session is not None and session.ws is ws:
            session.ws = None
    return ws


_PENDING_ACKS: set[asyncio.Future[None]] = set()  # held until sent, so a delayed ACK is not garbage-collected


def _ack_later(ws: web.WebSocketResponse) -> None:
    if not ws.closed:
        ack = asyncio.ensure_future(ws.send_str(json.dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})))
        _PENDING_ACKS.add(ack)
        ack.add_done_callback(_PENDING_ACKS.discard)


async def _identify(double: DiscordDouble, ws: web.WebSocketResponse, data: dict[str, Any]) -> GatewaySession | None:
    if data.get("token") != double.token:
        await ws.close(code=4004, message=b"Authentication failed.")
        return None
    verdict = double.sharding.judge(data.get("shard"), list(double.guilds))
    if verdict.close_code is not None:
        log.info("IDENTIFY refused with %d: %s", verdict.close_code, verdict.reason)
        await ws.close(code=verdict.close_code, message=CLOSE_REASONS[verdict.close_code].encode())
        return None
    if verdict.invalid_session:  # too early for its bucket: the client waits and identifies again
        log.info("IDENTIFY of shard %s answered with op 9: %s", verdict.shard, verdict.reason)
        await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
        return None
    session = GatewaySession(double, verdict.shard)
    session.ws = ws
    session.identify = {k: v for k, v in data.items() if k != "token"}
    session.intents = int(data.get("intents", 0))
    double.sessions.append(session)
    ready = {
        "v": 10,
        "user": double.bot_user.payload() | {"verified": True, "mfa_enabled": False, "email": None},
        "guilds": [{"id": str(g.id), "unavailable": True} for g in double.guilds.values() if session.serves(g.id)],
        "session_id": session.session_id,
        "session_type": "normal",
        "resume_gateway_url": double.gateway_url,
        "application": {"id": str(double.application_id), "flags": 0},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east"],
        "user_settings": {},
    }
    if "shard" in data:
        ready["shard"] = data["shard"]
    await session.dispatch("READY", ready)
    for guild in [g for g in double.guilds.values() if session.serves(g.id)]:
        await session.dispatch("GUILD_CREATE", guild.payload(double.bot_member(guild)))
    session.ready.set()
    double.session_changed()
    return session


async def _resume(double: DiscordDouble, ws: web.WebSocketResponse, data: dict[str, Any]) -> GatewaySession | None:
    session = next((s for s in double.sessions if s.session_id == data.get("session_id")), None)
    if session is None or data.get("token") != double.token:
        await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
        return None
    session.ws = ws
    session.resumes += 1
    missed = [p for p in session.sent if p["s"] > int(data.get("seq") or 0)]
    for payload in missed:
        await session.send(payload)
    await session.dispatch("RESUMED", {})
    double.session_changed()
    return session
