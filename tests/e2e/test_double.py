"""The double itself answers as Discord does where discord.py depends on it."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.double.interactions import InteractionRecord
from tests.double.server import DiscordDouble
from tests.double.world import FakeMember


async def post_callback(double: DiscordDouble, record: InteractionRecord, body: dict) -> tuple[int, dict, str]:
    url = f"{double.api_base}/interactions/{record.id}/{record.token}/callback?with_response=1"
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status, await response.json(content_type=None), response.headers["Content-Type"]


async def test_json_is_plain_application_json(fresh_double: DiscordDouble) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {fresh_double.token}"}
        async with session.get(f"{fresh_double.api_base}/users/@me", headers=headers) as response:
            assert response.headers["Content-Type"] == "application/json"
        async with session.get(f"{fresh_double.api_base}/users/@me") as response:
            assert response.status == 401


async def test_a_second_response_is_400_and_a_late_one_is_404(fresh_double: DiscordDouble) -> None:
    guild = await fresh_double.add_guild()
    member: FakeMember = fresh_double.add_member(guild, "x")
    record = fresh_double._envelope(2, {"id": "1", "name": "about", "type": 1}, member, None)
    fresh_double.interactions[record.id] = record
    status, body, content_type = await post_callback(
        fresh_double, record, {"type": 4, "data": {"content": "hi", "allowed_mentions": {"parse": []}}}
    )
    assert status == 200 and content_type == "application/json"
    assert body["interaction"]["id"] == str(record.id) and body["resource"]["type"] == 4
    assert body["resource"]["message"]["content"] == "hi"
    status, body, _ = await post_callback(
        fresh_double, record, {"type": 4, "data": {"content": "again", "allowed_mentions": {"parse": []}}}
    )
    assert (status, body["code"]) == (400, 40060)

    late = fresh_double._envelope(2, {"id": "1", "name": "about", "type": 1}, member, None)
    late.sent_at -= 3.5
    fresh_double.interactions[late.id] = late
    status, body, _ = await post_callback(fresh_double, late, {"type": 5})
    assert (status, body["code"]) == (404, 10062)


async def test_messages_over_discords_limits_are_refused_as_discord_does(fresh_double: DiscordDouble) -> None:
    """Limits the OpenAPI spec cannot express: content 2,000; embed total 6,000, field 1,024, 25 fields."""
    guild = await fresh_double.add_guild()
    url = f"{fresh_double.api_base}/channels/{guild.text_channel.id}/messages"
    field = {"name": "f", "value": "v" * 1000}
    bodies: dict[str, dict[str, Any]] = {
        "content": {"content": "x" * 2001},
        "embed total": {"embeds": [{"description": "d" * 4000, "fields": [field, field, field]}]},
        "field": {"embeds": [{"fields": [{"name": "f", "value": "v" * 1025}]}]},
        "fields": {"embeds": [{"fields": [{"name": "f", "value": "v"}] * 26}]},
    }
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {fresh_double.token}"}) as session:
        for what, body in bodies.items():
            async with session.post(url, json={**body, "allowed_mentions": {"parse": []}}) as response:
                assert response.status == 400, what
                assert (await response.json())["code"] == 50035, what
        async with session.post(url, json={"content": "x" * 2000, "allowed_mentions": {"parse": []}}) as response:
            assert response.status == 200
    assert fresh_double.channel_messages(guild.text_channel)[-1].content == "x" * 2000
    fresh_double.violations.clear()  # the refusals above were the point of this test
