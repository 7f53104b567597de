"""Premiere reminders with real seconds-scale timers: on time, once, across restarts and crashes."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.facts.instants import to_text
from db.repos.timers import LEASE
from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record

BACKENDS = ("sqlite", "postgresql")  # the same tests on each store (tests/e2e/conftest.py)

def at(seconds: float) -> tuple[str, datetime]:
    """A release instant `seconds` from now, whole seconds, as typed and as a datetime."""
    moment = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment


def days_ahead(days: int) -> tuple[str, datetime]:
    """20:00 UTC `days` from today, as typed and as a datetime: inside the reminder horizon (35 days)."""
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(hour=20, minute=0, second=0, microsecond=0)
    return moment.strftime("%Y-%m-%d %H:%M"), moment


def reminders_in(double: DiscordDouble, channel: FakeChannel) -> list[FakeMessage]:
    return [m for m in double.channel_messages(channel) if m.interaction_id is None and ("⏰" in m.content or "🎬" in m.content)]


async def bot_with_subscription(
    double: DiscordDouble, tmp_path: Path, database_url: str | None, offsets: str
) -> tuple[BotProcess, FakeMember, FakeChannel]:
    """A bot of the test's own, and a moderator who subscribed #premieres with `offsets`."""
    bot = BotProcess(double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await double.add_guild()
    moderator = double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
    channel = guild.channel("premieres")
    await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": offsets})
    return bot, moderator, channel


def lateness_ms(message: FakeMessage, due: datetime) -> float:
    return (datetime.fromisoformat(message.created_at) - due).total_seconds() * 1000


async def test_reminders_fire_on_time_once_each_and_ping_only_the_role(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember
) -> None:
    channel = guild.channel("premieres")
    role = double.add_role(guild, "Premiere Squad")
    reply = await say(double, moderator, "reminders subscribe", {"channel": channel, "role": role, "offsets": "3s,0"})
    assert reply.ephemeral and "pinging" in reply.content
    typed, moment = at(6)
    await say(double, moderator, "release set", {"title": "Timer Test", "date": typed})
    await eventually(lambda: len(reminders_in(double, channel)) == 2, 15, "two reminders")
    await asyncio.sleep(1.5)
    early, on_time = reminders_in(double, channel)
    assert len(reminders_in(double, channel)) == 2
    stamp = int(moment.timestamp())
    assert early.content == f"<@&{role.id}> ⏰ **Timer Test** premieres <t:{stamp}:R> — <t:{stamp}:F>."
    assert on_time.content == f"<@&{role.id}> 🎬 **Timer Test** is out now! Premiered <t:{stamp}:F>."
    for message, due in ((early, moment - timedelta(seconds=3)), (on_time, moment)):
        assert message.pings == [f"<@&{role.id}>"]
        assert message.allowed_mentions == {"parse": [], "roles": [str(role.id)]}
        late = lateness_ms(message, due)
        record("reminder lateness after due, ms", late)
        assert 0 <= late < 1500


async def test_subscribing_schedules_only_what_is_still_ahead_and_resubscribing_replaces(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember
) -> None:
    typed, _ = at(1800)  # 30 minutes: 7d, 1d and 1h before are already past
    await say(double, moderator, "release set", {"title": "Soon", "date": typed})
    reply = await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel})
    assert "1 reminder(s) scheduled" in reply.content and "7d, 1d, 1h before and at the start" in reply.content
    again = await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel, "offsets": "10m,5m"})
    assert again.content.startswith("Updated") and "2 reminder(s) scheduled" in again.content
    listing = (await say(double, moderator, "reminders list")).embeds[0]["description"]
    assert listing.count("<#") == 1 and "10m, 5m before" in listing and "2 pending" in listing
    assert reminders_in(double, guild.text_channel) == []


async def test_bad_offsets_are_refused_and_nothing_is_subscribed(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember
) -> None:
    for offsets in ("soon", "1d,,1h", "5x", "400d", ",".join(["1h"] * 11), "-1h"):
        reply = await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel, "offsets": offsets})
        assert reply.ephemeral and ("offset" in reply.content or "At most" in reply.content), offsets
    everyone = next(r for r in guild.roles if r.name == "@everyone")
    reply = await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel, "role": everyone})
    assert "never ping @everyone" in reply.content
    assert "None yet" in (await say(double, moderator, "reminders list")).embeds[0]["description"]


async def test_moving_a_release_reschedules_and_tells_the_channel(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember
) -> None:
    channel = guild.channel("premieres")
    await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": "1h,0"})
    # Both dates inside the 35-day horizon: reminders are planned only that far ahead.
    first, first_moment = days_ahead(10)
    second, second_moment = days_ahead(20)
    await say(double, moderator, "release set", {"title": "Move Test", "date": first, "timezone": "UTC"})
    await say(double, moderator, "release set", {"title": "move test", "date": second, "timezone": "UTC"})
    new = int(second_moment.timestamp())

    def notices() -> list[FakeMessage]:
        return [m for m in double.channel_messages(channel) if "has a new date" in m.content]

    await eventually(lambda: len(notices()) == 1, 5, "the moved-date notice")
    moved = notices()
    old = int(first_moment.timestamp())
    assert len(moved) == 1 and f"<t:{new}:F>" in moved[0].content and f"<t:{old}:F>" in moved[0].content
    assert moved[0].pings == []
    listing = (await say(double, moderator, "reminders list")).embeds[0]["description"]
    assert "2 pending" in listing and f"<t:{new - 3600}:R>" in listing


async def test_a_lost_channel_disables_the_subscription_without_retrying(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember
) -> None:
    channel = guild.channel("premieres")
    await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": "0"})
    await double.revoke_channel(channel)  # someone removed the bot's access; Discord doesn't tell it
    typed, _ = at(2)
    await say(double, moderator, "release set", {"title": "Lost Channel", "date": typed})
    posts = lambda: [r for r in double.requests if r.method == "POST" and r.path == f"/api/v10/channels/{channel.id}/messages"]  # noqa: E731
    await eventually(lambda: len(posts()) >= 1, 10, "the reminder attempt")
    await asyncio.sleep(1.5)
    assert [r.status for r in posts()] == [403]  # once: a 403 is not retried
    listing = (await say(double, moderator, "reminders list")).embeds[0]["description"]
    assert "**disabled**" in listing and "403" in listing
    typed, _ = at(60)
    reply = await say(double, moderator, "release set", {"title": "After Loss", "date": typed})
    assert "reminder(s) scheduled" not in reply.content  # a disabled subscription plans nothing
    refused = await say(double, moderator, "reminders subscribe", {"channel": guild.channel("general")})
    assert refused.content.startswith("Subscribed")


async def test_subscribing_where_the_bot_cannot_post_is_refused(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember
) -> None:
    channel = guild.channel("premieres")
    await double.revoke_channel(channel, what="send", tell_bot=True)
    reply = await say(double, moderator, "reminders subscribe", {"channel": channel})
    assert reply.ephemeral and "I can't post in" in reply.content and "Send Messages" in reply.content


async def test_remindme_sends_one_direct_message(double: DiscordDouble, member: FakeMember, moderator: FakeMember) -> None:
    typed, moment = at(4)
    await say(double, moderator, "release set", {"title": "DM Test", "date": typed})
    first = await say(double, member, "remindme", {"release": "DM Test"})
    assert first.ephemeral and first.content.startswith("I'll DM you when **DM Test** starts")
    second = await say(double, member, "remindme", {"release": "dm test"})
    assert "already set" in second.content
    dm = lambda: [m for m in double.messages.values() if m.guild_id is None and "DM Test" in m.content and m.interaction_id is None]  # noqa: E731
    await eventually(lambda: len(dm()) == 1, 12, "the reminder DM")
    await asyncio.sleep(1)
    assert len(dm()) == 1 and double.channels[dm()[0].channel_id].recipient.id == member.id  # type: ignore[union-attr]
    record("reminder lateness after due, ms", lateness_ms(dm()[0], moment))
    past = await say(double, member, "remindme", {"release": "The Defenders"})
    assert past.ephemeral and "already premiered" in past.content
    vague = await say(double, member, "remindme", {"release": "Jessica Jones season 2"})
    assert vague.ephemeral and "only known as 2018" in vague.content


async def test_subscriptions_belong_to_their_guild(double: DiscordDouble, guild: FakeGuild, moderator: FakeMember) -> None:
    await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel})
    other = await double.add_guild("Elsewhere")
    rival = double.add_member(other, "rival", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
    theirs = (await say(double, rival, "reminders list")).embeds[0]["description"]
    assert "None yet" in theirs
    reply = await say(double, rival, "reminders unsubscribe", {"channel": guild.text_channel})
    assert reply.ephemeral and ("not a valid value" in reply.content or "has no reminders to stop" in reply.content)
    ours = (await say(double, moderator, "reminders list")).embeds[0]["description"]
    assert f"<#{guild.text_channel.id}>" in ours


async def test_unsubscribe_cancels_pending_reminders(double: DiscordDouble, guild: FakeGuild, moderator: FakeMember) -> None:
    await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel, "offsets": "1d,0"})
    await say(double, moderator, "release set", {"title": "Cancelled", "date": days_ahead(5)[0]})  # inside the horizon
    reply = await say(double, moderator, "reminders unsubscribe", {"channel": guild.text_channel})
    assert "2 pending reminder(s) cancelled" in reply.content


async def test_a_restart_mid_schedule_posts_each_reminder_exactly_once(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot, moderator, channel = await bot_with_subscription(fresh_double, tmp_path, database_url, "7s,4s,0")
    typed, moment = at(10)
    await say(fresh_double, moderator, "release set", {"title": "Restart Test", "date": typed})
    await eventually(lambda: len(reminders_in(fresh_double, channel)) == 1, 10, "the first reminder")
    assert await bot.stop() == 0  # down while the 4s-before reminder comes due
    await asyncio.sleep(max(0.0, (moment - timedelta(seconds=4) - datetime.now(UTC)).total_seconds()) + 0.5)
    await bot.start()
    await eventually(lambda: len(reminders_in(fresh_double, channel)) == 3, 15, "all three reminders")
    await asyncio.sleep(1.5)
    posted = reminders_in(fresh_double, channel)
    assert len(posted) == 3  # none twice
    late = lateness_ms(posted[1], moment - timedelta(seconds=4))
    assert 0 < late < 60_000  # caught up after the restart, well inside the hour
    record("reminder lateness after due, ms", lateness_ms(posted[0], moment - timedelta(seconds=7)), lateness_ms(posted[2], moment))
    record("catch-up lateness of a reminder due while the bot was down, ms", late)
    assert "premieres" in posted[0].content and "premieres" in posted[1].content and "is out now" in posted[2].content
    await bot.stop()


async def crash_mid_post(double: DiscordDouble, tmp_path: Path, database_url: str | None, title: str) -> tuple[BotProcess, FakeChannel]:
    """A reminder that Discord made while the bot, never hearing back, was killed: its timer stays claimed."""
    bot, moderator, channel = await bot_with_subscription(double, tmp_path, database_url, "0")
    typed, _ = at(3)
    await say(double, moderator, "release set", {"title": title, "date": typed})
    double.hold_post_replies = 30.0
    await eventually(lambda: len(reminders_in(double, channel)) == 1, 10, "the reminder to be made")
    await bot.kill()
    double.hold_post_replies = 0.0
    return bot, channel


async def age_timers(bot: BotProcess, columns: tuple[str, ...], ago: timedelta, state: str) -> None:
    """Time passes while the bot is down: the `state` timers' `columns` are set to `ago` before now."""
    moved = ", ".join(f"{c} = ?" for c in columns)  # column names from the test itself, never input
    await bot.execute(f"UPDATE timers SET {moved} WHERE state = ?", (*[to_text(datetime.now(UTC) - ago)] * len(columns), state))


async def reminder_record(bot: BotProcess) -> tuple[str, str]:
    [(state, outcome)] = await bot.query("SELECT state, outcome FROM timers WHERE kind = 'reminder'")
    return state, outcome


async def test_a_crash_after_posting_but_before_recording_does_not_post_twice(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot, channel = await crash_mid_post(fresh_double, tmp_path, database_url, "Crash Test")
    # The dead process's lease runs out (30 s) before another takes its claim over; on SQLite the one
    # process that starts knows every claim it finds is its predecessor's.
    await age_timers(bot, ("lease_until",), LEASE + timedelta(seconds=1), "claimed")
    await bot.start()  # the claimed timer is delivered again, with the same nonce
    await eventually(lambda: fresh_double.nonce_repeats == 1, 10, "the repeated post")
    await asyncio.sleep(1)
    assert len(reminders_in(fresh_double, channel)) == 1  # Discord returned the first message instead
    assert "delivering it again" in bot.log()
    await bot.stop()


async def test_a_claim_older_than_the_nonce_window_is_not_posted_again(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    """After a crash mid-post and a long outage, Discord's nonce no longer guards a repeat: the reminder
    that may have gone out is recorded as such, not posted a second time."""
    bot, channel = await crash_mid_post(fresh_double, tmp_path, database_url, "Long Crash")
    # Ten minutes pass: Discord forgets the nonce, and the store's record of the attempt ages with it.
    for message in reminders_in(fresh_double, channel):
        message.created_mono -= 600
    await age_timers(bot, ("attempted_at", "claimed_at", "lease_until"), timedelta(minutes=10), "claimed")
    await bot.start()
    await eventually(lambda: "not repeated" in bot.log(), 10, "the decision to be logged")
    await asyncio.sleep(1)
    assert len(reminders_in(fresh_double, channel)) == 1
    state, outcome = await reminder_record(bot)
    assert state == "skipped" and "nonce" in outcome
    await bot.stop()


async def test_a_reminder_more_than_an_hour_overdue_is_skipped_recorded_and_logged(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot, moderator, channel = await bot_with_subscription(fresh_double, tmp_path, database_url, "0")
    typed, _ = at(120)
    await say(fresh_double, moderator, "release set", {"title": "Long Outage", "date": typed})
    assert await bot.stop() == 0
    await age_timers(bot, ("due_at", "first_due_at"), timedelta(hours=2), "pending")  # two hours pass with the bot down
    await bot.start()
    await eventually(lambda: "skipped timer" in bot.log(), 10, "the skip to be logged")
    await asyncio.sleep(0.5)
    assert reminders_in(fresh_double, channel) == []
    state, outcome = await reminder_record(bot)
    assert state == "skipped" and "catch-up window" in outcome
    await bot.stop()


async def test_unsubscribe_needs_manage_server(double: DiscordDouble, guild: FakeGuild, member: FakeMember, moderator: FakeMember) -> None:
    await say(double, moderator, "reminders subscribe", {"channel": guild.text_channel})
    reply = await say(double, member, "reminders unsubscribe", {"channel": guild.text_channel})
    assert reply.ephemeral and "Manage Server" in reply.content
    assert "✅" in (await say(double, moderator, "reminders list")).embeds[0]["description"]


async def test_concurrent_moves_of_a_release_leave_reminders_for_its_final_date(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember, member: FakeMember, bot: BotProcess
) -> None:
    """Each move commits with its re-plan, and re-plans of one guild never interleave: the date a member
    sees is the date the pending reminders are for, however the moves race."""
    channel = guild.channel("premieres")
    await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": "1h"})
    await say(double, moderator, "release set", {"title": "Race", "date": days_ahead(2)[0], "timezone": "UTC"})
    for round_ in range(24):
        moves = [days_ahead(3 + round_ % 7 + extra)[0] for extra in (0, 10)]  # inside the 35-day horizon
        sent = [await double.send_command(moderator, "release set", {"title": "Race", "date": moves[0], "timezone": "UTC"})]
        await asyncio.sleep(round_ * 0.0005)  # a different interleaving each round
        sent.append(await double.send_command(moderator, "release set", {"title": "Race", "date": moves[1], "timezone": "UTC"}))
        await asyncio.gather(*(s.reply() for s in sent))
        shown = (await say(double, member, "countdown", {"release": "Race"})).content
        stamp = int(re.search(r"<t:(\d+):F>", shown).group(1))  # type: ignore[union-attr]
        pending = await bot.query("SELECT payload FROM timers WHERE guild_id = ? AND kind = 'reminder' AND state = 'pending'", (guild.id,))
        planned = [json.loads(p)["starts_at"] for (p,) in pending]
        assert planned == [stamp], f"round {round_}: the release is at {stamp}, its reminders are for {planned}"


# --- /remindme requests whose date changes (issue 23, item 18) --------------------------------------


def direct_messages(double: DiscordDouble, member: FakeMember) -> list[FakeMessage]:
    """What the bot sent `member` in their DMs, oldest first."""
    channel = double.dm_channels.get(member.id)
    return [m for m in double.channel_messages(channel) if m.interaction_id is None] if channel else []


def log_since(bot: BotProcess, mark: int) -> list[str]:
    return bot.log()[mark:].splitlines()


async def test_a_moved_remindme_tells_its_member_once_and_closed_dms_are_only_noted(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember, member: FakeMember, bot: BotProcess
) -> None:
    """A moderator moves a release two members asked to be reminded of: one gets one DM naming it with
    the old and the new time; the other, whose DMs are closed (50007), costs an INFO line and no error."""
    first, was = days_ahead(10)
    await say(double, moderator, "release set", {"title": "Moved DM", "date": first, "timezone": "UTC"})
    closed = double.add_member(guild, "matt")
    double.closed_dms.add(closed.id)
    for who in (member, closed):
        assert "I'll DM you when **Moved DM** starts" in (await say(double, who, "remindme", {"release": "Moved DM"})).content
    mark = len(bot.log())
    second, now_at = days_ahead(20)
    await say(double, moderator, "release set", {"title": "moved dm", "date": second, "timezone": "UTC"})

    old, new = int(was.timestamp()), int(now_at.timestamp())
    await eventually(lambda: len(direct_messages(double, member)) == 1, 10, "the DM saying it moved")
    await eventually(lambda: any("does not accept direct messages" in line for line in log_since(bot, mark)), 10, "the note")
    await say(double, moderator, "release set", {"title": "Moved DM", "date": second, "timezone": "UTC"})  # no move: no news
    await asyncio.sleep(1.5)  # a second DM of the same move would land here
    [dm] = direct_messages(double, member)
    assert dm.content == (f"📅 **Moved DM** in **Hell's Kitchen** moved: was <t:{old}:F>, now <t:{new}:F> (<t:{new}:R>). "
                          "Your /remindme DM comes at the new time.")
    assert dm.pings == [] and direct_messages(double, closed) == []
    noted = [line for line in log_since(bot, mark) if "does not accept direct messages" in line or f"user {closed.id}" in line]
    assert noted and all(" INFO " in line for line in noted), noted
    assert not [line for line in log_since(bot, mark) if " ERROR " in line or " WARNING " in line]
    rows = await bot.query("SELECT state FROM timers WHERE kind = 'remindme-moved' AND guild_id = ? ORDER BY id", (guild.id,))
    assert sorted(state for (state,) in rows) == ["done", "failed"]  # one per member, each finished once
    pending = await bot.query("SELECT payload FROM timers WHERE kind = 'remindme' AND state = 'pending' AND guild_id = ?", (guild.id,))
    assert sorted(json.loads(p)["starts_at"] for (p,) in pending) == [new, new]  # the DMs follow the date


async def test_a_remindme_cancelled_by_its_date_says_why(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember, member: FakeMember
) -> None:
    """No exact date any more, or the release removed: the member is told the DM will not come, and why."""
    vague, removed = days_ahead(12), days_ahead(14)
    for title, (typed, _) in (("Gone Vague", vague), ("Gone Away", removed)):
        await say(double, moderator, "release set", {"title": title, "date": typed, "timezone": "UTC"})
        await say(double, member, "remindme", {"release": title})
    await say(double, moderator, "release set", {"title": "Gone Vague", "date": "TBA"})
    await say(double, moderator, "release remove", {"title": "Gone Away"})
    await eventually(lambda: len(direct_messages(double, member)) == 2, 10, "two DMs")
    await asyncio.sleep(1)
    texts = sorted(m.content for m in direct_messages(double, member))
    assert texts == sorted([
        f"🚫 **Gone Vague** in **Hell's Kitchen** no longer has an exact date (now date unknown), so the /remindme DM "
        f"you'd have had <t:{int(vague[1].timestamp())}:F> is cancelled. If it gets an exact date again, I'll DM you then.",
        f"🚫 **Gone Away** was removed in **Hell's Kitchen**, so the /remindme DM you'd have had "
        f"<t:{int(removed[1].timestamp())}:F> is cancelled.",
    ]), texts
