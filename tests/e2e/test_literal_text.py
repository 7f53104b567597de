"""Text people type is shown exactly as typed on every surface: no masked link, no styling, no mention.

One hostile text goes through everything a member or moderator can type it into (a poll question, a
poll option, a release title) and every message that shows it is checked: the Markdown it carries
must arrive escaped, so Discord renders it literally.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, FakeMessage
from tests.e2e.asking import say
from tests.e2e.rendering import renders_masked_link
from tests.e2e.waiting import eventually

HOSTILE = "[Claim free Nitro](https://evil.example) **bold** <@&1> @everyone"
ESCAPED = r"\[Claim free Nitro\](https://evil.example) \*\*bold\*\* \<@&1\> \@everyone"
_LIVE = re.compile(r"(?<!\\)<@&1>|(?<!\\)@everyone|(?<!\\)\*\*bold(?<!\\)\*\*")


def rendered_parts(message: FakeMessage) -> list[str]:
    """The parts of a message Discord renders as Markdown: content, embed descriptions, field values."""
    parts = [message.content]
    for embed in message.embeds:
        parts.append(embed.get("description") or "")
        parts += [f.get("value", "") for f in embed.get("fields", [])]
    return [p for p in parts if p]


def assert_literal(message: FakeMessage, where: str) -> None:
    parts = rendered_parts(message)
    assert any(ESCAPED in p for p in parts), f"{where}: the text is not shown escaped: {parts}"
    for part in parts:
        assert not renders_masked_link(part), f"{where}: a masked link would render: {part!r}"
        assert not _LIVE.search(part), f"{where}: markup would render: {part!r}"



async def test_poll_text_is_shown_literally_everywhere(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": f"{HOSTILE}?", "options": f"{HOSTILE}; Plain"})
    assert_literal(poll, "the poll card")
    confirmation = await (await double.press(member, poll, HOSTILE)).reply()
    assert_literal(confirmation, "the vote confirmation")
    await eventually(lambda: "1 vote (100%)" in poll.embeds[0]["fields"][0]["value"], 5, "the tally edit")
    assert ESCAPED + " — 1 vote (100%)" in poll.embeds[0]["fields"][0]["value"]
    assert_literal(poll, "the tally")
    results = await say(double, member, "poll results", {"poll": poll.embeds[0]["footer"]["text"].split("#")[1].split(" ")[0]})
    assert_literal(results, "/poll results")
    await say(double, member, "poll close", {"poll": poll.embeds[0]["footer"]["text"].split("#")[1].split(" ")[0]})
    await eventually(lambda: any("closed:" in m.content for m in double.channel_messages(guild.text_channel)), 8, "the result post")
    posted = next(m for m in double.channel_messages(guild.text_channel) if "closed:" in m.content)
    assert_literal(posted, "the result post")
    assert_literal(poll, "the final card")


async def test_release_titles_are_shown_literally_everywhere(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember, member: FakeMember
) -> None:
    channel = guild.channel("premieres")
    await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": "0"})
    moment = (datetime.now(UTC) + timedelta(seconds=4)).replace(microsecond=0)
    added = await say(double, moderator, "release set", {"title": HOSTILE, "date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert_literal(added, "/release set")
    assert_literal(await say(double, member, "countdown", {"release": HOSTILE}), "/countdown")
    assert_literal(await say(double, member, "releases"), "/releases")
    assert_literal(await say(double, member, "remindme", {"release": HOSTILE}), "/remindme")
    reminders = lambda: [m for m in double.channel_messages(channel) if "is out now" in m.content]  # noqa: E731
    await eventually(lambda: len(reminders()) == 1, 10, "the reminder post")
    assert_literal(reminders()[0], "the reminder post")
    dm = lambda: [m for m in double.messages.values() if m.guild_id is None and "You asked me" in m.content]  # noqa: E731
    await eventually(lambda: len(dm()) == 1, 10, "the reminder DM")
    assert_literal(dm()[0], "the reminder DM")
    await asyncio.sleep(0.2)
    moved = await say(double, moderator, "release set", {"title": HOSTILE, "date": "2032-01-01"})
    assert_literal(moved, "/release set (moved)")
    notices = lambda: [m for m in double.channel_messages(channel) if "has a new date" in m.content]  # noqa: E731
    await eventually(lambda: len(notices()) == 1, 5, "the moved-date notice")
    assert_literal(notices()[0], "the moved-date notice")
    assert_literal(await say(double, moderator, "release remove", {"title": HOSTILE}), "/release remove")
