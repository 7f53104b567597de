"""The double's threads and forum posts, driven by discord.py's own client as the bot drives them: the
shapes it parses (the create answers, THREAD_CREATE, THREAD_UPDATE), the permissions it can check
before trying, and Discord's refusals (50013 Missing Permissions, 50083 Thread is archived)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.double.interactions import MESSAGE_COMPONENT
from tests.double.server import DiscordDouble
from tests.double.world import PUBLIC_THREAD, FakeChannel, FakeGuild

NONE = discord.AllowedMentions.none()


@pytest.fixture
async def client(fresh_double: DiscordDouble) -> AsyncIterator[discord.Client]:
    """discord.py's client, in this process, connected to the double (REST and gateway)."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fresh_double.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fresh_double.gateway_url)
    bot = discord.Client(intents=discord.Intents(guilds=True))
    runner = asyncio.create_task(bot.start(fresh_double.token))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        yield bot
    finally:
        await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise TimeoutError("the client never saw it")
        await asyncio.sleep(0.02)
    return found


def is_archived(channel: FakeChannel) -> bool:
    assert channel.thread is not None
    return channel.thread.archived


async def joined(double: DiscordDouble, client: discord.Client, **kwargs: Any) -> tuple[FakeGuild, discord.Guild]:
    guild = await double.add_guild(**kwargs)
    return guild, await until(lambda: client.get_guild(guild.id))


async def test_a_thread_started_from_a_message(fresh_double: DiscordDouble, client: discord.Client) -> None:
    guild, seen = await joined(fresh_double, client)
    channel = seen.get_channel(guild.text_channel.id)
    assert isinstance(channel, discord.TextChannel)
    me = channel.permissions_for(seen.me)
    assert me.create_public_threads and me.send_messages_in_threads
    message = await channel.send("S02E05 airs now", allowed_mentions=NONE)
    thread = await message.create_thread(name="S02E05 · The Thread", auto_archive_duration=1440)
    assert thread.id == message.id and thread.parent_id == channel.id and thread.owner_id == client.user.id  # type: ignore[union-attr]
    assert not thread.archived and thread.auto_archive_duration == 1440
    await until(lambda: seen.get_thread(thread.id))  # THREAD_CREATE reached the cache

    [fake] = fresh_double.threads_in(guild.text_channel)
    assert fake.type == PUBLIC_THREAD and fake.name == "S02E05 · The Thread"
    assert fresh_double.starter_message(fake).content == "S02E05 airs now"
    inside = await thread.send("first!", allowed_mentions=NONE)
    assert [m.id for m in fresh_double.thread_messages(fake)] == [inside.id]

    with pytest.raises(discord.HTTPException) as twice:
        await message.create_thread(name="again")
    assert twice.value.code == 160004

    await fresh_double.archive_thread(thread.id)
    await until(lambda: seen.get_thread(thread.id) is None)  # discord.py drops archived threads
    with pytest.raises(discord.HTTPException) as archived:
        await inside.edit(content="edited", allowed_mentions=NONE)
    assert (archived.value.status, archived.value.code) == (400, 50083)
    fetched = await client.fetch_channel(thread.id)
    assert isinstance(fetched, discord.Thread) and fetched.archived
    reopened = await fetched.edit(archived=False)
    await inside.edit(content="edited", allowed_mentions=NONE)
    await reopened.edit(archived=True)
    assert is_archived(fake)
    assert [body for _, body in fresh_double.thread_edits] == [{"archived": False}, {"archived": True}]
    assert fresh_double.messages[inside.id].content == "edited"
    assert fresh_double.messages[message.id].flags & (1 << 5)  # HAS_THREAD, as Discord marks a starter

    # A message in an archived thread unarchives it, as on Discord; a locked one takes none.
    await thread.send("back", allowed_mentions=NONE)
    assert not is_archived(fake)
    await fresh_double.archive_thread(thread.id, locked=True)
    with pytest.raises(discord.HTTPException) as locked:
        await thread.send("still here?", allowed_mentions=NONE)
    assert locked.value.code == 50083
    with pytest.raises(discord.Forbidden) as no_unlock:  # only Manage Threads reopens a locked thread
        await reopened.edit(archived=False)
    assert no_unlock.value.code == 50013


async def test_a_forum_post_carries_its_starter_message(fresh_double: DiscordDouble, client: discord.Client) -> None:
    guild, seen = await joined(fresh_double, client, forums=("episodes",))
    forum_fake = guild.channel("episodes")
    forum = seen.get_channel(forum_fake.id)
    assert isinstance(forum, discord.ForumChannel) and forum.permissions_for(seen.me).send_messages
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="I've watched", custom_id="watch:1"))
    post = await forum.create_thread(name="S01E01 · Pilot", content="Pilot airs", view=view, allowed_mentions=NONE)
    assert post.message.id == post.thread.id and post.message.channel.id == post.thread.id
    assert post.thread.parent_id == forum.id
    await until(lambda: seen.get_thread(post.thread.id))

    [fake] = fresh_double.threads_in(forum_fake)
    starter = fresh_double.starter_message(fake)
    assert starter.channel_id == fake.id and [b["label"] for b in starter.buttons()] == ["I've watched"]
    member = fresh_double.add_member(guild, "viewer")
    press = fresh_double._envelope(MESSAGE_COMPONENT, {"custom_id": "watch:1", "component_type": 2}, member, fake, message=starter)
    assert press.payload["channel"]["type"] == PUBLIC_THREAD and press.payload["message"]["id"] == str(fake.id)

    await fresh_double.archive_thread(fake.id)
    with pytest.raises(discord.HTTPException) as archived:
        await post.message.edit(content="closed", allowed_mentions=NONE)
    assert archived.value.code == 50083
    await post.thread.edit(archived=False)
    await post.message.edit(content="closed", allowed_mentions=NONE)
    assert starter.content == "closed"


async def test_denied_permissions_show_in_the_payload_and_are_refused(fresh_double: DiscordDouble, client: discord.Client) -> None:
    guild, seen = await joined(
        fresh_double, client, channels=("general", "no-threads"), forums=("locked-forum",),
        denied={"no-threads": {"create_threads", "send_in_threads"}, "locked-forum": {"send"}},
    )
    text = seen.get_channel(guild.channel("no-threads").id)
    forum = seen.get_channel(guild.channel("locked-forum").id)
    assert isinstance(text, discord.TextChannel) and isinstance(forum, discord.ForumChannel)
    mine = text.permissions_for(seen.me)
    assert mine.send_messages and not mine.create_public_threads and not mine.send_messages_in_threads
    assert not forum.permissions_for(seen.me).send_messages

    message = await text.send("here", allowed_mentions=NONE)
    with pytest.raises(discord.Forbidden) as no_thread:
        await message.create_thread(name="nope")
    assert no_thread.value.code == 50013
    with pytest.raises(discord.Forbidden) as no_post:
        await forum.create_thread(name="nope", content="x", allowed_mentions=NONE)
    assert no_post.value.code == 50013

    # Denied later, as a moderator would: the bot hears CHANNEL_UPDATE and sees it before trying.
    general = guild.channel("general")
    await fresh_double.revoke_channel(general, what="create_threads", tell_bot=True)
    await until(lambda: not seen.get_channel(general.id).permissions_for(seen.me).create_public_threads)  # type: ignore[union-attr]
    assert fresh_double.threads_in(guild.channel("no-threads")) == []


async def test_the_answers_have_the_shapes_of_the_spec(fresh_double: DiscordDouble) -> None:
    """Threads, forum channels and forum posts as the double answers them, held to Discord's schemas."""
    assert fresh_double.contract is not None
    guild = await fresh_double.add_guild(forums=("episodes",), denied={"episodes": {"send"}})
    forum = guild.channel("episodes")
    post = fresh_double.open_thread(forum, "S01E01 · Pilot", thread_id=12345)
    assert fresh_double.contract.schema_violations("ThreadResponse", post.payload()) == []
    assert fresh_double.contract.schema_violations("GuildChannelResponse", forum.payload()) == []
    assert fresh_double.contract.schema_violations("GuildChannelResponse", guild.text_channel.payload()) == []
    [deny] = forum.payload()["permission_overwrites"]
    assert deny == {"id": str(fresh_double.bot_user.id), "type": 1, "allow": "0", "deny": str(1 << 11)}
    assert not fresh_double.bot_permissions(post) & (1 << 11)  # app_permissions in the post follow its forum
    assert fresh_double.bot_permissions(guild.text_channel) & (1 << 35)


async def test_thread_names_over_100_characters_are_refused(fresh_double: DiscordDouble) -> None:
    guild = await fresh_double.add_guild(forums=("episodes",))
    api = fresh_double.api_base
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {fresh_double.token}"}) as session:
        text = {"content": "x", "allowed_mentions": {"parse": []}}
        async with session.post(f"{api}/channels/{guild.text_channel.id}/messages", json=text) as response:
            message = await response.json()
        start = f"{api}/channels/{guild.text_channel.id}/messages/{message['id']}/threads"
        async with session.post(start, json={"name": "n" * 101}) as response:
            assert (response.status, (await response.json())["code"]) == (400, 50035)
        forum = f"{api}/channels/{guild.channel('episodes').id}/threads"
        body = {"name": "n" * 100, "message": {"content": "ok", "allowed_mentions": {"parse": []}}}
        async with session.post(forum, json=body) as response:
            assert response.status == 201
            post = await response.json()
        assert post["message"]["id"] == post["id"] and post["thread_metadata"]["archived"] is False
        async with session.post(forum, json={"name": "empty", "message": {}}) as response:
            assert (response.status, (await response.json())["code"]) == (400, 50006)
    assert any("name" in v for v in fresh_double.violations)  # the contract saw the long name too
    fresh_double.violations.clear()  # the refusals above were the point of this test
