"""Threads and forum posts as Discord has them: started from a message in a text channel, posted in a
forum channel, archived and unarchived, with the permissions and error codes Discord answers.

A thread started from a message has that message's id (Discord's rule); a forum post's starter message
has the post's id. Threads live in `double.channels` like any channel, so the message routes serve
them; the bot learns of them by THREAD_CREATE and THREAD_UPDATE as from Discord.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.double.limits import message_problems
from tests.double.rest import FILES, JSON_BODY, error, json_response
from tests.double.world import (
    AUTO_ARCHIVE_MINUTES,
    GUILD_FORUM,
    GUILD_TEXT,
    PUBLIC_THREAD,
    FakeChannel,
    FakeGuild,
    FakeMessage,
    ThreadState,
    iso_now,
    snowflake,
)

if TYPE_CHECKING:
    from tests.double.server import DiscordDouble

THREAD_NAME_LIMIT = 100
NEWS = 5
HAS_THREAD = 1 << 5  # message flag: a thread was started from this message


def thread_routes(double: DiscordDouble) -> list[web.RouteDef]:
    api = "/api/v10"
    h = _ThreadHandlers(double)
    return [
        web.post(f"{api}/channels/{{channel}}/messages/{{message}}/threads", h.start_from_message),
        web.post(f"{api}/channels/{{channel}}/threads", h.start_in_forum),
        web.patch(f"{api}/channels/{{channel}}", h.edit_channel),
    ]


def _name_problem(name: Any) -> web.Response | None:
    if not isinstance(name, str) or not name.strip():
        return error(400, 50035, "Invalid Form Body: name is required")
    if len(name) > THREAD_NAME_LIMIT:
        return error(400, 50035, f"Invalid Form Body: name: {len(name)} characters > {THREAD_NAME_LIMIT}")
    return None


def _archive_minutes(body: dict[str, Any]) -> int | web.Response:
    minutes = body.get("auto_archive_duration")
    if minutes is None:
        return 1440
    if minutes not in AUTO_ARCHIVE_MINUTES:
        return error(400, 50035, f"Invalid Form Body: auto_archive_duration must be one of {AUTO_ARCHIVE_MINUTES}")
    return int(minutes)


class _ThreadHandlers:
    def __init__(self, double: DiscordDouble) -> None:
        self.d = double

    def _parent(self, request: web.Request, *, kinds: tuple[int, ...]) -> FakeChannel | web.Response:
        channel = self.d.channels.get(int(request.match_info["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if "view" in channel.denied:
            return error(403, 50001, "Missing Access")
        if channel.type not in kinds:
            return error(400, 50024, "Cannot execute action on this channel type")
        return channel

    async def start_from_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages/{id}/threads: a public thread whose id is the message's."""
        parent = self._parent(request, kinds=(GUILD_TEXT, NEWS))
        if isinstance(parent, web.Response):
            return parent
        if "create_threads" in parent.denied:
            return error(403, 50013, "Missing Permissions")
        message = self.d.messages.get(int(request.match_info["message"]))
        if message is None or message.deleted or message.channel_id != parent.id:
            return error(404, 10008, "Unknown Message")
        if message.id in self.d.channels:
            return error(400, 160004, "A thread has already been created for this message")
        body = request[JSON_BODY] or {}
        minutes = _archive_minutes(body)
        if isinstance(minutes, web.Response):
            return minutes
        if problem := _name_problem(body.get("name")):
            return problem
        thread = self.d.open_thread(parent, body["name"], thread_id=message.id, minutes=minutes)
        message.flags |= HAS_THREAD
        await self.d.tell_thread("THREAD_CREATE", thread)
        return json_response(thread.payload(), 201)

    async def start_in_forum(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/threads on a forum: a post whose starter message has the post's id."""
        forum = self._parent(request, kinds=(GUILD_FORUM,))
        if isinstance(forum, web.Response):
            return forum
        if "send" in forum.denied:
            return error(403, 50013, "Missing Permissions")
        body = request[JSON_BODY] or {}
        if problem := _name_problem(body.get("name")):
            return problem
        minutes = _archive_minutes(body)
        if isinstance(minutes, web.Response):
            return minutes
        data = body.get("message")
        files = request[FILES]
        if not isinstance(data, dict) or not (data.get("content") or data.get("embeds") or data.get("components") or files):
            return error(400, 50006, "Cannot send an empty message")
        if over := message_problems(data):
            return json_response({"message": "Invalid Form Body", "code": 50035, "errors": over}, 400)
        thread = self.d.open_thread(forum, body["name"], thread_id=snowflake(), minutes=minutes)
        starter = self.d.store_message(thread, data, files, flags=int(data.get("flags") or 0), message_id=thread.id)
        assert thread.thread is not None
        thread.thread.message_count = 1
        await self.d.tell_thread("THREAD_CREATE", thread)
        return json_response(thread.payload() | {"message": starter.payload()}, 201)

    async def edit_channel(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id}: on a thread, archive, unarchive, lock or rename it. Unarchiving an
        unlocked thread needs only Send Messages in Threads; archiving, locking and anything on a
        locked thread need Manage Threads (archiving not, for the thread's creator)."""
        channel = self.d.channels.get(int(request.match_info["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if channel.thread is None:
            return error(403, 50013, "Missing Permissions")  # the bot has no Manage Channels
        thread, body = channel.thread, request[JSON_BODY] or {}
        parent = self.d.channels[thread.parent_id]
        if "view" in parent.denied:
            return error(403, 50001, "Missing Access")
        # The bot has no Manage Threads: it may archive the threads it started and unarchive unlocked
        # ones (Send Messages in Threads), never lock one or touch a locked one.
        owner = thread.owner_id == self.d.bot_user.id
        if thread.locked or body.get("locked") or (body.get("archived") and not owner):
            return error(403, 50013, "Missing Permissions")
        if body.get("archived") is False and "send_in_threads" in parent.denied:
            return error(403, 50013, "Missing Permissions")
        if thread.archived and body.get("archived") is not False:
            return error(400, 50083, "Thread is archived")
        if "name" in body and body["name"] is not None and (problem := _name_problem(body["name"])):
            return problem
        minutes = _archive_minutes(body) if "auto_archive_duration" in body else thread.auto_archive_duration
        if isinstance(minutes, web.Response):
            return minutes
        thread.auto_archive_duration = minutes
        if body.get("name"):
            channel.name = body["name"]
        if body.get("locked") is not None:
            thread.locked = bool(body["locked"])
        if body.get("archived") is not None and bool(body["archived"]) != thread.archived:
            thread.archived = bool(body["archived"])
            thread.archive_timestamp = iso_now()
        self.d.thread_edits.append((channel.id, dict(body)))
        await self.d.tell_thread("THREAD_UPDATE", channel)
        return json_response(channel.payload())


class ThreadWorld:
    """The double's side of threads: opening them, archiving them as Discord does after idle hours,
    and finding them and their messages for tests."""

    bot_user: Any
    guilds: dict[int, FakeGuild]
    channels: dict[int, FakeChannel]
    messages: dict[int, FakeMessage]
    thread_edits: list[tuple[int, dict[str, Any]]]

    def session_for(self, guild_id: int | None) -> Any: ...  # provided by DiscordDouble

    def open_thread(self, parent: FakeChannel, name: str, *, thread_id: int, minutes: int = 1440) -> FakeChannel:
        """A public thread under `parent`, created by the bot, known to the world (no event sent)."""
        thread = FakeChannel(
            thread_id, name, parent.guild_id, type=PUBLIC_THREAD, bot_id=self.bot_user.id,
            thread=ThreadState(parent.id, self.bot_user.id, auto_archive_duration=minutes),
        )
        self.channels[thread.id] = thread
        assert parent.guild_id is not None
        self.guilds[parent.guild_id].threads.append(thread)
        return thread

    async def tell_thread(self, event: str, thread: FakeChannel) -> None:
        """THREAD_CREATE (newly created, with the bot as a member) or THREAD_UPDATE to the guild's shard,
        if the bot is connected."""
        data = thread.payload()
        if event == "THREAD_CREATE":
            data |= {"newly_created": True, "member": {
                "id": str(thread.id), "user_id": str(self.bot_user.id), "join_timestamp": iso_now(), "flags": 0,
            }}
        try:
            session = self.session_for(thread.guild_id)
        except ConnectionError:
            return
        await session.dispatch(event, data)

    async def archive_thread(self, thread_id: int, *, locked: bool = False, tell_bot: bool = True) -> None:
        """Archive a thread as Discord does after `auto_archive_duration` without activity (or a
        moderator with `locked`); the bot hears THREAD_UPDATE, and its cache drops the thread."""
        thread = self.channels[thread_id]
        assert thread.thread is not None, f"channel {thread_id} is not a thread"
        thread.thread.archived = True
        thread.thread.locked = thread.thread.locked or locked
        thread.thread.archive_timestamp = iso_now()
        if tell_bot:
            await self.tell_thread("THREAD_UPDATE", thread)

    def threads_in(self, parent: FakeChannel) -> list[FakeChannel]:
        """The threads (or forum posts) started under `parent`, oldest first."""
        found = [c for c in self.channels.values() if c.thread is not None and c.thread.parent_id == parent.id]
        return sorted(found, key=lambda c: c.id)

    def starter_message(self, thread: FakeChannel) -> FakeMessage:
        """The message a thread was started from (in the parent text channel) or a forum post's first
        message (in the post): both have the thread's id."""
        return self.messages[thread.id]

    def thread_messages(self, thread: FakeChannel) -> list[FakeMessage]:
        """The messages posted inside a thread, oldest first (a forum post's starter included)."""
        return sorted((m for m in self.messages.values() if m.channel_id == thread.id and not m.deleted), key=lambda m: m.id)
