"""Guild Scheduled Events as Discord has them: create, list, edit, delete, with what Discord checks
beyond the spec (the contract check validates the bodies): at most 100 per guild, a name of 1–100
characters, a description of at most 1,000, a start in the future and an end after it, an EXTERNAL
event's location and end time, and the bot's Create Events / Manage Events permission (50013).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.double.rest import JSON_BODY, error, json_response
from tests.double.world import FakeGuild, Permissions, snowflake

if TYPE_CHECKING:
    from tests.double.server import DiscordDouble

PER_GUILD = 100
NAME_LIMIT, DESCRIPTION_LIMIT, LOCATION_LIMIT = 100, 1000, 100
EXTERNAL = 3
SCHEDULED, ACTIVE = 1, 2
UNKNOWN_EVENT = 10070
EVENT_PERMISSIONS = Permissions.CREATE_EVENTS | Permissions.MANAGE_EVENTS


def scheduled_event_routes(double: DiscordDouble) -> list[web.RouteDef]:
    api = "/api/v10"
    h = _EventHandlers(double)
    return [
        web.post(f"{api}/guilds/{{guild}}/scheduled-events", h.create),
        web.get(f"{api}/guilds/{{guild}}/scheduled-events", h.list_),
        web.get(f"{api}/guilds/{{guild}}/scheduled-events/{{event}}", h.get),
        web.patch(f"{api}/guilds/{{guild}}/scheduled-events/{{event}}", h.edit),
        web.delete(f"{api}/guilds/{{guild}}/scheduled-events/{{event}}", h.delete),
    ]


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def problems(event: dict[str, Any], *, starting: bool) -> list[str]:
    """What Discord refuses in an event (as it would stand after the request); `starting`: its start
    must be in the future (a create, or an edit that moves it)."""
    out = []
    name = event.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_LIMIT:
        out.append(f"name must be 1–{NAME_LIMIT} characters")
    if len(event.get("description") or "") > DESCRIPTION_LIMIT:
        out.append(f"description must be at most {DESCRIPTION_LIMIT} characters")
    start, end = _instant(event.get("scheduled_start_time")), _instant(event.get("scheduled_end_time"))
    if start is None:
        out.append("scheduled_start_time is required")
    elif starting and start <= datetime.now(UTC):
        out.append("scheduled_start_time must be in the future")
    if event.get("entity_type") == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location")
        if not isinstance(location, str) or not 1 <= len(location) <= LOCATION_LIMIT:
            out.append(f"an EXTERNAL event needs entity_metadata.location of 1–{LOCATION_LIMIT} characters")
        if end is None:
            out.append("an EXTERNAL event needs scheduled_end_time")
    if start is not None and end is not None and end <= start:
        out.append("scheduled_end_time must be after scheduled_start_time")
    return out


class _EventHandlers:
    def __init__(self, double: DiscordDouble) -> None:
        self.d = double

    def _guild(self, request: web.Request) -> FakeGuild | web.Response:
        guild = self.d.guilds.get(int(request.match_info["guild"]))
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        if request.method != "GET" and not guild.bot_grants & EVENT_PERMISSIONS:
            return error(403, 50013, "Missing Permissions")
        return guild

    def _event(self, request: web.Request, guild: FakeGuild) -> dict[str, Any] | web.Response:
        event = self.d.scheduled_events.get(int(request.match_info["event"]))
        if event is None or event["guild_id"] != str(guild.id):
            return error(404, UNKNOWN_EVENT, "Unknown Guild Scheduled Event")
        return event

    async def create(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        body: dict[str, Any] = request[JSON_BODY] or {}
        if len(self.d.events_of(guild)) >= PER_GUILD:
            return error(400, 30038, f"Maximum number of guild scheduled events reached ({PER_GUILD})")
        if found := problems(body, starting=True):
            return error(400, 50035, "Invalid Form Body: " + "; ".join(found))
        event = {
            "id": str(snowflake()), "guild_id": str(guild.id), "name": body["name"],
            "description": body.get("description"), "channel_id": None, "creator_id": str(self.d.bot_user.id),
            "creator": self.d.bot_user.payload(), "image": None,
            "scheduled_start_time": body["scheduled_start_time"], "scheduled_end_time": body.get("scheduled_end_time"),
            "status": SCHEDULED, "entity_type": body["entity_type"], "entity_id": None,
            "entity_metadata": body.get("entity_metadata"), "privacy_level": body["privacy_level"],
            "user_count": 0,
        }
        self.d.scheduled_events[int(event["id"])] = event
        return json_response(event)

    async def list_(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        return json_response(self.d.events_of(guild))

    async def get(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        event = self._event(request, guild)
        return event if isinstance(event, web.Response) else json_response(event)

    async def edit(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        event = self._event(request, guild)
        if isinstance(event, web.Response):
            return event
        body: dict[str, Any] = request[JSON_BODY] or {}
        after = event | body
        moved = body.get("scheduled_start_time", event["scheduled_start_time"]) != event["scheduled_start_time"]
        if found := problems(after, starting=moved):
            return error(400, 50035, "Invalid Form Body: " + "; ".join(found))
        event.update(body)
        return json_response(event)

    async def delete(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if isinstance(guild, web.Response):
            return guild
        event = self._event(request, guild)
        if isinstance(event, web.Response):
            return event
        del self.d.scheduled_events[int(event["id"])]
        return web.Response(status=204)
