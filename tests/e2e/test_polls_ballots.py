"""Polls v2 (issue 28) through the double: picks in a string select, up to 25 options, role-restricted
voting, hidden or shown voters, ranked ballots decided by instant run-off."""

from __future__ import annotations

import asyncio
import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.double.interactions import InteractionTimeout
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.bot_process import BotProcess
from tests.e2e.waiting import eventually

BACKENDS = ("sqlite", "postgresql")  # the same tests on each store (tests/e2e/conftest.py)


def field(message: FakeMessage, prefix: str) -> str:
    return next(f["value"] for f in message.embeds[0]["fields"] if f["name"].startswith(prefix))


def poll_id(message: FakeMessage) -> int:
    match = re.search(r"Poll #(\d+)", message.embeds[0]["footer"]["text"])
    assert match
    return int(match.group(1))


async def ballots_of(bot: BotProcess, poll: FakeMessage) -> list[tuple[int, str]]:
    return sorted(await bot.query("SELECT user_id, choices FROM votes WHERE poll_id = ?", (poll_id(poll),)))


async def test_picks_are_chosen_in_a_select_and_the_same_picks_twice_are_one_ballot(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    poll = await say(double, member, "poll create", {"question": "Your top three?", "options": "A; B; C; D", "picks": 3})
    assert poll.buttons() == []
    [select] = poll.selects()
    assert select["custom_id"] == f"poll:{poll_id(poll)}:pick" and (select["min_values"], select["max_values"]) == (1, 3)
    assert [o["label"] for o in select["options"]] == ["A", "B", "C", "D"]
    assert "choose up to 3 options" in poll.embeds[0]["footer"]["text"]

    chose = await double.choose(member, poll, ["D", "A"])
    confirmation = await chose.reply()
    assert confirmation.ephemeral and confirmation.content.startswith("Your vote: **A**, **D** — ")
    assert [b["label"] for b in confirmation.buttons()] == ["Withdraw my vote"]
    assert chose.latency is not None and chose.latency < 3
    again = await (await double.choose(member, poll, ["A", "D"])).reply()
    assert "(unchanged)" in again.content
    other = double.add_member(guild, "fan")
    await (await double.choose(other, poll, ["A", "B", "C"])).reply()
    assert await ballots_of(bot, poll) == sorted([(member.id, "0,3"), (other.id, "0,1,2")])
    await eventually(lambda: "A — 2 votes (100%)" in field(poll, "Votes") and "2 voters" in field(poll, "Votes"), 5, "the tally")
    assert "D — 1 vote (50%)" in field(poll, "Votes")  # a ballot counts once for each option it holds

    changed = await (await double.choose(member, poll, ["B"])).reply()
    assert "**B** (changed from A, D)" in changed.content
    await double.press(member, changed, "Withdraw my vote")
    assert double.messages[changed.id].content.startswith("Your vote for **B** is withdrawn — choose in the poll's menu")
    assert await ballots_of(bot, poll) == [(other.id, "0,1,2")]


async def test_twenty_five_options_make_a_select_and_twenty_six_are_refused(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    labels = [f"Option {i}" for i in range(1, 26)]
    poll = await say(double, member, "poll create", {"question": "Which one?", "options": "; ".join(labels)})
    [select] = poll.selects()
    assert [o["label"] for o in select["options"]] == labels and select["max_values"] == 1
    reply = await (await double.choose(member, poll, ["Option 25"])).reply()
    assert reply.content.startswith("Your vote: **Option 25** — ")
    assert await ballots_of(bot, poll) == [(member.id, "24")]

    before = len(double.channel_messages(guild.text_channel))
    refused = await say(double, member, "poll create", {"question": "Which one?", "options": "; ".join([*labels, "Option 26"])})
    assert refused.ephemeral and "2 to 25 options" in refused.content and "you gave 26" in refused.content
    assert len(double.channel_messages(guild.text_channel)) == before


async def test_picks_are_checked_against_the_options_and_ranked(double: DiscordDouble, guild: FakeGuild, member: FakeMember) -> None:
    before = len(double.channel_messages(guild.text_channel))
    too_many = await say(double, member, "poll create", {"question": "Q?", "options": "A; B; C", "picks": 4})
    assert too_many.ephemeral and "`picks` may be 1 to 3 for a poll of 3 options (you gave 4)" in too_many.content
    ranked = await say(double, member, "poll create", {"question": "Q?", "options": "A; B; C", "picks": 2, "ranked": True})
    assert ranked.ephemeral and "A ranked poll takes no `picks`" in ranked.content
    assert len(double.channel_messages(guild.text_channel)) == before


async def test_a_member_without_the_role_is_refused_by_name_without_a_ping(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    role = double.add_role(guild, "Crew")
    poll = await say(double, member, "poll create", {"question": "Crew only?", "options": "Yes; No", "role": role})
    assert f"<@&{role.id}>" in poll.embeds[0]["description"] and poll.pings == []
    outsider = double.add_member(guild, "outsider")
    refused = await (await double.press(outsider, poll, "Yes")).reply()
    assert refused.ephemeral and f"Only members with the <@&{role.id}> role can vote in this poll." in refused.content
    assert refused.pings == [] and refused.allowed_mentions is not None and refused.allowed_mentions.get("parse") == []
    assert await ballots_of(bot, poll) == []
    crew = double.add_member(guild, "crew")
    crew.roles.append(role.id)
    counted = await (await double.press(crew, poll, "No")).reply()
    assert counted.content.startswith("Your vote: **No**")
    assert await ballots_of(bot, poll) == [(crew.id, "1")]


async def close(double: DiscordDouble, who: FakeMember, poll: FakeMessage) -> None:
    closed = await say(double, who, "poll close", {"poll": str(poll_id(poll))})
    assert closed.content.startswith("Closed")
    await eventually(lambda: any(f["name"].startswith("Final result") for f in poll.embeds[0]["fields"]), 10, "the final card")


async def test_hidden_voters_are_never_named_and_shown_voters_are_listed_after_the_close(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, moderator: FakeMember
) -> None:
    voters = [double.add_member(guild, f"voter{i}") for i in range(3)]
    hidden = await say(double, member, "poll create", {"question": "Secret?", "options": "A; B; C; D; E; F", "picks": 2})
    shown = await say(double, member, "poll create", {"question": "Open?", "options": "A; B", "voters": "shown"})
    for i, voter in enumerate(voters):
        await (await double.choose(voter, hidden, [["A"], ["A", "B"], ["F"]][i])).reply()
        await (await double.press(voter, shown, "AB"[i % 2])).reply()
    for poll in (hidden, shown):
        await close(double, member, poll)
    assert all(s.get("disabled") for s in hidden.selects()) and hidden.selects()  # after the close: no more choosing

    for who in (member, moderator):  # the creator and a moderator see no more than anyone
        results = await say(double, who, "poll results", {"poll": str(poll_id(hidden))})
        assert not any(f["name"] == "Voters" for f in results.embeds[0]["fields"])
    public = [m for m in double.messages.values() if not m.ephemeral or m.interaction_id is not None]
    seen = json.dumps([[m.content, m.embeds] for m in public if str(poll_id(hidden)) in json.dumps(m.embeds) + m.content])
    assert not any(str(v.id) in seen for v in voters), "a voter of the hidden poll is named somewhere"

    results = await say(double, member, "poll results", {"poll": str(poll_id(shown))})
    listed = field(results, "Voters")
    assert f"**A**: <@{voters[0].id}>, <@{voters[2].id}>" in listed and f"**B**: <@{voters[1].id}>" in listed
    assert results.pings == []


async def test_a_ranked_poll_takes_rankings_refuses_repeats_and_shows_its_run_off(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    ships = {"question": "Rank the ships", "options": "Jancy; Stancy; Jonathan x Argyle", "ranked": True}
    poll = await say(double, member, "poll create", ships)
    assert [b["label"] for b in poll.buttons()] == ["Rank"] and poll.selects() == []

    async def rank(who: FakeMember, *choices: str) -> FakeMessage:
        step = await (await double.press(who, poll, "Rank")).reply()
        assert step.ephemeral and [s["custom_id"] for s in step.selects()] == [f"poll:{poll_id(poll)}:rank:{r}" for r in (1, 2, 3)]
        assert all(len(s["options"]) == 3 for s in step.selects())
        for number, label in enumerate(choices, start=1):
            chosen = await double.choose(who, step, [label], select=f"poll:{poll_id(poll)}:rank:{number}")
            assert chosen.callback_type == 6
        await double.press(who, step, "Submit")
        return step

    fans = [double.add_member(guild, f"ranker{i}") for i in range(5)]
    repeated = await rank(fans[0], "Jancy", "Stancy", "Jancy")
    refusal = [m for m in double.messages.values() if m.ephemeral and "ranked twice" in m.content]
    assert refusal and "**Jancy** is ranked twice (1st and 3rd)" in refusal[-1].content
    assert await ballots_of(bot, poll) == [] and double.messages[repeated.id].selects()  # not counted; the step stays

    # 2 first choices each for Jancy and Stancy, 1 for Argyle, whose ballot goes on to Stancy.
    rankings = [("Jancy", "Stancy"), ("Jancy",), ("Stancy", "Jancy"), ("Stancy",), ("Jonathan x Argyle", "Stancy")]
    for fan, ranking in zip(fans, rankings, strict=True):
        step = await rank(fan, *ranking)
        assert double.messages[step.id].content.startswith(f"Your ranking: 1st **{ranking[0]}**")
        assert [b["label"] for b in double.messages[step.id].buttons()] == ["Withdraw my vote"]
    assert len(await ballots_of(bot, poll)) == 5

    await close(double, member, poll)
    run_off = field(poll, "Run-off")
    assert run_off.splitlines() == [
        "Round 1: Jancy 2 · Stancy 2 · Jonathan x Argyle 1 — out: Jonathan x Argyle",
        "Round 2: Jancy 2 · Stancy 3",
    ]
    assert all(b.get("disabled") for b in poll.buttons())
    # The closed message carries its chart: an attachment (sent with the edit, multipart) that the card's image shows.
    chart = f"poll-{poll_id(poll)}.png"
    assert poll.embeds[0]["image"]["url"] == f"attachment://{chart}" and [a["filename"] for a in poll.attachments] == [chart]
    assert poll.files[chart].startswith(b"\x89PNG\r\n\x1a\n") and len(poll.files[chart]) > 2000
    won = "**Stancy** wins the run-off in round 2 with 3 votes of 5"
    await eventually(lambda: any(won in m.content for m in double.channel_messages(guild.text_channel)), 10, "the result post")


async def test_choices_sent_concurrently_stay_one_ballot_each(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, bot: BotProcess
) -> None:
    poll = await say(double, member, "poll create", {"question": "Busy?", "options": "; ".join("ABCDEFGH"), "picks": 3})
    fans = [double.add_member(guild, f"busy{i}") for i in range(60)]
    sent = []
    for i, fan in enumerate(fans):
        sent += [double.send_select(fan, poll, ["A", "B"]), double.send_select(fan, poll, ["ABCDEFGH"[i % 8]])]
    records = await asyncio.gather(*sent)
    await asyncio.gather(*(r.acked() for r in records))
    stored = await ballots_of(bot, poll)
    assert len(stored) == 60 and len({user for user, _ in stored}) == 60


async def test_the_creator_or_manage_server_exports_ballots_with_hashed_voters(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, moderator: FakeMember
) -> None:
    ranked = await say(double, member, "poll create", {"question": "Export me", "options": "=A; B; C", "ranked": True})
    fans = [double.add_member(guild, f"exported{i}") for i in range(2)]
    for fan, ranking in zip(fans, (["B", "=A"], ["C"]), strict=True):
        step = await (await double.press(fan, ranked, "Rank")).reply()
        for number, label in enumerate(ranking, start=1):
            await double.choose(fan, step, [label], select=f"poll:{poll_id(ranked)}:rank:{number}")
        await double.press(fan, step, "Submit")

    for who in (member, moderator):
        reply = await say(double, who, "poll export", {"poll": str(poll_id(ranked))})
        assert reply.ephemeral and [a["filename"] for a in reply.attachments] == [f"poll-{poll_id(ranked)}-ballots.csv"]
        rows = reply.files[f"poll-{poll_id(ranked)}-ballots.csv"].decode().splitlines()
        assert rows[0] == "ballot,voter,choices,changed_at" and len(rows) == 3
        assert [r.split(",")[2] for r in rows[1:]] == ["B; '=A", "C"]  # rank order; no spreadsheet formula
        assert all(re.fullmatch(r"[0-9a-f]{16}", r.split(",")[1]) for r in rows[1:])
        assert not any(str(fan.id) in "\n".join(rows) for fan in fans)  # hidden voters: never their ids

    other = await say(double, member, "poll create", {"question": "Another", "options": "A; B"})
    await (await double.press(fans[0], other, "A")).reply()
    exported = await say(double, member, "poll export", {"poll": str(poll_id(other))})
    first_hashes = {r.split(",")[1] for r in reply.files[f"poll-{poll_id(ranked)}-ballots.csv"].decode().splitlines()[1:]}
    [row] = exported.files[f"poll-{poll_id(other)}-ballots.csv"].decode().splitlines()[1:]
    assert row.split(",")[1] not in first_hashes  # the same member, another poll: another code

    refused = await say(double, fans[0], "poll export", {"poll": str(poll_id(ranked))})
    assert refused.ephemeral and "Only the poll's creator or a member with **Manage Server**" in refused.content and not refused.attachments
    elsewhere = await double.add_guild("Elsewhere")
    stranger = double.add_member(elsewhere, "stranger", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
    away = await say(double, stranger, "poll export", {"poll": str(poll_id(ranked))})
    assert away.ephemeral and "No poll in this server matches" in away.content and not away.attachments


async def test_the_creator_or_manage_server_extends_a_poll_and_its_close_follows(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, moderator: FakeMember, bot: BotProcess
) -> None:
    poll = await say(double, member, "poll create", {"question": "Longer?", "options": "A; B", "duration": "1h"})
    [(closes_before,)] = await bot.query("SELECT closes_at FROM polls WHERE id = ?", (poll_id(poll),))
    reply = await say(double, member, "poll extend", {"poll": str(poll_id(poll)), "duration": "2h"})
    assert reply.ephemeral and re.fullmatch(rf"Poll #{poll_id(poll)} now closes <t:\d+:F> \(<t:\d+:R>\)\.", reply.content)
    new_close = re.search(r"<t:(\d+):F>", reply.content).group(1)  # type: ignore[union-attr]
    await eventually(lambda: f"<t:{new_close}:F>" in field(poll, "Closes"), 5, "the card's new close")
    again = await say(double, moderator, "poll extend", {"poll": str(poll_id(poll)), "duration": "30m"})
    assert again.content.startswith(f"Poll #{poll_id(poll)} now closes")
    [(closes_at, due_at)] = await bot.query(
        "SELECT p.closes_at, t.due_at FROM polls p JOIN timers t ON t.delivery_key = 'poll_close:' || p.id WHERE p.id = ?", (poll_id(poll),)
    )
    assert str(closes_at) == str(due_at) != str(closes_before)  # the automatic close follows

    fan = double.add_member(guild, "impatient")
    refused = await say(double, fan, "poll extend", {"poll": str(poll_id(poll)), "duration": "1h"})
    assert refused.ephemeral and "Only the poll's creator or a member with **Manage Server** can extend it." in refused.content
    too_long = await say(double, member, "poll extend", {"poll": str(poll_id(poll)), "duration": "30d"})
    assert too_long.ephemeral and "at most 30 days from now" in too_long.content
    bad = await say(double, member, "poll extend", {"poll": str(poll_id(poll)), "duration": "forever"})
    assert bad.ephemeral and "`30m`" in bad.content
    await close(double, member, poll)
    late = await say(double, member, "poll extend", {"poll": str(poll_id(poll)), "duration": "1h"})
    assert late.ephemeral and "already closed" in late.content


async def test_a_poll_with_opens_is_posted_then_once_across_a_restart(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    bot = BotProcess(fresh_double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await fresh_double.add_guild()
    creator = fresh_double.add_member(guild, "planner")
    opens = (datetime.now(UTC) + timedelta(seconds=6)).replace(microsecond=0)
    reply = await say(fresh_double, creator, "poll create", {"question": "Tonight?", "options": "A; B", "opens": opens.isoformat()})
    assert reply.ephemeral and f"will be posted in this channel <t:{int(opens.timestamp())}:F>" in reply.content
    assert fresh_double.channel_messages(guild.text_channel) == []
    waiting_id = int(re.search(r"Poll #(\d+)", reply.content).group(1))  # type: ignore[union-attr]
    early = await say(fresh_double, creator, "poll results", {"poll": str(waiting_id)})
    assert early.ephemeral and early.content == (
        f"Poll #{waiting_id} is not posted yet: it opens <t:{int(opens.timestamp())}:R>, and its tally starts then."
    )
    listed = await fresh_double.autocomplete(creator, "poll results", {"poll": ""}, "poll")
    assert [c["name"] for c in listed if c["value"] == str(waiting_id)] == [f"#{waiting_id} Tonight? (not posted yet)"]
    refused = await say(fresh_double, creator, "poll create", {"question": "Q?", "options": "A; B", "opens": "2020-01-01 10:00"})
    assert refused.ephemeral and "`opens` must be in the next 30 days" in refused.content
    dropped = await say(fresh_double, creator, "poll create", {"question": "Never?", "options": "A; B", "opens": opens.isoformat()})
    dropped_id = int(re.search(r"Poll #(\d+)", dropped.content).group(1))  # type: ignore[union-attr]
    closed = await say(fresh_double, creator, "poll close", {"poll": str(dropped_id)})
    assert closed.content == "Closed before it was posted: it will not be posted."

    assert await bot.stop() == 0  # down when the poll is due to open
    await asyncio.sleep(max(0.0, (opens - datetime.now(UTC)).total_seconds()) + 1)
    await bot.start()

    def polls() -> list[FakeMessage]:
        return [m for m in fresh_double.channel_messages(guild.text_channel) if m.embeds and "Tonight?" in m.embeds[0]["description"]]

    def strays() -> list[FakeMessage]:
        return [m for m in fresh_double.channel_messages(guild.text_channel) if "Never?" in str(m.embeds) + m.content]

    await eventually(lambda: len(polls()) == 1, 15, "the poll posted at its opening, late")
    [poll] = polls()
    vote = await (await fresh_double.press(creator, poll, "A")).reply()
    assert vote.content.startswith("Your vote: **A**")
    assert await bot.stop() == 0
    await bot.start()  # the opening is done: a restart posts nothing more
    await asyncio.sleep(2)
    assert len(polls()) == 1 and strays() == []  # the poll closed before its opening was never posted
    [(message_id, opens_at)] = await bot.query("SELECT message_id, opens_at FROM polls WHERE id != ?", (dropped_id,))
    assert message_id == poll.id and opens_at is None
    await bot.stop()


@pytest.mark.slow
async def test_picks_under_repeated_sigkill_lose_no_confirmed_ballot_and_stay_one_each(
    fresh_double: DiscordDouble, tmp_path: Path, database_url: str | None
) -> None:
    rng = random.Random(28)
    bot = BotProcess(fresh_double, tmp_path, database_url=database_url)
    await bot.start()
    guild = await fresh_double.add_guild()
    creator = fresh_double.add_member(guild, "creator")
    labels = list("ABCDEFGH")
    poll = await say(fresh_double, creator, "poll create", {"question": "Pick three", "options": "; ".join(labels), "picks": 3})
    members = [fresh_double.add_member(guild, f"picker{i}") for i in range(200)]
    plans = {m.id: [sorted(rng.sample(labels, rng.randint(1, 3))) for _ in range(3)] for m in members}
    outcomes: dict[int, list[tuple[list[str], bool]]] = {m.id: [] for m in members}
    slots = asyncio.Semaphore(100)

    async def choose_until_answered(member: FakeMember, picks: list[str]) -> bool:
        for _ in range(50):  # while the bot is down there is no gateway: the member tries again
            try:
                sent = await fresh_double.send_select(member, poll, picks)
            except ConnectionError:
                await asyncio.sleep(0.2)
                continue
            try:
                return (await sent.reply(timeout=6)).content.startswith("Your vote: ")
            except InteractionTimeout:
                return False  # the bot died holding it: never confirmed
        return False

    async def member_ballots(member: FakeMember) -> None:
        for picks in plans[member.id]:
            async with slots:
                outcomes[member.id].append((picks, await choose_until_answered(member, picks)))

    async def kill_twice() -> None:
        for _ in range(2):
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            await bot.kill()
            await asyncio.sleep(0.3)
            await bot.start()

    await asyncio.gather(kill_twice(), *(member_ballots(m) for m in members))
    stored = dict(await bot.query("SELECT user_id, choices FROM votes WHERE poll_id = ?", (poll_id(poll),)))
    [(rows, distinct)] = await bot.query("SELECT count(*), count(DISTINCT user_id) FROM votes WHERE poll_id = ?", (poll_id(poll),))
    assert rows == distinct  # one ballot per member, whatever was killed when
    lost = []
    for member in members:
        presses = outcomes[member.id]
        confirmed_at = [i for i, (_, ok) in enumerate(presses) if ok]
        if not confirmed_at:
            continue
        allowed = {",".join(str(labels.index(p)) for p in picks) for picks, _ in presses[confirmed_at[-1]:]}
        if stored.get(member.id) not in allowed:
            lost.append(member.id)
    assert lost == [], f"{len(lost)} confirmed ballots lost or wrong"
    await bot.stop()
