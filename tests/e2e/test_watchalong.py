"""Watch-alongs through the real bot and the double: /watchalong set, stop and list with their
refusals; a thread (text channel) or a post (forum) at each exact air instant, once, pinging only the
configured role; its buttons; the rating closed after `days` on an archived post; a restart across an
air instant; two servers apart.

Each test writes its own pack with episodes seconds ahead. `days` are whole days: closing is brought
near by moving the stored instants while the bot is down (the clock "passes" the days), then the bot
comes back and closes on its return, as after real downtime."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.facts.instants import to_text
from tests.conftest import PostgresDatabases
from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import new_double
from tests.e2e.waiting import eventually
from tests.figures import record

BACKENDS = ("sqlite", "postgresql")
MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD


def instant(seconds: float) -> datetime:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def pack_text(e1: datetime, e2: datetime, *, without_e2: bool = False) -> str:
    """Two episodes at exact instants, one known only to its day (no thread), one far ahead."""
    second = "" if without_e2 else f'\n          - {{number: 2, title: Second Wind, date: "{iso(e2)}"}}'
    return f"""format: 1
pack: {{id: watching, title: Watching}}
sources:
  a: {{title: An article}}
series:
  show:
    title: Watch Show
    source: a
    seasons:
      - number: 1
        source: a
        episodes:
          - {{number: 1, title: Pilot, date: "{iso(e1)}"}}{second}
          - {{number: 3, title: Some Day, date: "{(e2 + timedelta(days=2)).date().isoformat()}"}}
          - {{number: 4, title: Far Away, date: "{iso(e2 + timedelta(days=30))}"}}
"""


async def watching_bot(double: DiscordDouble, tmp_path: Path, text: str, database_url: str | None) -> BotProcess:
    pack = tmp_path / "watching.yaml"
    pack.write_text(text, encoding="utf-8")
    bot = BotProcess(double, tmp_path / "bot", env={"FACT_PACKS": str(pack)}, database_url=database_url)
    await bot.start()
    return bot


async def server(double: DiscordDouble, name: str = "Hell's Kitchen") -> tuple[FakeGuild, FakeMember]:
    guild = await double.add_guild(
        name, channels=("general", "episodes", "locked"), forums=("forum", "closed-forum"),
        denied={"locked": {"create_threads", "send_in_threads"}, "closed-forum": {"send"}},
    )
    return guild, double.add_member(guild, "mod", permissions=MOD)


def starters(double: DiscordDouble, parent: FakeChannel) -> list[FakeMessage]:
    return [double.starter_message(t) for t in double.threads_in(parent)]


async def test_set_stop_list_and_their_refusals(fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None) -> None:
    double = fresh_double
    bot = await watching_bot(double, tmp_path, pack_text(instant(3600), instant(7200)), database_url)
    try:
        guild, mod = await server(double)
        member = double.add_member(guild, "fan")
        episodes, locked, forum, closed = (guild.channel(n) for n in ("episodes", "locked", "forum", "closed-forum"))

        refused = await say(double, member, "watchalong set", {"series": "Watch Show", "channel": episodes})
        assert refused.ephemeral and "Manage Server" in refused.content, refused.content
        text = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": locked})
        assert text.ephemeral and "**Create Public Threads**, **Send Messages in Threads**" in text.content, text.content
        assert "Nothing was changed" in text.content and "Send Messages**" not in text.content
        post = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": closed})
        assert "**Send Messages (create posts)**" in post.content and "Nothing was changed" in post.content, post.content
        unknown = await say(double, mod, "watchalong set", {"series": "Nothing Like It", "channel": episodes})
        assert unknown.ephemeral and "autocomplete" in unknown.content, unknown.content
        everyone = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes, "role": guild.roles[0]})
        assert "not @everyone" in everyone.content, everyone.content
        too_long = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes, "days": 15})
        assert too_long.ephemeral and "from 1 to 14" in too_long.content and "Nothing was changed" in too_long.content, too_long.content
        assert await bot.query("SELECT count(*) FROM watchalongs") == [(0,)]
        assert await bot.query("SELECT count(*) FROM watchalong_threads") == [(0,)]
        empty = await say(double, member, "watchalong list")
        assert "No watch-along in this server yet" in empty.embeds[0]["description"]

        choices = await double.autocomplete(mod, "watchalong set", {"series": "watch"}, "series")
        assert [c["name"] for c in choices][:1] == ["Watch Show"]

        role = double.add_role(guild, "Watchers")
        done = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes, "role": role, "days": 3})
        assert done.ephemeral and "Watch-along of **Watch Show** set" in done.content, done.content
        assert f"threads in <#{episodes.id}>, pinging <@&{role.id}>, rating open 3 day(s)" in done.content
        assert "3 episode thread(s) planned" in done.content  # E1, E2 and E4; E3 has only a day
        again = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": forum, "rating": False})
        assert "Watch-along of **Watch Show** replaced" in again.content and "It replaces the previous one" in again.content
        listing = (await say(double, member, "watchalong list")).embeds[0]["description"]
        assert listing == f"**Watch Show**: threads in <#{forum.id}>, no ping, no rating", listing
        rows = await bot.query("SELECT channel_id FROM watchalong_threads ORDER BY air_at")
        assert [r[0] for r in rows] == [forum.id] * 3  # moved with the setting, nothing posted yet

        not_mod = await say(double, member, "watchalong stop", {"series": "Watch Show"})
        assert "Manage Server" in not_mod.content
        stopped = await say(double, mod, "watchalong stop", {"series": "Watch Show"})
        assert "stopped" in stopped.content
        assert await bot.query("SELECT count(*) FROM watchalong_threads") == [(0,)]
        assert await bot.query("SELECT count(*) FROM timers WHERE kind = 'watchalong-post' AND state = 'pending'") == [(0,)]
        twice = await say(double, mod, "watchalong stop", {"series": "Watch Show"})
        assert "has no watch-along of **Watch Show**" in twice.content
    finally:
        await bot.stop()


async def test_a_thread_at_the_instant_once_with_the_role_ping_and_working_buttons(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    e1, e2 = instant(12), instant(15)
    bot = await watching_bot(double, tmp_path, pack_text(e1, e2), database_url)
    try:
        guild, mod = await server(double)
        episodes = guild.channel("episodes")
        role = double.add_role(guild, "Watchers")
        await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes, "role": role})
        # Discord answers the first thread creation with a 429: discord.py waits and tries again.
        limited = double.inject(r"/channels/\d+/messages/\d+/threads$", method="POST", status=429, retry_after=0.5)

        await eventually(lambda: len(double.threads_in(episodes)) == 2, 40, "the two threads")
        assert limited.count == 0 and len(limited.hits) == 1
        await asyncio.sleep(1.5)  # a second thread or starter would land here
        first, second = double.threads_in(episodes)
        assert (first.name, second.name) == ("S01E01 · Pilot", "S01E02 · Second Wind")
        starter = double.starter_message(first)
        assert starter.channel_id == episodes.id and starter.content.startswith(
            f"<@&{role.id}> 📺 **Watch Show** S01E01 airs <t:{stamp(e1)}:F>"
        ), starter.content
        assert starter.pings == [f"<@&{role.id}>"] and starter.allowed_mentions is not None
        assert starter.allowed_mentions.get("roles") == [str(role.id)] and starter.allowed_mentions.get("parse") == []
        late = (datetime.fromisoformat(starter.created_at) - e1).total_seconds()
        assert 0 <= late < 2, late
        posted = [m for m in double.channel_messages(episodes) if m.interaction_id is None]
        assert len(posted) == 2  # one starter per episode, nothing else
        assert [b["label"] for b in starter.buttons()] == ["I've watched", "1", "2", "3", "4", "5"]

        fan, other = double.add_member(guild, "fan"), double.add_member(guild, "other")
        watched = await (await double.press(fan, starter, "I've watched")).reply()
        assert watched.ephemeral and "Marked **S01E01** as watched" in watched.content, watched.content
        rated = await (await double.press(fan, starter, "3")).reply()
        assert "You rated **S01E01** 3/5" in rated.content
        changed = await (await double.press(fan, starter, "4")).reply()
        assert "changed from 3/5" in changed.content
        await (await double.press(other, starter, "5")).reply()
        assert await bot.query("SELECT count(*), avg(stars) FROM episode_ratings WHERE release_id = ?",
                               (await _release_id(bot, 1),)) == [(2, 4.5)]
        rows = await bot.query("SELECT thread_id, message_id FROM watchalong_threads ORDER BY air_at")
        assert rows[:2] == [(first.id, first.id), (second.id, second.id)]
        close_timers = await bot.query("SELECT count(*) FROM timers WHERE kind = 'watchalong-close' AND state = 'pending'")
        assert close_timers == [(2,)]
    finally:
        await bot.stop()


async def _release_id(bot: BotProcess, episode: int) -> int:
    rows = await bot.query("SELECT id FROM releases WHERE episode = ? AND season_number = 1", (episode,))
    return int(rows[0][0])


async def test_ratings_closed_after_days_on_archived_threads(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    e1 = instant(12)
    bot = await watching_bot(double, tmp_path, pack_text(e1, instant(86400)), database_url)
    try:
        guild, mod = await server(double)
        texts, mod_texts = await server(double, "Texts")
        forum, text = guild.channel("forum"), texts.channel("episodes")
        await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": forum, "days": 2})
        await say(double, mod_texts, "watchalong set", {"series": "Watch Show", "channel": text, "days": 1})
        await eventually(lambda: len(double.threads_in(forum)) == 1 and len(double.threads_in(text)) == 1, 40, "the posts")
        [post], [thread] = double.threads_in(forum), double.threads_in(text)
        await (await double.press(double.add_member(texts, "fan"), double.starter_message(thread), "2")).reply()
        starter = double.starter_message(post)
        assert post.name == "S01E01 · Pilot" and starter.channel_id == post.id
        assert starter.pings == [] and starter.allowed_mentions == {"parse": []}, starter.allowed_mentions
        fans = [double.add_member(guild, f"fan{i}") for i in range(3)]
        for fan, stars in zip(fans, ("5", "4", "4"), strict=True):
            await (await double.press(fan, starter, stars)).reply()
    finally:
        await bot.stop()

    # Two days pass while the bot is away; Discord archives the idle post and thread meanwhile.
    await double.archive_thread(post.id, tell_bot=False)
    await double.archive_thread(thread.id, tell_bot=False)
    past = to_text(datetime.now(UTC) - timedelta(seconds=1))
    await bot.execute("UPDATE watchalong_threads SET closes_at = ?", (past,))
    await bot.execute("UPDATE timers SET due_at = ?, first_due_at = ? WHERE kind = 'watchalong-close'", (past, past))
    edits_before = len(double.thread_edits)
    await bot.start()
    try:
        await eventually(
            lambda: all(b.get("disabled") for b in double.starter_message(post).buttons()[1:])
            and len(double.thread_edits) - edits_before == 2,
            30, "the closing edit, and the post archived again",
        )
        closed = double.starter_message(post)
        assert closed.content.endswith("\n⭐ Rating closed — **4.3/5** from 3 members."), closed.content
        assert closed.buttons()[0].get("disabled") is not True  # "I've watched" still works
        assert post.thread is not None and post.thread.archived  # left as it was
        assert [body.get("archived") for _, body in double.thread_edits[edits_before:]] == [False, True]
        await asyncio.sleep(1.0)
        assert double.starter_message(post).edits == closed.edits  # closed once
        late = await (await double.press(fans[0], closed, "I've watched")).reply()
        assert "Marked **S01E01** as watched" in late.content  # a press in an archived post is answered
        # A star pressed on a starter shown before the close (a client not yet refreshed): refused, nothing stored.
        refused = await (await double.press(double.add_member(guild, "latecomer"), closed, "5")).reply()
        assert refused.ephemeral and "The rating of this episode has closed" in refused.content, refused.content
        assert await bot.query("SELECT count(*) FROM episode_ratings WHERE guild_id = ?", (guild.id,)) == [(3,)]
        # A text channel's starter sits in the channel: edited as it is, its thread left archived, untouched.
        await eventually(lambda: double.starter_message(thread).content.endswith("**2.0/5** from 1 member."), 10, "the text close")
        assert all(b.get("disabled") for b in double.starter_message(thread).buttons()[1:])
        assert thread.thread is not None and thread.thread.archived and len(double.thread_edits) - edits_before == 2
        assert await bot.query("SELECT count(*) FROM watchalong_threads WHERE closed_at IS NOT NULL") == [(2,)]
    finally:
        await bot.stop()


async def test_a_restart_across_the_instant_posts_late_once_and_servers_stay_apart(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    e1 = instant(14)
    bot = await watching_bot(double, tmp_path, pack_text(e1, instant(86400)), database_url)
    try:
        one, mod_one = await server(double, "One")
        two, mod_two = await server(double, "Two")
        await say(double, mod_one, "watchalong set", {"series": "Watch Show", "channel": one.channel("episodes")})
        await say(double, mod_two, "watchalong set", {"series": "Watch Show", "channel": two.channel("forum"), "rating": False})
        listing = (await say(double, mod_two, "watchalong list")).embeds[0]["description"]
        assert listing == f"**Watch Show**: threads in <#{two.channel('forum').id}>, no ping, no rating", listing
    finally:
        await bot.stop()
    await asyncio.sleep(max(0.0, (e1 - datetime.now(UTC)).total_seconds()) + 2)  # the instant passes while down
    assert double.threads_in(one.channel("episodes")) == [] and double.threads_in(two.channel("forum")) == []
    await bot.start()
    try:
        await eventually(
            lambda: len(double.threads_in(one.channel("episodes"))) == 1 and len(double.threads_in(two.channel("forum"))) == 1,
            30, "the late threads",
        )
        await asyncio.sleep(1.5)
        [text_thread] = double.threads_in(one.channel("episodes"))
        [forum_post] = double.threads_in(two.channel("forum"))
        assert text_thread.guild_id == one.id and forum_post.guild_id == two.id
        assert [b["label"] for b in double.starter_message(forum_post).buttons()] == ["I've watched"]  # rating off there
        assert double.threads_in(one.channel("forum")) == [] and double.threads_in(two.channel("episodes")) == []
        rows = await bot.query("SELECT guild_id, thread_id FROM watchalong_threads WHERE posted_at IS NOT NULL ORDER BY guild_id")
        assert sorted(rows) == sorted([(one.id, text_thread.id), (two.id, forum_post.id)])
        assert await bot.query("SELECT guild_id FROM timers WHERE kind = 'watchalong-close'") == [(one.id,)]
    finally:
        await bot.stop()
    await bot.start()  # and once more: nothing is posted twice
    try:
        await asyncio.sleep(2.0)
        assert len(double.threads_in(one.channel("episodes"))) == 1 and len(double.threads_in(two.channel("forum"))) == 1
    finally:
        await bot.stop()


async def test_a_moved_episode_moves_its_thread_and_a_removed_one_cancels_it(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    e1, e2 = instant(3 * 86400), instant(5 * 86400)
    bot = await watching_bot(double, tmp_path, pack_text(e1, e2), database_url)
    try:
        guild, mod = await server(double)
        episodes = guild.channel("episodes")
        await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes})
        assert len(await bot.query("SELECT release_id FROM watchalong_threads")) == 3
        moved = instant(15)
        pack = tmp_path / "watching.yaml"
        pack.write_text(pack_text(moved, e2, without_e2=True), encoding="utf-8")
        status, out = await bot.db_cli("import", str(pack))
        assert status == 0, out
        e1_id = await _release_id(bot, 1)
        await eventually(lambda: len(double.threads_in(episodes)) == 1, 40, "the thread at the new instant")
        [thread] = double.threads_in(episodes)
        assert thread.name == "S01E01 · Pilot" and f"<t:{stamp(moved)}:F>" in double.starter_message(thread).content
        late = (datetime.fromisoformat(double.starter_message(thread).created_at) - moved).total_seconds()
        assert 0 <= late < 2, late
        rows = await bot.query("SELECT release_id, air_at, posted_at IS NOT NULL FROM watchalong_threads ORDER BY air_at")
        assert (rows[0][0], rows[0][2]) == (e1_id, True) and rows[0][1] == to_text(moved)
        assert len(rows) == 2  # E2 removed: its planned thread went; E4 stays planned
        states = await bot.query("SELECT state, count(*) FROM timers WHERE kind = 'watchalong-post' GROUP BY state ORDER BY state")
        assert states == [("cancelled", 2), ("done", 1), ("pending", 1)], states  # E1's old instant and E2; E1 posted; E4
    finally:
        await bot.stop()


async def test_refusals_at_the_instant_are_logged_not_retried_and_never_post_twice(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    e1 = instant(14)
    bot = await watching_bot(double, tmp_path, pack_text(e1, instant(86400)), database_url)
    try:
        threads_gone, mod_one = await server(double, "No threads")
        posts_gone, mod_two = await server(double, "No posts")
        text, forum = threads_gone.channel("episodes"), posts_gone.channel("forum")
        await say(double, mod_one, "watchalong set", {"series": "Watch Show", "channel": text})
        await say(double, mod_two, "watchalong set", {"series": "Watch Show", "channel": forum})
        # After the setting, moderators take permissions away: threads in one server, forum posts in the other.
        await double.revoke_channel(text, what="create_threads", tell_bot=True)
        await double.revoke_channel(forum, what="send", tell_bot=True)
        # A third server's thread meets a 503 (discord.py does not retry it): the scheduler does, later.
        flaky, mod_three = await server(double, "Flaky")
        flaky_text = flaky.channel("episodes")
        await say(double, mod_three, "watchalong set", {"series": "Watch Show", "channel": flaky_text})
        unavailable = double.inject(rf"/channels/{flaky_text.id}/messages/\d+/threads$", method="POST", status=503)
        await eventually(lambda: len([m for m in double.channel_messages(text) if m.interaction_id is None]) == 1, 40, "the starter")
        await asyncio.sleep(2.0)
        [starter] = [m for m in double.channel_messages(text) if m.interaction_id is None]
        assert double.threads_in(text) == [] and double.threads_in(forum) == []
        assert starter.buttons()[0]["label"] == "I've watched"  # the starter stays, its buttons work
        found = await bot.query(
            "SELECT guild_id, thread_id, message_id, posted_at IS NOT NULL FROM watchalong_threads WHERE air_at = ?", (to_text(e1),)
        )
        rows = {r[0]: (r[1], r[2], r[3]) for r in found}
        assert rows[threads_gone.id] == (None, starter.id, True)  # kept, never unclaimed: a repeat would post twice
        assert rows[posts_gone.id] == (None, None, False)  # nothing reached Discord: the claim was given back
        timers = await bot.query(
            "SELECT guild_id, kind, state, attempts FROM timers WHERE kind LIKE 'watchalong%' AND guild_id IS NOT NULL "
            "AND (kind = 'watchalong-close' OR due_at = ?) ORDER BY guild_id, kind", (to_text(e1),)
        )
        assert sorted(t for t in timers if t[0] != flaky.id) == sorted([
            (threads_gone.id, "watchalong-close", "pending", 0),  # its rating still closes
            (threads_gone.id, "watchalong-post", "failed", 1),
            (posts_gone.id, "watchalong-post", "failed", 1),
        ]), timers
        rated = await (await double.press(double.add_member(threads_gone, "fan"), starter, "5")).reply()
        assert "You rated **S01E01** 5/5" in rated.content

        await eventually(lambda: len(double.threads_in(flaky_text)) == 1, 30, "the thread after the 503")
        await asyncio.sleep(1.0)
        [thread] = double.threads_in(flaky_text)
        assert len(unavailable.hits) == 1 and thread.name == "S01E01 · Pilot"
        assert [m.id for m in double.channel_messages(flaky_text) if m.interaction_id is None] == [thread.id]  # one starter
        assert await bot.query("SELECT thread_id, message_id FROM watchalong_threads WHERE guild_id = ? AND air_at = ?",
                               (flaky.id, to_text(e1))) == [(thread.id, thread.id)]
        assert await bot.query("SELECT state, attempts FROM timers WHERE guild_id = ? AND kind = 'watchalong-post' AND first_due_at = ?",
                               (flaky.id, to_text(e1))) == [("done", 2)]
    finally:
        await bot.stop()
    assert "Discord refused the thread" in bot.log() and "refused the post" in bot.log()


async def test_an_episode_a_moderator_moves_later_is_not_posted_at_its_old_instant(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    """`/release set` (this server's own date) re-plans the server's watch-alongs at once: the old
    instant's timer is cancelled, the new one waits, and nothing is posted at the old instant."""
    double = fresh_double
    e1, e2 = instant(3600), instant(12)
    bot = await watching_bot(double, tmp_path, pack_text(e1, e2), database_url)
    try:
        guild, mod = await server(double)
        episodes = guild.channel("episodes")
        await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes})
        later = instant(2 * 86400)
        moved = await say(double, mod, "release set", {"title": "Watch Show s1e2", "date": later.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                       "timezone": "UTC"})
        assert moved.ephemeral and moved.content.startswith("Moved"), moved.content
        e2_id = await _release_id(bot, 2)
        timers = await bot.query(
            "SELECT state, due_at FROM timers WHERE kind = 'watchalong-post' AND payload LIKE ? ORDER BY id",
            (f'%"release_id": {e2_id},%',),
        )
        assert timers == [("cancelled", to_text(e2)), ("pending", to_text(later))], timers
        await asyncio.sleep(max(0.0, (e2 - datetime.now(UTC)).total_seconds()) + 1.0)
        assert double.threads_in(episodes) == []
        rows = await bot.query("SELECT air_at, posted_at FROM watchalong_threads WHERE release_id = ?", (e2_id,))
        assert rows == [(to_text(later), None)], rows
    finally:
        await bot.stop()


async def test_an_episode_a_moderator_moves_earlier_gets_its_thread_at_the_new_instant(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    bot = await watching_bot(double, tmp_path, pack_text(instant(3600), instant(7200)), database_url)
    try:
        guild, mod = await server(double)
        episodes = guild.channel("episodes")
        await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": episodes})
        sooner = instant(8)
        await say(double, mod, "release set", {"title": "Watch Show s1e2", "date": sooner.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                               "timezone": "UTC"})
        for _ in range(200):
            if double.threads_in(episodes):
                break
            await asyncio.sleep(0.1)
        [thread] = double.threads_in(episodes)
        assert thread.name.startswith("S01E02")
    finally:
        await bot.stop()


async def test_many_servers_at_one_minute_each_get_their_thread_once(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    """Twenty servers, one episode airing in all of them at once: every thread posted, once, on time
    (the bench runs 500)."""
    double = fresh_double
    e1 = instant(20)
    bot = await watching_bot(double, tmp_path, pack_text(e1, instant(86400)), database_url)
    try:
        servers = [await server(double, f"Server {i}") for i in range(20)]
        for i, (guild, mod) in enumerate(servers):
            where = guild.channel("forum" if i % 2 else "episodes")
            await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": where})
        parents = [guild.channel("forum" if i % 2 else "episodes") for i, (guild, _) in enumerate(servers)]
        await eventually(lambda: all(len(double.threads_in(p)) == 1 for p in parents), 40, "twenty threads")
        await asyncio.sleep(1.5)
        assert all(len(double.threads_in(p)) == 1 for p in parents)
        for parent in parents:
            [thread] = double.threads_in(parent)
            late = (datetime.fromisoformat(double.starter_message(thread).created_at) - e1).total_seconds()
            record("watch-along thread lateness after the air instant, 20 servers, ms", late * 1000)
            assert 0 <= late < 3, late
    finally:
        await bot.stop()


async def test_two_processes_each_thread_once_whichever_process_delivers_it(
    postgres_databases: PostgresDatabases, tmp_path: Path
) -> None:
    """Two processes, a shard each, one PostgreSQL store: a timer is claimed by whichever process is
    free, not the one serving its server's shard; the post still goes out, once per server."""
    double = await new_double(shards=2, max_concurrency=2)
    url = await postgres_databases.fresh(migrated=False)
    pack = tmp_path / "watching.yaml"
    e1 = instant(25)
    pack.write_text(pack_text(e1, instant(86400)), encoding="utf-8")
    bots = [
        BotProcess(double, tmp_path / f"process-{i}", env={"FACT_PACKS": str(pack), "SHARD_COUNT": "2", "SHARD_IDS": str(i)},
                   database_url=url)
        for i in range(2)
    ]
    try:
        for bot in bots:
            await bot.start()
        servers = []
        for i in range(8):
            guild = await double.add_guild(f"Server {i}", channels=("general", "episodes"), forums=("forum",), shard=i % 2)
            servers.append((guild, double.add_member(guild, "mod", permissions=MOD)))
        parents = []
        for i, (guild, mod) in enumerate(servers):
            parents.append(guild.channel("forum" if i % 4 < 2 else "episodes"))
            done = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": parents[-1]})
            assert "set" in done.content, done.content
        await eventually(lambda: all(len(double.threads_in(p)) == 1 for p in parents), 45, "a thread in every server")
        await asyncio.sleep(2.0)
        assert all(len(double.threads_in(p)) == 1 for p in parents)
        starters = [m for p in parents if p.type == 0 for m in double.channel_messages(p) if m.interaction_id is None]
        assert len(starters) == 4  # one starter per text channel, nothing posted twice
        rows = await bots[0].query("SELECT count(*) FROM watchalong_threads WHERE thread_id IS NOT NULL AND air_at = ?", (to_text(e1),))
        assert rows == [(8,)]
        # Each post is logged by the process that made it; between them, every server once (often a
        # process posts for a server on the other's shard: its channel fetched, not cached).
        posted = [int(g) for bot in bots for g in re.findall(r"\(watchalong:(\d+):\d+:\d+\) done", bot.log())]
        assert sorted(posted) == sorted(guild.id for guild, _ in servers)
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots if bot.running), return_exceptions=True)
        await double.close()


async def test_a_forum_that_requires_a_tag_is_refused_at_set(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    double = fresh_double
    bot = await watching_bot(double, tmp_path, pack_text(instant(3600), instant(7200)), database_url)
    try:
        guild, mod = await server(double, "Tagged")
        forum = guild.channel("forum")
        forum.flags = 1 << 4  # REQUIRE_TAG: Discord refuses (40067) a post without a tag
        await double.update_channel(forum)
        await asyncio.sleep(0.2)
        refused = await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": forum})
        assert refused.ephemeral and "requires a tag on every post" in refused.content, refused.content
        assert "Nothing was changed" in refused.content
        assert await bot.query("SELECT count(*) FROM watchalongs WHERE guild_id = ?", (guild.id,)) == [(0,)]
    finally:
        await bot.stop()


async def test_an_attempt_that_ended_between_its_claim_and_its_post_is_resumed_once(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    """A crash (or the delivery timeout) after the row was claimed and before the post was recorded:
    the timer's next delivery sends the starter again with the same nonce and opens the thread, once."""
    double = fresh_double
    e1 = instant(25)  # the bot must be stopped before the timer is claimed (LEAD ahead), even if it starts slowly
    bot = await watching_bot(double, tmp_path, pack_text(e1, instant(86400)), database_url)
    try:
        guild, mod = await server(double, "Resumed")
        await say(double, mod, "watchalong set", {"series": "Watch Show", "channel": guild.channel("episodes")})
    finally:
        await bot.stop()
    first = await _release_id(bot, 1)
    await bot.execute("UPDATE watchalong_threads SET posted_at = air_at WHERE guild_id = ? AND release_id = ?",
                      (guild.id, first))  # claimed by an attempt that ended there: nothing went out
    await asyncio.sleep(max(0.0, (e1 - datetime.now(UTC)).total_seconds()) + 1)
    await bot.start()
    try:
        await eventually(lambda: len(double.threads_in(guild.channel("episodes"))) == 1, 30, "the resumed thread")
        await asyncio.sleep(1.0)
        [thread] = double.threads_in(guild.channel("episodes"))
        assert thread.name == "S01E01 · Pilot"
        rows = await bot.query("SELECT thread_id, message_id FROM watchalong_threads WHERE guild_id = ? AND release_id = ?",
                               (guild.id, first))
        assert rows == [(thread.id, double.starter_message(thread).id)], rows
    finally:
        await bot.stop()
