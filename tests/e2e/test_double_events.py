"""The double's Guild Scheduled Events answer as Discord does where the spec cannot say: the bot's
permission (50013), a start in the future and an end after it, at most 100 per guild, an unknown
event (10070), and each guild's events apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from tests.double.server import DiscordDouble
from tests.double.world import Permissions


def body(start: datetime, *, hours: float = 1, name: str = "Premiere") -> dict[str, Any]:
    return {
        "name": name, "description": "d", "privacy_level": 2, "entity_type": 3,
        "entity_metadata": {"location": "Netflix"},
        "scheduled_start_time": start.isoformat(), "scheduled_end_time": (start + timedelta(hours=hours)).isoformat(),
    }


async def test_scheduled_events_are_checked_as_discord_checks_them(fresh_double: DiscordDouble) -> None:
    double = fresh_double
    guild, elsewhere = await double.add_guild("A"), await double.add_guild("B")
    url = f"{double.api_base}/guilds/{guild.id}/scheduled-events"
    soon = datetime.now(UTC) + timedelta(days=1)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {double.token}"}) as session:
        async with session.post(url, json=body(soon)) as response:
            assert (response.status, (await response.json())["code"]) == (403, 50013)  # no Create Events
        guild.bot_grants = elsewhere.bot_grants = Permissions.CREATE_EVENTS | Permissions.MANAGE_EVENTS
        for wrong in (body(datetime.now(UTC) - timedelta(hours=1)), body(soon, hours=-1),
                      {k: v for k, v in body(soon).items() if k != "scheduled_end_time"}):
            async with session.post(url, json=wrong) as response:
                assert (response.status, (await response.json())["code"]) == (400, 50035), wrong
        async with session.post(url, json=body(soon)) as response:
            assert response.status == 200
            made = await response.json()
        later = soon + timedelta(hours=3)
        async with session.patch(f"{url}/{made['id']}", json={"scheduled_start_time": later.isoformat(),
                                                               "scheduled_end_time": (later + timedelta(hours=1)).isoformat()}) as response:
            assert response.status == 200 and (await response.json())["scheduled_start_time"] == later.isoformat()
        other = f"{double.api_base}/guilds/{elsewhere.id}/scheduled-events/{made['id']}"
        async with session.delete(other) as response:
            assert (response.status, (await response.json())["code"]) == (404, 10070)  # not that guild's
        for n in range(99):
            async with session.post(url, json=body(soon + timedelta(hours=n), name=f"E{n}")) as response:
                assert response.status == 200
        async with session.post(url, json=body(soon)) as response:
            assert (response.status, (await response.json())["code"]) == (400, 30038)  # the 101st
        async with session.get(url) as response:
            assert len(await response.json()) == 100
        async with session.delete(f"{url}/{made['id']}") as response:
            assert response.status == 204
        assert len(double.events_of(guild)) == 99 and double.events_of(elsewhere) == []
    assert double.violations == []
