"""The double itself answers as Discord does where discord.py depends on it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from tests.double.interactions import InteractionRecord
from tests.double.server import DiscordDouble
from tests.double.world import FakeMember
from tests.e2e.conftest import new_double


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


# --- sharding, as Discord does it ---------------------------------------------------------------------


async def identify_raw(double: DiscordDouble, shard: Any = None, settle: float = 0.3) -> tuple[list[dict[str, Any]], int | None]:
    """IDENTIFY on a fresh connection with `shard` (left out when None); the frames that follow
    within `settle` seconds, and the close code if the double closed the connection."""
    identify: dict[str, Any] = {"token": double.token, "intents": 1, "properties": {"os": "linux", "browser": "t", "device": "t"}}
    if shard is not None:
        identify["shard"] = shard
    frames: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(double.gateway_url) as ws:
        assert (await ws.receive_json())["op"] == 10  # HELLO
        await ws.send_json({"op": 2, "d": identify})
        while True:
            try:
                msg = await ws.receive(timeout=settle)
            except TimeoutError:
                return frames, None
            if msg.type is not aiohttp.WSMsgType.TEXT:
                return frames, ws.close_code
            frames.append(json.loads(msg.data))


def guild_ids_in(frames: list[dict[str, Any]]) -> tuple[set[int], set[int]]:
    """Guild ids READY announced, and guild ids that came as GUILD_CREATE."""
    ready = next(f["d"] for f in frames if f.get("t") == "READY")
    return {int(g["id"]) for g in ready["guilds"]}, {int(f["d"]["id"]) for f in frames if f.get("t") == "GUILD_CREATE"}


async def test_gateway_bot_is_shaped_as_discord_documents_it() -> None:
    double = await new_double(shards=4, max_concurrency=2)
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bot {double.token}"}) as http:
            async with http.get(f"{double.api_base}/gateway/bot") as response:
                before = await response.json()
            await identify_raw(double, [0, 4])
            async with http.get(f"{double.api_base}/gateway/bot") as response:
                after = await response.json()
        assert before["url"] == double.gateway_url and before["shards"] == 4
        limit = before["session_start_limit"]
        assert set(limit) == {"total", "remaining", "reset_after", "max_concurrency"}
        assert limit["max_concurrency"] == 2 and limit["remaining"] == limit["total"]
        assert after["session_start_limit"]["remaining"] == limit["total"] - 1
    finally:
        await double.close()


async def test_a_shard_gets_only_its_guilds() -> None:
    double = await new_double(shards=4, max_concurrency=4)
    try:
        guilds = [await double.add_guild(f"shard {n}", shard=n) for n in (0, 1, 2, 2, 3)]
        assert [(g.id >> 22) % 4 for g in guilds] == [0, 1, 2, 2, 3]
        frames, closed = await identify_raw(double, [2, 4])
        assert closed is None
        ready = next(f["d"] for f in frames if f.get("t") == "READY")
        assert ready["shard"] == [2, 4]
        assert guild_ids_in(frames) == ({guilds[2].id, guilds[3].id}, {guilds[2].id, guilds[3].id})
        frames, _ = await identify_raw(double)  # no `shard` field: shard 0 of 1, every guild
        assert guild_ids_in(frames)[1] == {g.id for g in guilds}
    finally:
        await double.close()


async def test_an_invalid_shard_is_closed_with_4010() -> None:
    double = await new_double(shards=4, max_concurrency=4)
    try:
        for shard in ([4, 4], [-1, 4], [0, 0], [1], "0,4", [0.0, 4]):
            frames, closed = await identify_raw(double, shard)
            assert (frames, closed) == ([], 4010), shard
        assert [r.outcome for r in double.sharding.identifies] == ["closed 4010"] * 6
    finally:
        await double.close()


async def test_too_many_guilds_on_one_shard_is_closed_with_4011() -> None:
    double = await new_double()
    double.sharding.guilds_per_shard = 1
    try:
        await double.add_guild("a")
        await double.add_guild("b")
        assert await identify_raw(double) == ([], 4011)
    finally:
        await double.close()


async def test_an_identify_too_early_for_its_bucket_gets_op_9() -> None:
    """max_concurrency 2: shards 0 and 2 share bucket 0, shards 1 and 3 bucket 1."""
    double = await new_double(shards=4, max_concurrency=2, identify_window=0.6)
    try:
        assert (await identify_raw(double, [0, 4], settle=0.05))[0][0]["t"] == "READY"
        assert (await identify_raw(double, [1, 4], settle=0.05))[0][0]["t"] == "READY"  # another bucket: at once
        frames, closed = await identify_raw(double, [2, 4], settle=0.05)
        assert frames == [{"op": 9, "d": False, "s": None, "t": None}] and closed is None
        await asyncio.sleep(0.6)
        assert (await identify_raw(double, [2, 4], settle=0.05))[0][0]["t"] == "READY"
        outcomes = [(r.shard, r.outcome) for r in double.sharding.identifies]
        assert outcomes == [((0, 4), "ready"), ((1, 4), "ready"), ((2, 4), "invalid session"), ((2, 4), "ready")]
    finally:
        await double.close()
