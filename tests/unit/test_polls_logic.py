"""Tallying, ranking, poll option parsing and group-committed votes — no Discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.polls.chart import render_chart
from cogs.polls.options import MAX_OPTIONS, OPTION_MAX, PollInputError, parse_options, parse_poll_ref, parse_question
from cogs.polls.ranking import rank_ships, wilson_lower_bound
from cogs.polls.tally import option_line, result_sentence, tally
from db import Store
from db.repos.polls import NewPoll, PairRecord, PollOption
from db.repos.votes import VoteOutcome

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_tally_counts_shares_and_wording() -> None:
    result = tally(["Yes", "No", "It's complicated"], {0: 12, 1: 5, 2: 3})
    assert [option_line(o) for o in result.options] == ["Yes — 12 votes (60%)", "No — 5 votes (25%)", "It's complicated — 3 votes (15%)"]
    assert result.voters == 20 and result_sentence(result) == "**Yes** with 12 votes of 20 (60%)"
    assert option_line(tally(["A"], {0: 1}).options[0]) == "A — 1 vote (100%)"
    assert result_sentence(tally(["A", "B"], {})) == "nobody voted"
    assert result_sentence(tally(["A", "B", "C"], {0: 2, 1: 2, 2: 1})) == "a tie between **A** and **B**, 2 votes each, of 5 voters"


def test_wilson_bound_keeps_tiny_samples_down() -> None:
    assert wilson_lower_bound(1, 1) < wilson_lower_bound(40, 50) < 0.8
    assert wilson_lower_bound(0, 0) == 0.0
    ranked = rank_ships([
        PairRecord(1, 2, 1, 1, 1, 10),  # 100% of 1
        PairRecord(3, 4, 2, 50, 40, 11),  # 80% of 50
        PairRecord(5, 6, 1, 10, 8, 12),  # 80% of 10
        PairRecord(7, 8, 1, 10, 8, 13),  # same as above, polled more recently
        PairRecord(9, 10, 1, 0, 0, 14),  # no votes yet
    ])
    assert [s.record.first_character_id for s in ranked] == [3, 7, 5, 1, 9]
    assert [s.early for s in ranked] == [False, False, False, True, True]


@given(
    st.lists(
        st.text(min_size=1, max_size=OPTION_MAX).filter(lambda t: ";" not in t and t.strip() and t.strip() == " ".join(t.split())),
        min_size=2,
        max_size=MAX_OPTIONS,
        unique_by=str.casefold,
    )
)
def test_any_valid_options_round_trip(options: list[str]) -> None:
    from bot.input.options import clean_text

    cleaned = [clean_text(o) for o in options]
    if any(not c for c in cleaned) or len({c.casefold() for c in cleaned}) != len(cleaned):
        return  # invisible-only or duplicates once cleaned: refused, tested below
    assert parse_options("; ".join(options)) == cleaned


@given(st.text(max_size=2000))
def test_the_option_parser_never_crashes_and_never_returns_out_of_bounds(text: str) -> None:
    try:
        options = parse_options(text)
    except PollInputError as exc:
        assert "option" in str(exc) or "listed twice" in str(exc) or "`;`" in str(exc)
        return
    assert 2 <= len(options) <= MAX_OPTIONS
    assert all(1 <= len(o) <= OPTION_MAX for o in options)
    assert len({o.casefold() for o in options}) == len(options)


@given(st.text(max_size=400))
def test_the_question_parser_bounds_what_it_accepts(text: str) -> None:
    try:
        question = parse_question(text)
    except PollInputError:
        return
    assert 1 <= len(question) <= 300


async def make_poll(store: Store, closes: datetime = NOW + timedelta(hours=1)) -> int:
    poll = await store.polls.create(NewPoll(1, 2, 3, "custom", "Q?", [PollOption(0, "A"), PollOption(1, "B")], closes), "poll_close", NOW)
    return poll.id


async def test_concurrent_votes_share_transactions_and_count_once_each(store: Store) -> None:
    pid = await make_poll(store)
    results = await asyncio.gather(*(store.votes.record(pid, user, user % 2, NOW) for user in range(300)))
    assert {r.outcome for r in results} == {VoteOutcome.RECORDED}
    assert await store.polls.counts(pid) == {0: 150, 1: 150}
    assert store.votes.batches < 300 / 5  # group commit: many presses per transaction
    # A member pressing twice in one batch: the later press wins.
    first, second = await asyncio.gather(store.votes.record(pid, 7, 0, NOW), store.votes.record(pid, 7, 1, NOW))
    assert (first.outcome, second.outcome) == (VoteOutcome.CHANGED, VoteOutcome.CHANGED)
    assert (await store.votes.record(pid, 7, 1, NOW)).outcome is VoteOutcome.UNCHANGED
    assert await store.polls.counts(pid) == {0: 150, 1: 150}


async def test_a_withdrawal_is_a_press_in_the_same_batches_ordered_with_the_others(store: Store) -> None:
    """Committed in the votes' group commit: a member's presses and withdrawals in one batch apply in
    arrival order, a second withdrawal finds nothing, and every one moves the tally version on."""
    pid = await make_poll(store)
    await store.votes.record(pid, 1, 0, NOW)
    version = (await store.polls.get(pid)).tally_version  # type: ignore[union-attr]
    withdrawn, retried = await asyncio.gather(store.votes.withdraw(pid, 1, NOW), store.votes.withdraw(pid, 1, NOW))
    assert (withdrawn.outcome, withdrawn.previous, retried.outcome) == (VoteOutcome.WITHDRAWN, 0, VoteOutcome.NOT_VOTED)
    assert await store.polls.counts(pid) == {}
    assert (await store.polls.get(pid)).tally_version > version  # type: ignore[union-attr]
    # Vote, withdraw, vote again in one batch: the last press stands; withdraw last: nothing stands.
    await asyncio.gather(store.votes.record(pid, 2, 0, NOW), store.votes.withdraw(pid, 2, NOW), store.votes.record(pid, 2, 1, NOW))
    await asyncio.gather(store.votes.record(pid, 3, 1, NOW), store.votes.withdraw(pid, 3, NOW))
    assert await store.polls.counts(pid) == {1: 1}
    assert (await store.votes.record(pid, 2, 1, NOW)).outcome is VoteOutcome.UNCHANGED
    closed = await make_poll(store, closes=NOW - timedelta(minutes=1))
    assert (await store.votes.withdraw(closed, 2, NOW)).outcome is VoteOutcome.CLOSED


async def test_the_first_presses_on_a_poll_share_one_read_of_it(store: Store) -> None:
    """A premiere-night burst: a hundred presses reach a poll this process has not read yet. They wait
    for one read of it instead of each making their own (which on PostgreSQL drained the pool)."""
    from types import SimpleNamespace

    from cogs.polls.service import PollService

    pid = await make_poll(store)
    service = PollService(SimpleNamespace(store=store))  # type: ignore[arg-type]  # the service reads only its store here
    polls = await asyncio.gather(*(service.poll(pid) for _ in range(100)))
    assert polls[0] is not None and polls[0].id == pid
    assert all(p is polls[0] for p in polls), "one read, shared by every press that waited for it"
    assert await service.poll(pid) is polls[0]  # and remembered
    assert list(await asyncio.gather(service.poll(999), service.poll(999))) == [None, None]


async def test_votes_on_closed_or_expired_polls_and_bad_options_store_nothing(store: Store) -> None:
    pid = await make_poll(store)
    assert (await store.votes.record(pid, 1, 5, NOW)).outcome is VoteOutcome.NO_SUCH_OPTION
    assert (await store.votes.record(pid, 1, 0, NOW + timedelta(hours=2))).outcome is VoteOutcome.CLOSED
    await store.polls.close(pid, NOW, None)
    assert (await store.votes.record(pid, 1, 0, NOW)).outcome is VoteOutcome.CLOSED
    assert (await store.votes.record(999, 1, 0, NOW)).outcome is VoteOutcome.CLOSED
    assert await store.polls.counts(pid) == {}


async def test_a_poll_and_its_deadline_are_created_together(store: Store) -> None:
    pid = await make_poll(store)
    [timer] = await store.timers.of_guild(1, "poll_close")
    assert timer.payload == {"poll_id": pid} and timer.due_at == NOW + timedelta(hours=1)
    assert await store.polls.close(pid, NOW, 3) and not await store.polls.close(pid, NOW, 3)  # one closer only
    await store.polls.discard(pid, "poll_close")
    assert await store.polls.get(pid) is None and await store.timers.of_guild(1, "poll_close") == []


async def test_ship_records_count_yes_votes_per_pair_and_skip_hidden_open_polls(defenders: Store) -> None:
    """The leaderboard's query: one record per pair whichever way round it was polled (PostgreSQL sums no
    booleans and groups strictly, so this ran only on SQLite before)."""
    first, second, third = (c.id for c in (await defenders.characters.summaries())[:3])
    yes_no = [PollOption(0, "Yes"), PollOption(1, "No")]

    async def ship(a: int, b: int, hidden: bool = False) -> int:
        new = NewPoll(1, 2, 3, "ship", "Q?", yes_no, NOW + timedelta(hours=1), hidden, a, b)
        return (await defenders.polls.create(new, "poll_close", NOW)).id

    assert await defenders.polls.pair_records(1) == []  # a guild without ship polls
    polls = [await ship(first, second), await ship(second, first), await ship(first, third, hidden=True)]
    for user, (poll, position) in enumerate([(polls[0], 0), (polls[0], 1), (polls[1], 0), (polls[2], 0)]):
        await defenders.votes.record(poll, user, position, NOW)
    low, high = sorted((first, second))
    assert await defenders.polls.pair_records(1) == [PairRecord(low, high, 2, 3, 2, polls[1])]
    assert await defenders.polls.pair_records(2) == []


async def test_polls_are_invisible_to_other_guilds(store: Store) -> None:
    pid = await make_poll(store)
    assert await store.polls.get(pid, 1) is not None
    assert await store.polls.get(pid, 2) is None
    assert await store.polls.recent(2, NOW - timedelta(days=1)) == []


@pytest.mark.parametrize("text", ["A;B", " A ; B ", "A;\u200bB"])
def test_options_are_cleaned(text: str) -> None:
    assert parse_options(text) == ["A", "B"]


@pytest.mark.parametrize(
    "text", ["$\\foo$", "win $$ or $^$", "$x_$", "costs $5, or $10?", "\\$ \\\\", "a" * 60 + " twin", "a" * 60 + " twain"]
)
def test_the_chart_draws_any_text_literally(text: str) -> None:
    """matplotlib reads `$…$` as mathtext unless told not to; a poll's text is never math."""
    png = render_chart(text, tally([text, "b", "a" * 60 + " twin"], {0: 2, 1: 1}))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", 12), ("#12", 12), (" 7 ", 7), ("²", None), ("٣", None), ("①", None), ("12a", None), ("9" * 19, None), ("", None)],
)
def test_poll_references_are_ascii_ids_or_nothing(typed: str, expected: int | None) -> None:
    """`"²".isdigit()` is True and `int("²")` raises: only ASCII digits name a poll."""
    assert parse_poll_ref(typed) == expected
