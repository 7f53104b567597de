"""The double's REST routes: what discord.py calls, answered as Discord answers.

JSON responses carry exactly `Content-Type: application/json` (discord.py does not parse the
`; charset=utf-8` variant as JSON). Errors are Discord's `{"message", "code"}` bodies and codes.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.double.interactions import InteractionRecord
from tests.double.world import FakeChannel, FakeMessage, iso_now, snowflake

if TYPE_CHECKING:
    from tests.double.server import DiscordDouble

JSON_BODY: web.RequestKey[Any] = web.RequestKey("json_body", object)
ARRIVED: web.RequestKey[float] = web.RequestKey("arrived", float)
FILES: web.RequestKey[dict[str, bytes]] = web.RequestKey("files", dict)
ACK_DEADLINE = 3.0  # seconds Discord gives to acknowledge an interaction
WEBHOOK_LIFETIME = 15 * 60
NONCE_WINDOW = 5 * 60  # "the past few minutes"


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"message": message, "code": code}, status)


def routes(double: DiscordDouble) -> list[web.RouteDef]:
    api = "/api/v10"
    h = _Handlers(double)
    return [
        web.get(f"{api}/users/@me", h.me),
        web.get(f"{api}/oauth2/applications/@me", h.application),
        web.get(f"{api}/applications/@me", h.application),
        web.get(f"{api}/gateway/bot", h.gateway_bot),
        web.get(f"{api}/gateway", h.gateway),
        web.put(f"{api}/applications/{{app}}/commands", h.put_commands),
        web.get(f"{api}/applications/{{app}}/commands", h.get_commands),
        web.put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", h.put_commands),
        web.get(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", h.get_commands),
        web.post(f"{api}/interactions/{{id}}/{{token}}/callback", h.callback),
        web.post(f"{api}/webhooks/{{app}}/{{token}}", h.followup),
        web.get(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", h.webhook_get),
        web.patch(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", h.webhook_edit),
        web.delete(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", h.webhook_delete),
        web.post(f"{api}/channels/{{channel}}/messages", h.create_message),
        web.get(f"{api}/channels/{{channel}}/messages", h.list_messages),
        web.get(f"{api}/channels/{{channel}}/messages/{{message}}", h.get_message),
        web.patch(f"{api}/channels/{{channel}}/messages/{{message}}", h.edit_message),
        web.delete(f"{api}/channels/{{channel}}/messages/{{message}}", h.delete_message),
        web.get(f"{api}/channels/{{channel}}", h.get_channel),
        web.post(f"{api}/users/@me/channels", h.open_dm),
    ]


class _Handlers:
    def __init__(self, double: DiscordDouble) -> None:
        self.d = double

    async def me(self, request: web.Request) -> web.Response:
        return json_response(self.d.bot_user.payload() | {"verified": True, "mfa_enabled": False})

    async def application(self, request: web.Request) -> web.Response:
        return json_response(self.d.application_payload())

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(self.d.sharding.gateway_bot(self.d.gateway_url))

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.d.gateway_url})

    async def put_commands(self, request: web.Request) -> web.Response:
        if int(request.match_info["app"]) != self.d.application_id:
            return error(403, 50001, "Missing Access")
        guild = request.match_info.get("guild")
        scope = int(guild) if guild else "global"
        stored = []
        for body in request[JSON_BODY] or []:
            command = dict(body)
            command.setdefault("type", 1)
            command |= {"id": str(snowflake()), "application_id": str(self.d.application_id), "version": str(snowflake())}
            if guild:
                command["guild_id"] = guild
            stored.append(command)
        self.d.commands[scope] = stored
        self.d.sync_calls.append((scope, time.monotonic()))
        return json_response(stored)

    async def get_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        return json_response(self.d.commands.get(int(guild) if guild else "global", []))

    async def callback(self, request: web.Request) -> web.Response:
        record = self.d.interactions.get(int(request.match_info["id"]))
        if record is None or record.token != request.match_info["token"]:
            return error(404, 10062, "Unknown interaction")
        if record.callback is not None:
            record.rejected_callbacks.append(400)
            return error(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - record.sent_at > ACK_DEADLINE:
            record.rejected_callbacks.append(404)
            return error(404, 10062, "Unknown interaction")
        body, files = request[JSON_BODY], request[FILES]
        kind, data = body["type"], body.get("data") or {}
        resource: dict[str, Any] = {"type": kind}
        loading = False
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) | (FakeMessage.LOADING if kind == 5 else 0)
            loading = kind == 5
            record.original = self.d.store_message(record.channel, data, files, flags=flags, interaction=record)
            resource["message"] = record.original.payload()
        elif kind == 7:
            target = self.d.message_of(record)
            if target is None:
                return error(400, 50035, "Invalid Form Body: no message to update")
            self.d.edit_stored(target, data, files)
            resource["message"] = target.payload()
        elif kind == 8:
            record.choices = list(data.get("choices") or [])
        record.acknowledge(body, request[ARRIVED])
        interaction = {
            "id": str(record.id),
            "type": record.type,
            "response_message_loading": loading,
            "response_message_ephemeral": bool(record.original and record.original.ephemeral),
        }
        if record.original is not None:
            interaction["response_message_id"] = str(record.original.id)
        return json_response({"interaction": interaction, "resource": resource})

    def _webhook_record(self, request: web.Request) -> InteractionRecord | None:
        record = self.d.by_token.get(request.match_info["token"])
        if record is None or int(request.match_info["app"]) != self.d.application_id:
            return None
        if time.monotonic() - record.sent_at > WEBHOOK_LIFETIME:
            return None
        return record

    async def followup(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        if record is None:
            return error(404, 10015, "Unknown Webhook")
        if record.callback is None:
            return error(400, 40060, "Interaction has not been acknowledged.")
        data = request[JSON_BODY] or {}
        message = self.d.store_message(record.channel, data, request[FILES], flags=int(data.get("flags") or 0), interaction=record)
        record.followups.append(message)
        record.changed()
        return json_response(message.payload())

    def _webhook_message(self, request: web.Request) -> tuple[InteractionRecord | None, FakeMessage | None]:
        record = self._webhook_record(request)
        if record is None:
            return None, None
        which = request.match_info["message"]
        if which == "@original":
            return record, record.original
        return record, next((m for m in [record.original, *record.followups] if m and str(m.id) == which), None)

    async def webhook_get(self, request: web.Request) -> web.Response:
        record, message = self._webhook_message(request)
        if record is None or message is None or message.deleted:
            return error(404, 10008, "Unknown Message")
        return json_response(message.payload())

    async def webhook_edit(self, request: web.Request) -> web.Response:
        record, message = self._webhook_message(request)
        if record is None or message is None or message.deleted:
            return error(404, 10008, "Unknown Message")
        self.d.edit_stored(message, request[JSON_BODY] or {}, request[FILES])
        message.flags &= ~FakeMessage.LOADING
        record.changed()
        return json_response(message.payload())

    async def webhook_delete(self, request: web.Request) -> web.Response:
        record, message = self._webhook_message(request)
        if record is None or message is None or message.deleted:
            return error(404, 10008, "Unknown Message")
        message.deleted = True
        return web.Response(status=204)

    def _channel(self, request: web.Request, *, write: bool) -> FakeChannel | web.Response:
        """The channel, or Discord's refusal: a thread is read as its parent allows, and posting in it
        needs Send Messages in Threads there."""
        channel = self.d.channels.get(int(request.match_info["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        rules = self.d.channels.get(channel.thread.parent_id, channel) if channel.thread else channel
        if "view" in rules.denied:
            return error(403, 50001, "Missing Access")
        if write and ("send_in_threads" if channel.thread else "send") in rules.denied:
            return error(403, 50013, "Missing Permissions")
        return channel

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request, write=True)
        if isinstance(channel, web.Response):
            return channel
        if channel.recipient is not None and channel.recipient.id in self.d.closed_dms:
            return error(403, 50007, "Cannot send messages to this user")
        if channel.thread is not None and channel.thread.archived:
            if channel.thread.locked:
                return error(400, 50083, "Thread is archived")
            channel.thread.archived = False  # a message in an archived thread unarchives it, as on Discord
            channel.thread.archive_timestamp = iso_now()
            await self.d.tell_thread("THREAD_UPDATE", channel)
        data = request[JSON_BODY] or {}
        if not (data.get("content") or data.get("embeds") or request[FILES] or data.get("components")):
            return error(400, 50006, "Cannot send an empty message")
        nonce = None if data.get("nonce") is None else str(data["nonce"])
        if nonce is not None and data.get("enforce_nonce"):
            # Discord: a repeat of a recent nonce returns the message already made instead of a second one.
            for earlier in self.d.messages.values():
                if earlier.channel_id == channel.id and earlier.nonce == nonce and time.monotonic() - earlier.created_mono < NONCE_WINDOW:
                    self.d.nonce_repeats += 1
                    return json_response(earlier.payload())
        message = self.d.store_message(channel, data, request[FILES], flags=int(data.get("flags") or 0))
        message.nonce = nonce
        if self.d.hold_post_replies:
            await asyncio.sleep(self.d.hold_post_replies)
        return json_response(message.payload())

    def _message(self, request: web.Request, *, write: bool) -> FakeMessage | web.Response:
        channel = self._channel(request, write=write)
        if isinstance(channel, web.Response):
            return channel
        message = self.d.messages.get(int(request.match_info["message"]))
        if message is None or message.deleted or message.channel_id != channel.id:
            return error(404, 10008, "Unknown Message")
        if write and channel.thread is not None and channel.thread.archived:
            return error(400, 50083, "Thread is archived")  # unarchive first (PATCH archived=false)
        return message

    async def list_messages(self, request: web.Request) -> web.Response:
        """A channel's history as Discord pages it: up to `limit` (1–100) messages, newest first; with
        `after`, the oldest ones after that id; with `before`, the newest ones before it."""
        channel = self._channel(request, write=False)
        if isinstance(channel, web.Response):
            return channel
        try:
            limit = int(request.query.get("limit", "50"))
            after, before = (int(request.query[k]) if k in request.query else None for k in ("after", "before"))
        except ValueError:
            return error(400, 50035, "Invalid Form Body")
        if not 1 <= limit <= 100:
            return error(400, 50035, "Invalid Form Body: limit must be 1-100")
        visible = sorted(m.id for m in self.d.channel_messages(channel))
        if after is not None:
            page = [i for i in visible if i > after][:limit]
        else:
            page = [i for i in visible if before is None or i < before][-limit:]
        return json_response([self.d.messages[i].payload() for i in reversed(page)])

    async def get_message(self, request: web.Request) -> web.Response:
        message = self._message(request, write=False)
        return message if isinstance(message, web.Response) else json_response(message.payload())

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request, write=True)
        if isinstance(message, web.Response):
            return message
        if message.author.id != self.d.bot_user.id:
            return error(403, 50005, "Cannot edit a message authored by another user")
        self.d.edit_stored(message, request[JSON_BODY] or {}, request[FILES])
        return json_response(message.payload())

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._message(request, write=True)
        if isinstance(message, web.Response):
            return message
        message.deleted = True
        return web.Response(status=204)

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request, write=False)
        return channel if isinstance(channel, web.Response) else json_response(channel.payload())

    async def open_dm(self, request: web.Request) -> web.Response:
        recipient_id = int((request[JSON_BODY] or {}).get("recipient_id", 0))
        user = self.d.users.get(recipient_id)
        if user is None:
            return error(400, 50033, "Invalid Recipient(s)")
        channel = self.d.dm_channels.get(recipient_id)
        if channel is None:
            channel = FakeChannel(id=snowflake(), name=f"dm-{user.username}", guild_id=None, type=1, recipient=user)
            self.d.dm_channels[recipient_id] = channel
            self.d.channels[channel.id] = channel
        return json_response(channel.payload() | {"last_message_id": None, "created_at": iso_now()})
