"""Polls v2 storage (issue 28): picks, ranked ballots, role and voters settings — on both backends."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cogs.polls.ballots.items import chosen_positions
from cogs.polls.export import ballots_csv, voter_hash
from cogs.polls.options import PollInputError, ballot_kind, ballot_picks, parse_opening
from cogs.polls.runoff import instant_runoff
from cogs.polls.tally import result_sentence, runoff_lines, tally
from db import Store
from db.repos.polls import VOTERS_SHOWN, Ballot, NewPoll, Poll, PollOption
from db.repos.votes import VoteOutcome

NOW = datetime(2030, 1, 1, tzinfo=UTC)


async def make_poll(store: Store, options: int = 6, **settings: object) -> int:
    labels = [PollOption(i, f"Option {i}") for i in range(options)]
    new = NewPoll(1, 2, 3, "custom", "Q?", labels, NOW + timedelta(hours=1), **settings)  # type: ignore[arg-type]
    return (await store.polls.create(new, "poll_close", NOW)).id


async def test_a_poll_keeps_its_picks_ranking_role_and_voters_setting(store: Store) -> None:
    plain = await store.polls.get(await make_poll(store))
    assert plain is not None and (plain.picks, plain.ranked, plain.role_id, plain.voters) == (1, False, None, "hidden")
    pid = await make_poll(store, 25, picks=4, ranked=True, role_id=2**62, voters=VOTERS_SHOWN)
    poll = await store.polls.get(pid)
    assert poll is not None and (poll.picks, poll.ranked, poll.role_id, poll.voters) == (4, True, 2**62, "shown")
    assert len(poll.options) == 25


async def test_picks_count_once_per_option_held_and_the_same_picks_twice_are_one_ballot(store: Store) -> None:
    pid = await make_poll(store, picks=3)
    first = await store.votes.cast(pid, 1, [4, 0, 2], NOW)
    assert (first.outcome, first.choices) == (VoteOutcome.RECORDED, (0, 2, 4))  # unranked: no order
    again = await store.votes.cast(pid, 1, [2, 4, 0], NOW)
    assert (again.outcome, again.before, again.choices) == (VoteOutcome.UNCHANGED, (0, 2, 4), (0, 2, 4))
    await store.votes.cast(pid, 2, [0], NOW)
    await store.votes.record(pid, 3, 5, NOW)  # a single pick is a ballot like any other
    assert await store.polls.counts(pid) == {0: 2, 2: 1, 4: 1, 5: 1}
    changed = await store.votes.cast(pid, 1, [1, 2], NOW)
    assert (changed.outcome, changed.previous, changed.before) == (VoteOutcome.CHANGED, 0, (0, 2, 4))
    assert await store.polls.counts(pid) == {0: 1, 1: 1, 2: 1, 5: 1}
    withdrawn = await store.votes.withdraw(pid, 1, NOW)
    assert (withdrawn.outcome, withdrawn.before) == (VoteOutcome.WITHDRAWN, (1, 2))
    assert await store.polls.counts(pid) == {0: 1, 5: 1}
    assert [(b.user_id, b.choices) for b in await store.polls.ballots(pid)] == [(2, (0,)), (3, (5,))]


async def test_bad_ballots_store_nothing(store: Store) -> None:
    pid = await make_poll(store, picks=2)
    assert (await store.votes.cast(pid, 1, [0, 1, 2], NOW)).outcome is VoteOutcome.TOO_MANY
    assert (await store.votes.cast(pid, 1, [], NOW)).outcome is VoteOutcome.TOO_MANY
    assert (await store.votes.cast(pid, 1, [1, 1], NOW)).outcome is VoteOutcome.REPEATED
    assert (await store.votes.cast(pid, 1, [0, 6], NOW)).outcome is VoteOutcome.NO_SUCH_OPTION
    single = await make_poll(store)
    assert (await store.votes.cast(single, 1, [0, 1], NOW)).outcome is VoteOutcome.TOO_MANY
    assert await store.polls.ballots(pid) == [] and await store.polls.ballots(single) == []
    await store.votes.cast(pid, 1, [0, 1], NOW)
    refused = await store.votes.cast(pid, 1, [3, 3], NOW)  # a refused change leaves the ballot as it was
    assert (refused.outcome, refused.choices) == (VoteOutcome.REPEATED, (0, 1))
    assert await store.polls.counts(pid) == {0: 1, 1: 1}


async def test_a_ranked_ballot_keeps_its_order_for_the_run_off(store: Store) -> None:
    pid = await make_poll(store, 5, picks=4, ranked=True)
    assert (await store.votes.cast(pid, 1, [3, 0, 4], NOW)).choices == (3, 0, 4)
    assert (await store.votes.cast(pid, 1, [3, 0, 4], NOW)).outcome is VoteOutcome.UNCHANGED
    assert (await store.votes.cast(pid, 1, [0, 3, 4], NOW)).outcome is VoteOutcome.CHANGED  # another order: another ballot
    assert (await store.votes.cast(pid, 2, [2, 1, 2], NOW)).outcome is VoteOutcome.REPEATED
    assert (await store.votes.cast(pid, 2, [0, 1, 2, 3, 4], NOW)).outcome is VoteOutcome.TOO_MANY  # 4 ranks
    await store.votes.cast(pid, 2, [4, 1, 2, 3], NOW)
    assert sorted((b.user_id, b.choices) for b in await store.polls.ballots(pid)) == [(1, (0, 3, 4)), (2, (4, 1, 2, 3))]


async def test_concurrent_ballots_are_one_per_member_and_exact(store: Store) -> None:
    """A burst of 200 members each sending two different picks and the same picks again, all at once:
    one ballot each, the last press standing, every option counted exactly."""
    pid = await make_poll(store, 25, picks=25)
    picks = {user: sorted({user % 25, (user * 7) % 25, (user + 3) % 25}) for user in range(200)}
    presses = []
    for user, chosen in picks.items():
        presses += [store.votes.cast(pid, user, [0, 1], NOW), store.votes.cast(pid, user, chosen, NOW),
                    store.votes.cast(pid, user, list(reversed(chosen)), NOW)]
    results = await asyncio.gather(*presses)
    assert results[2].outcome is VoteOutcome.UNCHANGED  # the third press repeats the second
    expected: dict[int, int] = {}
    for chosen in picks.values():
        for c in chosen:
            expected[c] = expected.get(c, 0) + 1
    assert await store.polls.counts(pid) == expected
    assert len(await store.polls.ballots(pid)) == 200
    assert store.votes.batches < 600 / 5


# --- plain functions: what /poll create accepts, how members vote, what the run-off says -------------


@pytest.mark.parametrize(
    ("options", "picks", "ranked", "expected"),
    [(2, None, False, 1), (3, 3, False, 3), (25, 25, False, 25), (3, None, True, 3), (25, None, True, 4), (4, None, True, 4)],
)
def test_ballot_picks_default_to_one_and_ranks_to_at_most_four(options: int, picks: int | None, ranked: bool, expected: int) -> None:
    assert ballot_picks(options, picks, ranked) == expected


@pytest.mark.parametrize(
    ("options", "picks", "ranked", "says"),
    [
        (3, 4, False, "`picks` may be 1 to 3 for a poll of 3 options (you gave 4)"),
        (3, 0, False, "`picks` may be 1 to 3"),
        (5, 2, True, "A ranked poll takes no `picks`: voters rank up to 4 of its options"),
        (5, 1, True, "A ranked poll takes no `picks`"),
    ],
)
def test_bad_picks_are_refused_saying_what_is_accepted(options: int, picks: int, ranked: bool, says: str) -> None:
    with pytest.raises(PollInputError, match=re.escape(says)):
        ballot_picks(options, picks, ranked)


@pytest.mark.parametrize(
    ("options", "picks", "ranked", "kind"),
    [(2, 1, False, "buttons"), (5, 1, False, "buttons"), (6, 1, False, "select"), (3, 2, False, "select"),
     (25, 25, False, "select"), (3, 3, True, "ranked")],
)
def test_the_ballot_kind_follows_options_picks_and_ranking(options: int, picks: int, ranked: bool, kind: str) -> None:
    assert ballot_kind(options, picks, ranked) == kind


def test_a_ballot_of_several_picks_counts_once_per_option_and_once_as_a_voter() -> None:
    result = tally(["A", "B", "C"], {0: 2, 1: 1, 2: 1}, voters=2)
    assert [(o.votes, o.share) for o in result.options] == [(2, 1.0), (1, 0.5), (1, 0.5)]
    assert [w.label for w in result.winners] == ["A"]


def test_the_run_off_is_told_round_by_round() -> None:
    labels = ["Jancy", "Stancy", "Argyle"]
    ballots = [(0, 1), (0,), (1, 0), (1,), (2,)]
    runoff = instant_runoff(3, ballots)
    result = tally(labels, {0: 2, 1: 2, 2: 1}, 5, runoff)
    assert runoff_lines(result, runoff) == [
        "Round 1: Jancy 2 · Stancy 2 · Argyle 1 — out: Argyle",
        "Round 2: Jancy 2 · Stancy 2 (1 ballot with no choice left)",
    ]
    assert result_sentence(result) == "a tie between **Jancy** and **Stancy** in round 2 of the run-off, 2 votes each, of 5 voters"
    won = tally(labels, {0: 3, 1: 1}, 4, instant_runoff(3, [(0,), (0,), (0,), (1,)]))
    assert result_sentence(won) == "**Jancy** wins the run-off in the first round with 3 votes of 4"
    assert result_sentence(tally(labels, {}, 0, instant_runoff(3, []))) == "nobody voted"


def test_select_values_become_positions_and_forged_ones_no_option() -> None:
    assert chosen_positions(["0", "24", "7"]) == [0, 24, 7]
    assert chosen_positions(["x", "-1", "٣", "999"]) == [-1, -1, -1, -1]


def test_the_csv_has_one_row_per_ballot_and_hashes_voters_per_poll() -> None:
    options = (PollOption(0, "Yes, obviously"), PollOption(1, "@No"), PollOption(2, "Maybe"))
    poll = Poll(7, 1, 2, None, None, 3, "custom", "Q?", None, None, False, False, NOW, NOW, NOW, None, options, ranked=True, picks=3)
    ballots = [Ballot(41, (2, 0), NOW), Ballot(42, (1,), NOW + timedelta(seconds=1))]
    secret = bytes(32)
    rows = ballots_csv(poll, ballots, secret).splitlines()
    assert rows == [
        "ballot,voter,choices,changed_at",
        f'1,{voter_hash(secret, 7, 41)},"Maybe; Yes, obviously",2030-01-01T00:00:00.000000Z',
        f"2,{voter_hash(secret, 7, 42)},'@No,2030-01-01T00:00:01.000000Z",
    ]
    assert voter_hash(secret, 7, 41) == voter_hash(secret, 7, 41) != voter_hash(secret, 8, 41)
    assert voter_hash(secret, 7, 41) != voter_hash(bytes([1] * 32), 7, 41)
    shown = ballots_csv(replace(poll, voters=VOTERS_SHOWN), ballots, secret).splitlines()
    assert [r.split(",")[1] for r in shown[1:]] == ["41", "42"]


async def test_the_voter_secret_is_made_once_and_kept(store: Store) -> None:
    first, again = await asyncio.gather(store.polls.voter_secret(), store.polls.voter_secret())
    assert first == again == await store.polls.voter_secret() and len(first) == 32


async def test_an_extension_moves_the_close_and_its_timer_together(store: Store) -> None:
    pid = await make_poll(store)
    assert await store.polls.extend(pid, timedelta(hours=2), NOW, "poll_close") == NOW + timedelta(hours=3)
    poll = await store.polls.get(pid)
    [timer] = await store.timers.of_guild(1, "poll_close")
    assert poll is not None and poll.closes_at == timer.due_at == NOW + timedelta(hours=3)
    assert (await store.votes.record(pid, 1, 0, NOW + timedelta(hours=2))).outcome is VoteOutcome.RECORDED  # past the old close
    assert await store.polls.extend(pid, timedelta(hours=1), NOW + timedelta(hours=4), "poll_close") is None  # past its deadline
    assert await store.timers.claim(timer.id, NOW + timedelta(hours=3))  # the deadline is being delivered
    assert await store.polls.extend(pid, timedelta(hours=1), NOW, "poll_close") is None
    assert (await store.polls.get(pid)).closes_at == NOW + timedelta(hours=3)  # type: ignore[union-attr]  # rolled back
    closed = await make_poll(store)
    await store.polls.close(closed, NOW, 3)
    assert await store.polls.extend(closed, timedelta(hours=1), NOW, "poll_close") is None


# --- opens: a poll posted later ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-01-02T21:00:00+02:00", datetime(2030, 1, 2, 19, tzinfo=UTC)),
        ("2030-01-02 21:00", datetime(2030, 1, 2, 20, tzinfo=UTC)),  # in the server's zone (Paris: UTC+1 in winter)
        ("2030-01-03", datetime(2030, 1, 2, 23, tzinfo=UTC)),  # a day opens at its midnight there
    ],
)
def test_opens_reads_a_date_time_as_release_set_does(text: str, expected: datetime) -> None:
    assert parse_opening(text, "Europe/Paris", NOW) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [("2029-12-31 10:00", "in the next 30 days"), ("2030-03-01 10:00", "in the next 30 days"),
     ("2030-01", "not a month"), ("Q1 2030", "not a quarter"), ("soon", "`opens` takes a date and time")],
)
def test_opens_refuses_the_past_far_ahead_and_vague_dates(text: str, says: str) -> None:
    with pytest.raises(PollInputError, match=re.escape(says)):
        parse_opening(text, "Europe/Paris", NOW)


async def test_a_poll_that_opens_later_waits_with_its_opening_timer_and_takes_no_vote_until_posted(store: Store) -> None:
    opens = NOW + timedelta(hours=1)
    new = NewPoll(1, 2, 3, "custom", "Later?", [PollOption(0, "A"), PollOption(1, "B")], opens + timedelta(hours=1), opens_at=opens)
    poll = await store.polls.create(new, "poll_close", NOW, "poll_open")
    [timer] = await store.timers.of_guild(1, "poll_open")
    assert poll.opens_at == timer.due_at == opens and timer.payload == {"poll_id": poll.id}
    assert (await store.votes.record(poll.id, 1, 0, NOW)).outcome is VoteOutcome.CLOSED  # not posted yet
    assert poll.id not in [p.id for p in await store.polls.needing_refresh()]  # no message to look for yet
    assert await store.polls.mark_posted(poll.id, 777) and not await store.polls.mark_posted(poll.id, 778)
    posted = await store.polls.get(poll.id)
    assert posted is not None and (posted.opens_at, posted.message_id) == (None, 777)
    assert (await store.votes.record(poll.id, 1, 0, NOW)).outcome is VoteOutcome.RECORDED
