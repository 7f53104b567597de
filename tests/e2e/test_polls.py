"""Ship, pairing and custom polls through the double: buttons, votes, tallies, closing, charts."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.facts.instants import to_text
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually
from tests.figures import record

BACKENDS = ("sqlite", "postgresql")  # the same tests on each store (tests/e2e/conftest.py)

def votes_field(message: FakeMessage) -> str:
    return next(f["value"] for f in message.embeds[0]["fields"] if f["name"] in ("Votes", "Final result"))


def poll_id(message: FakeMessage) -> int:
    match = re.search(r"Poll #(\d+)", message.embeds[0]["footer"]["text"])
    assert match
    return int(match.group(1))


async def test_a_ship_poll_takes_votes_and_keeps_its_tally(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll ship", {"first": "Jessica", "second": "Luke Cage"})
    assert not poll.ephemeral and poll in double.channel_messages(guild.text_channel)
    embed = poll.embeds[0]
    assert "Will Jessica Jones and Luke Cage end up together?" in embed["description"]
    assert "On screen: romance (ended), romance (broke up), alliance" in embed["description"]
    assert "In the comics: romance (married)" in embed["description"]
    assert [b["label"] for b in poll.buttons()] == ["Yes", "No", "It's complicated"]
    assert all(re.fullmatch(r"poll:\d+:\d", b["custom_id"]) for b in poll.buttons())
    assert "<t:" in next(f["value"] for f in embed["fields"] if f["name"] == "Closes")

    press = await double.press(member, poll, "Yes")
    confirmation = await press.reply()
    assert confirmation.ephemeral and re.fullmatch(r"Your vote: \*\*Yes\*\* — you can change it until <t:\d+:R>\.", confirmation.content)
    assert press.latency is not None and press.latency < 3
    await eventually(lambda: "Yes — 1 vote (100%)" in votes_field(poll), 5, "the tally edit")
    moved = await (await double.press(member, poll, "No")).reply()
    assert "**No** (changed from Yes)" in moved.content
    await eventually(lambda: "No — 1 vote (100%)" in votes_field(poll) and "Yes — 0 votes (0%)" in votes_field(poll), 5, "the moved vote")
    again = await (await double.press(member, poll, "No")).reply()
    assert "(unchanged)" in again.content


async def test_two_hundred_concurrent_voters_are_counted_exactly_with_coalesced_edits(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot
) -> None:
    poll = await say(
        double, member, "poll create", {"question": "Best Defenders season?", "options": "Daredevil; Jessica Jones; Luke Cage"}
    )
    labels = ["Daredevil", "Jessica Jones", "Luke Cage"]
    voters = [double.add_member(guild, f"fan{i}") for i in range(200)]
    final = {i: (i + 1) % 3 if i % 5 == 0 else i % 3 for i in range(200)}
    started = time.monotonic()
    first_round = await asyncio.gather(*(double.send_press(v, poll, labels[i % 3]) for i, v in enumerate(voters)))
    await asyncio.gather(*(r.reply() for r in first_round))
    second_round = [double.send_press(v, poll, labels[final[i]]) for i, v in enumerate(voters) if i % 5 == 0]
    second_round += [double.send_press(v, poll, labels[final[i]]) for i, v in enumerate(voters) if i % 7 == 0]  # pressed twice
    second = await asyncio.gather(*second_round)
    await asyncio.gather(*(r.reply() for r in second))
    elapsed = time.monotonic() - started
    presses = list(first_round) + list(second)
    assert all(r.callback_type == 4 and r.original and r.original.ephemeral for r in presses)  # each got its confirmation
    latencies = [r.latency * 1000 for r in presses if r.latency is not None]
    record("vote ack latency (200 concurrent voters), ms", *latencies)
    record("vote presses acknowledged per second (200 concurrent voters)", len(presses) / elapsed)
    assert max(latencies) < 3000

    expected = [sum(1 for c in final.values() if c == k) for k in range(3)]
    lines = [f"{labels[k]} — {expected[k]} votes ({round(expected[k] / 2)}%)" for k in range(3)]
    await eventually(lambda: all(line in votes_field(poll) for line in lines) and "200 voters" in votes_field(poll), 10, "the final tally")
    await asyncio.sleep(2.5)  # nothing more is coming
    edits = [r.at for r in double.requests if r.method == "PATCH" and r.path.endswith(f"/messages/{poll.id}")]
    gaps = [b - a for a, b in itertools.pairwise(edits)]
    record(f"tally edits of one poll for {len(presses)} presses in {elapsed:.2f} s", len(edits))
    if gaps:
        record("seconds between consecutive tally edits of one poll", *gaps)
    assert all(gap >= 0.9 for gap in gaps), gaps  # about one edit a second at most, whatever the rate
    assert all(line in votes_field(poll) for line in lines)  # the last edit has every committed vote
    stored = await bot.query("SELECT count(*), count(DISTINCT user_id) FROM votes WHERE poll_id = ?", (poll_id(poll),))
    assert stored == [(200, 200)]  # one vote each


async def test_pairing_polls_offer_every_love_interest(double: DiscordDouble, member: FakeMember) -> None:
    poll = await say(double, member, "poll pairing", {"character": "Luke Cage"})
    assert "Who should Luke Cage end up with?" in poll.embeds[0]["description"]
    assert sorted(b["label"] for b in poll.buttons()) == ["Claire Temple", "Jessica Jones"]
    refused = await say(double, member, "poll pairing", {"character": "Jessica Jones"})
    assert refused.ephemeral and "only Luke Cage is linked romantically to Jessica Jones" in refused.content
    nobody = await say(double, member, "poll pairing", {"character": "Foggy"})
    assert "nobody is linked romantically" in nobody.content


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"question": "Q?", "options": "Only one"}, "2 to 25 options"),
        ({"question": "Q?", "options": "A; ; B"}, "none may be blank"),
        ({"question": "Q?", "options": "A; a"}, "listed twice"),
        ({"question": "Q?", "options": "; ".join(str(i) for i in range(26))}, "2 to 25 options separated by `;` (you gave 26)"),
        ({"question": "Q?", "options": "A; " + "x" * 81}, "at most 80 characters"),
        ({"question": "x" * 301, "options": "A; B"}, "1–300 visible characters"),
        ({"question": "   ", "options": "A; B"}, "1–300 visible characters"),
        ({"question": "Q?", "options": "A; B", "duration": "forever"}, "`30m`"),
        ({"question": "Q?", "options": "A; B", "duration": "30s"}, "1 minute to 30 days"),
        ({"question": "Q?", "options": "A; B", "duration": "31d"}, "1 minute to 30 days"),
    ],
)
async def test_bad_poll_input_is_refused_and_posts_nothing(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, options: dict, says: str
) -> None:
    reply = await say(double, member, "poll create", options)
    assert reply.ephemeral and says in reply.content
    assert double.channel_messages(guild.text_channel) == []


async def test_poll_text_never_pings(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": "@everyone @here vote <@&1> <@2>!", "options": "@everyone; <@&1>"})
    assert poll.pings == []
    await (await double.press(member, poll, "@everyone")).reply()
    close = await say(double, member, "poll close", {"poll": str(poll_id(poll))})
    assert close.ephemeral
    await eventually(lambda: any("closed" in m.content for m in double.channel_messages(guild.text_channel)), 5, "the result")
    assert all(m.pings == [] for m in double.channel_messages(guild.text_channel))


async def test_ship_info_groups_canon_with_sources_and_offers_a_poll_when_nothing_is_known(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember
) -> None:
    info = (await say(double, member, "ship info", {"first": "Jessica Jones", "second": "Luke"})).embeds[0]
    names = [f["name"] for f in info["fields"]]
    assert names == ["On screen", "In the comics", "Rumoured", "Polls in this server", "Sources"]
    assert "**romance** (married) — Married, with a kid, in the comics." in info["fields"][1]["value"]
    assert re.search(r"\[\d\]", info["fields"][0]["value"]) and info["fields"][-1]["name"] == "Sources"
    assert "None yet" in info["fields"][3]["value"]

    unknown = await say(double, member, "ship info", {"first": "Foggy Nelson", "second": "Kilgrave"})
    assert "knows no relationship between Foggy Nelson and Kilgrave" in unknown.embeds[0]["description"]
    started = await (await double.press(member, unknown, "Start a ship poll")).reply()
    assert not started.ephemeral and "Will Foggy Nelson and Kilgrave end up together?" in started.embeds[0]["description"]
    same = await say(double, member, "ship info", {"first": "Daredevil", "second": "Matt Murdock"})
    assert same.ephemeral and "two different characters" in same.content


async def test_hidden_results_stay_hidden_until_close_and_results_come_with_a_chart(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember
) -> None:
    poll = await say(double, member, "poll create", {"question": "Secret ballot?", "options": "Aye; Nay", "hide_results": True})
    for i in range(3):
        await (await double.press(double.add_member(guild, f"s{i}"), poll, "Aye")).reply()
    await asyncio.sleep(1.5)
    assert votes_field(poll) == "Results are hidden until the poll closes."
    hidden = await say(double, member, "poll results", {"poll": str(poll_id(poll))})
    assert hidden.ephemeral and "hidden until it closes" in hidden.content
    await say(double, member, "poll close", {"poll": str(poll_id(poll))})
    await eventually(lambda: "Aye — 3 votes (100%)" in votes_field(poll), 5, "the revealed tally")
    assert all(b.get("disabled") for b in poll.buttons())
    results = await (await double.command(member, "poll results", {"poll": "secret"})).reply()
    assert results.files and (png := results.files[f"poll-{poll_id(poll)}.png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 2000 and results.embeds[0]["image"]["url"] == f"attachment://poll-{poll_id(poll)}.png"
    assert "Aye — 3 votes (100%)" in results.embeds[0]["fields"][0]["value"]
    late = await (await double.press(member, poll, "Nay")).reply()
    assert late.ephemeral and late.content == "This poll has closed."


async def test_only_the_creator_or_manage_messages_may_close(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": "Who closes?", "options": "Me; You"})
    stranger = double.add_member(guild, "stranger")
    refused = await say(double, stranger, "poll close", {"poll": str(poll_id(poll))})
    assert refused.ephemeral and "Manage Messages" in refused.content
    assert poll.buttons()[0].get("disabled") is not True
    mod = double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_MESSAGES)
    closed = await say(double, mod, "poll close", {"poll": str(poll_id(poll))})
    assert closed.ephemeral and "Closed" in closed.content
    again = await say(double, member, "poll close", {"poll": str(poll_id(poll))})
    assert "already closed" in again.content


async def test_polls_belong_to_their_guild(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": "Ours only?", "options": "Yes; No"})
    pid = str(poll_id(poll))
    other = await double.add_guild("Elsewhere")
    outsider = double.add_member(other, "outsider", permissions=Permissions.MEMBER | Permissions.MANAGE_MESSAGES)
    assert await double.autocomplete(outsider, "poll results", {"poll": ""}, "poll") == []
    for command in ("poll results", "poll close"):
        reply = await say(double, outsider, command, {"poll": pid})
        assert reply.ephemeral and "No poll in this server" in reply.content
    ours = await double.autocomplete(member, "poll close", {"poll": "ours"}, "poll")
    assert ours[0]["value"] == pid and "Ours only?" in ours[0]["name"]
    assert poll.buttons()[0].get("disabled") is not True


async def test_the_leaderboard_ranks_ships_without_letting_one_vote_win(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember
) -> None:
    empty = (await say(double, member, "ship leaderboard")).embeds[0]
    assert "No ship polls" in empty["description"]
    popular = await say(double, member, "poll ship", {"first": "Luke Cage", "second": "Claire Temple"})
    lonely = await say(double, member, "poll ship", {"first": "Matt", "second": "Elektra"})
    fans = [double.add_member(guild, f"shipper{i}") for i in range(10)]
    pressed = await asyncio.gather(*(double.send_press(f, popular, "Yes" if i < 8 else "No") for i, f in enumerate(fans)))
    await asyncio.gather(*(p.reply() for p in pressed))
    await (await double.press(fans[0], lonely, "Yes")).reply()
    board = (await say(double, member, "ship leaderboard")).embeds[0]["description"]
    assert board.index("Luke Cage × Claire Temple") < board.index("Matt Murdock × Elektra")  # 80% of 10 beats 100% of 1
    assert "80% Yes of 10 votes" in board and "100% Yes of 1 vote · 1 poll *(early days)*" in board
    info = (await say(double, member, "ship info", {"first": "Claire", "second": "Luke"})).embeds[0]
    record = next(f["value"] for f in info["fields"] if f["name"] == "Polls in this server")
    assert "1 poll; latest" in record and "**Yes** with 8 votes of 10 (80%)" in record


async def test_votes_survive_a_restart_and_the_poll_closes_itself_on_time(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot = BotProcess(fresh_double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await fresh_double.add_guild()
    creator = fresh_double.add_member(guild, "creator")
    poll = await say(fresh_double, creator, "poll ship", {"first": "Jessica Jones", "second": "Luke Cage", "duration": "1m"})
    closes_field = next(f["value"] for f in poll.embeds[0]["fields"] if f["name"] == "Closes")
    deadline = int(re.search(r"<t:(\d+):F>", closes_field).group(1))  # type: ignore[union-attr]
    closes_at = time.monotonic() + (deadline - time.time())
    before = [fresh_double.add_member(guild, f"early{i}") for i in range(30)]
    pressed = await asyncio.gather(*(fresh_double.send_press(v, poll, "Yes") for v in before))
    await asyncio.gather(*(p.reply() for p in pressed))

    assert await bot.stop() == 0
    await bot.start()  # no view is registered per poll: the old message's buttons just work
    after = [fresh_double.add_member(guild, f"late{i}") for i in range(20)]
    pressed = await asyncio.gather(*(fresh_double.send_press(v, poll, "It's complicated") for v in after))
    confirmations = await asyncio.gather(*(p.reply() for p in pressed))
    assert all("Your vote: **It's complicated**" in c.content for c in confirmations)
    changed = await (await fresh_double.press(before[0], poll, "No")).reply()
    assert "changed from Yes" in changed.content

    await eventually(
        lambda: any(f["name"] == "Final result" for f in poll.embeds[0]["fields"]), closes_at - time.monotonic() + 15, "the automatic close"
    )
    closed_at = datetime.fromisoformat(poll.edited_at or "").timestamp()
    record("poll closing edit after its deadline, ms", (closed_at - deadline) * 1000)
    assert -1 < closed_at - deadline < 5
    assert votes_field(poll).splitlines()[:3] == ["Yes — 29 votes (58%)", "No — 1 vote (2%)", "It's complicated — 20 votes (40%)"]
    assert all(b.get("disabled") for b in poll.buttons())

    def results() -> list[FakeMessage]:
        return [m for m in fresh_double.channel_messages(guild.text_channel) if m.content.startswith(f"📊 Poll #{poll_id(poll)} closed")]

    await eventually(lambda: len(results()) == 1, 5, "the result post, which follows the final edit")
    assert len(results()) == 1 and "**Yes** with 29 votes of 50 (58%)" in results()[0].content
    late = await (await fresh_double.press(after[0], poll, "Yes")).reply()
    assert late.ephemeral and late.content == "This poll has closed."
    await bot.stop()


# --- defects found in review: each test below failed before its fix ----------------------------------


async def rewind_poll(bot: BotProcess, poll: int, hours: float) -> None:
    """The bot was down while the poll's deadline passed `hours` ago: move the poll and its timer back."""
    closes = datetime.now(UTC) - timedelta(hours=hours)
    created = closes - timedelta(hours=1)
    await bot.execute("UPDATE polls SET created_at = ?, closes_at = ? WHERE id = ?", (to_text(created), to_text(closes), poll))
    await bot.execute(
        "UPDATE timers SET due_at = ?, first_due_at = ? WHERE delivery_key = ?", (to_text(closes), to_text(closes), f"poll_close:{poll}")
    )


def result_posts(double: DiscordDouble, guild: FakeGuild, poll: FakeMessage) -> list[FakeMessage]:
    return [m for m in double.channel_messages(guild.text_channel) if m.content.startswith(f"📊 Poll #{poll_id(poll)} closed")]


async def own_bot(double: DiscordDouble, tmp_path: Path, database_url: str | None) -> tuple[BotProcess, FakeGuild, FakeMember]:
    """A bot of the test's own (to stop and restart), a guild and a member."""
    bot = BotProcess(double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await double.add_guild()
    return bot, guild, double.add_member(guild, "member")


async def test_a_deadline_that_passed_while_the_bot_was_down_is_still_honoured(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    """Hours late: closed, final card, result posted. Days late: closed and final card, no stale post."""
    bot, guild, member = await own_bot(fresh_double, tmp_path, database_url)
    recent = await say(fresh_double, member, "poll create", {"question": "Closed while we slept?", "options": "Yes; No", "duration": "1d"})
    ship = {"first": "Luke Cage", "second": "Claire Temple", "duration": "1d", "hide_results": True}
    hidden = await say(fresh_double, member, "poll ship", ship)
    await (await fresh_double.press(member, recent, "Yes")).reply()
    await (await fresh_double.press(member, hidden, "Yes")).reply()
    assert await bot.stop() == 0
    await rewind_poll(bot, poll_id(recent), 2)
    await rewind_poll(bot, poll_id(hidden), 72)
    await bot.start()
    await eventually(
        lambda: all(f["name"] == "Final result" for p in (recent, hidden) for f in p.embeds[0]["fields"][:1]), 10, "both polls closed"
    )
    assert all(b.get("disabled") for p in (recent, hidden) for b in p.buttons())
    assert "Yes — 1 vote (100%)" in votes_field(hidden)  # hidden results revealed at last
    await eventually(lambda: len(result_posts(fresh_double, guild, recent)) == 1, 5, "the result post of the poll two hours late")
    await asyncio.sleep(1)
    assert result_posts(fresh_double, guild, hidden) == []  # three days on, a post would only be noise
    board = (await say(fresh_double, member, "ship leaderboard")).embeds[0]["description"]
    assert "Luke Cage × Claire Temple" in board and "100% Yes of 1 vote" in board
    late = await (await fresh_double.press(member, recent, "No")).reply()
    assert late.content == "This poll has closed."
    await bot.stop()


async def test_a_vote_whose_confirmation_is_lost_still_reaches_the_tally(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember
) -> None:
    poll = await say(double, member, "poll create", {"question": "Lost confirmations?", "options": "Yes; No"})
    # Discord answers 503 until the interaction's 3 seconds are over: the confirmation is lost.
    double.inject(r"/interactions/\d+/[^/]+/callback$", status=503, count=2)
    press = await double.send_press(member, poll, "Yes")
    await eventually(lambda: "Yes — 1 vote (100%)" in votes_field(poll), 8, "the tally to count the committed vote")
    assert not press.followups and press.original is None  # no "something went wrong" for a vote that counted


async def test_a_failed_tally_edit_is_retried(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": "Edits that fail?", "options": "Yes; No"})
    double.inject(rf"/channels/\d+/messages/{poll.id}$", method="PATCH", status=503, count=2)
    await (await double.press(member, poll, "No")).reply()
    await eventually(lambda: "No — 1 vote (100%)" in votes_field(poll), 15, "the retried tally edit")


async def test_tally_edits_pending_at_shutdown_are_made_on_the_next_start(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot, _, member = await own_bot(fresh_double, tmp_path, database_url)
    poll = await say(fresh_double, member, "poll create", {"question": "Stale after a restart?", "options": "Yes; No"})
    fresh_double.inject(rf"/channels/\d+/messages/{poll.id}$", method="PATCH", status=503, count=10_000)
    await (await fresh_double.press(member, poll, "Yes")).reply()
    await asyncio.sleep(1.5)
    assert await bot.stop() == 0
    fresh_double.clear_faults()
    assert "Yes — 0 votes" in votes_field(poll)
    await bot.start()
    await eventually(lambda: "Yes — 1 vote (100%)" in votes_field(poll), 10, "the tally refreshed after the restart")
    await bot.stop()


async def test_a_poll_finds_its_message_again_when_its_id_was_never_recorded(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    """A stop right after /poll create answered can beat the write of the message id."""
    bot, guild, member = await own_bot(fresh_double, tmp_path, database_url)
    poll = await say(fresh_double, member, "poll create", {"question": "Where is my message?", "options": "Yes; No"})
    await bot.kill()
    await bot.execute("UPDATE polls SET message_id = NULL WHERE id = ?", (poll_id(poll),))
    await bot.start()
    await (await fresh_double.press(member, poll, "No")).reply()
    await eventually(lambda: "No — 1 vote (100%)" in votes_field(poll), 8, "the tally on the found message")
    closed = await say(fresh_double, member, "poll close", {"poll": str(poll_id(poll))})
    assert closed.ephemeral and "Closed" in closed.content
    await eventually(lambda: len(result_posts(fresh_double, guild, poll)) == 1, 8, "the result post")
    assert votes_field(poll).startswith("Yes — 0 votes") and all(b.get("disabled") for b in poll.buttons())
    reference = result_posts(fresh_double, guild, poll)[0].message_reference or {}
    assert reference.get("message_id") == str(poll.id)  # the post replies to the poll it found again
    await bot.stop()


async def test_results_draw_dollar_signs_literally(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": "Is it $5 or $\\frac{1}{2}$?", "options": "$x$; $$; $^$"})
    await (await double.press(member, poll, "$^$")).reply()
    results = await (await double.command(member, "poll results", {"poll": str(poll_id(poll))})).reply()
    assert results.files[f"poll-{poll_id(poll)}.png"].startswith(b"\x89PNG")
    assert "Is it $5 or $\\\\frac{1}{2}$?" in results.embeds[0]["description"]


# --- withdrawing a vote, double presses, the closed card, the creator (issue 23, item 20) ----------


async def votes_of(bot: BotProcess, poll: FakeMessage) -> int:
    [(count,)] = await bot.query("SELECT count(*) FROM votes WHERE poll_id = ?", (poll_id(poll),))
    return int(count)


async def test_a_vote_is_withdrawn_from_its_confirmation_committed_before_the_answer(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    poll = await say(double, member, "poll create", {"question": "Second thoughts?", "options": "Yes; No"})
    assert f"-# Asked by <@{member.id}>" in poll.embeds[0]["description"] and poll.pings == []  # named, not pinged
    confirmation = await (await double.press(member, poll, "Yes")).reply()
    assert [b["label"] for b in confirmation.buttons()] == ["Withdraw my vote"]
    assert re.fullmatch(rf"poll:{poll_id(poll)}:withdraw", confirmation.buttons()[0]["custom_id"])
    await eventually(lambda: "Yes — 1 vote (100%)" in votes_field(poll), 5, "the vote on the tally")

    pressed = await double.press(member, confirmation, "Withdraw my vote")
    assert pressed.callback_type == 7 and await votes_of(bot, poll) == 0  # on disk before the answer
    answer = double.messages[confirmation.id]
    assert answer.ephemeral and answer.content.startswith("Your vote for **Yes** is withdrawn — press an option") and not answer.buttons()
    await eventually(lambda: "0 voters" in votes_field(poll) and "Yes — 0 votes" in votes_field(poll), 5, "the tally without it")

    again = await (await double.press(member, poll, "No")).reply()
    assert again.content.startswith("Your vote: **No** —") and "changed" not in again.content  # a fresh vote
    retried = await asyncio.gather(*[double.send_press(member, again, "Withdraw my vote") for _ in range(2)])  # a double click
    await asyncio.gather(*(r.acked() for r in retried))
    assert await votes_of(bot, poll) == 0
    assert double.messages[again.id].content.startswith(("Your vote for **No** is withdrawn", "You have no vote in this poll"))
    await eventually(lambda: "0 voters" in votes_field(poll), 5, "the tally without it")


async def test_pressing_one_option_twice_at_once_stays_one_vote(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    poll = await say(double, member, "poll create", {"question": "Double click?", "options": "Yes; No"})
    presses = await asyncio.gather(*[double.send_press(member, poll, "Yes") for _ in range(3)])
    answers = await asyncio.gather(*(p.reply() for p in presses))
    assert all(a.ephemeral and a.content.startswith("Your vote: **Yes**") for a in answers)
    assert sum("(unchanged)" in a.content for a in answers) == 2
    await eventually(lambda: "Yes — 1 vote (100%)" in votes_field(poll) and "1 voter" in votes_field(poll), 5, "the tally")
    assert await votes_of(bot, poll) == 1


async def test_a_closed_poll_says_its_votes_are_final(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    poll = await say(double, member, "poll create", {"question": "Closing soon?", "options": "Yes; No"})
    assert "press another option to change yours" in poll.embeds[0]["footer"]["text"]
    confirmation = await (await double.press(member, poll, "No")).reply()
    await say(double, member, "poll close", {"poll": str(poll_id(poll))})
    await eventually(lambda: any(f["name"] == "Final result" for f in poll.embeds[0]["fields"]), 5, "the final card")
    footer = poll.embeds[0]["footer"]["text"]
    assert footer == f"Poll #{poll_id(poll)} · closed: these votes are final", footer
    assert f"Asked by <@{member.id}>" in poll.embeds[0]["description"]
    late = await (await double.press(member, confirmation, "Withdraw my vote")).reply()
    assert late.ephemeral and "This poll has closed" in late.content
    assert "No — 1 vote (100%)" in votes_field(poll)


async def test_the_withdraw_button_works_after_a_restart(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot, _, member = await own_bot(fresh_double, tmp_path, database_url)
    poll = await say(fresh_double, member, "poll create", {"question": "Still there?", "options": "Yes; No"})
    confirmation = await (await fresh_double.press(member, poll, "Yes")).reply()
    assert await bot.stop() == 0
    await bot.start()  # nothing registered per confirmation: its button's id names the poll
    await fresh_double.press(member, confirmation, "Withdraw my vote")
    assert fresh_double.messages[confirmation.id].content.startswith("Your vote for **Yes** is withdrawn")
    assert await votes_of(bot, poll) == 0
    await eventually(lambda: "0 voters" in votes_field(poll), 10, "the tally without it")
    await bot.stop()
