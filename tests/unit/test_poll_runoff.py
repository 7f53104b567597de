"""Instant run-off for ranked polls: a majority in round one, eliminations, exhausted ballots and ties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogs.polls.runoff import instant_runoff, repeated_choice


def test_a_majority_in_round_one_wins_at_once() -> None:
    result = instant_runoff(3, [[0, 1], [0, 2], [0], [1, 0], [2]])
    assert result.winners == (0,) and len(result.rounds) == 1
    assert result.rounds[0].counts == {0: 3, 1: 1, 2: 1} and result.rounds[0].eliminated == ()


def test_the_last_is_eliminated_and_its_ballots_move_on() -> None:
    # A 4, B 3, C 2: C goes; its two ballots rank B next, so B wins 5–4 in round two.
    ballots = [[0]] * 4 + [[1]] * 3 + [[2, 1]] * 2
    result = instant_runoff(3, ballots)
    assert [r.counts for r in result.rounds] == [{0: 4, 1: 3, 2: 2}, {0: 4, 1: 5}]
    assert result.rounds[0].eliminated == (2,) and result.winners == (1,)


def test_exhausted_ballots_stop_counting() -> None:
    # C's ballots rank nothing else: they are exhausted, and A's 4 of the 7 still counting is a majority.
    ballots = [[0]] * 4 + [[1]] * 3 + [[2]] * 2
    result = instant_runoff(3, ballots)
    assert result.rounds[1].exhausted == 2 and result.rounds[1].counts == {0: 4, 1: 3}
    assert result.winners == (0,) and result.ballots == 9


def test_a_tie_for_last_is_broken_by_the_earlier_rounds() -> None:
    # Round 1: A 4, B 3, C 2, D 2 → C and D tie with no earlier round: both go.
    ballots = [[0]] * 4 + [[1]] * 3 + [[2, 0]] * 2 + [[3, 1]] * 2
    result = instant_runoff(4, ballots)
    assert result.rounds[0].eliminated == (2, 3)
    assert result.rounds[1].counts == {0: 6, 1: 5} and result.winners == (0,)
    # Round 1: A 3, B 2, C 2, D 1 → D goes to C; round 2: A 3, B 2, C 3 → B last; A and C tie at 4 each in
    # round 3 after B's ballots split: level, they share the win (round 1, where C had fewer, does not decide).
    ballots = [[0]] * 3 + [[1, 0]] + [[1, 2]] + [[2]] * 2 + [[3, 2]]
    result = instant_runoff(4, ballots)
    assert [r.eliminated for r in result.rounds] == [(3,), (1,), ()]
    assert result.rounds[2].counts == {0: 4, 2: 4}
    assert result.winners == (0, 2) and result.tied


def test_a_two_way_tie_shares_the_win_and_nobody_voting_has_no_winner() -> None:
    assert instant_runoff(2, [[0], [1]]).winners == (0, 1)
    empty = instant_runoff(3, [])
    assert empty.winners == () and empty.ballots == 0 and empty.rounds[0].counts == {0: 0, 1: 0, 2: 0}


def test_repeated_choices_are_found() -> None:
    assert repeated_choice([0, 1, 0]) == 0 and repeated_choice([2, 1, 0]) is None and repeated_choice([]) is None


@given(st.integers(2, 6).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.permutations(range(n)).map(list), max_size=30))))
def test_the_winner_is_always_an_option_and_every_round_counts_every_ballot(case: tuple[int, list[list[int]]]) -> None:
    options, ballots = case
    result = instant_runoff(options, ballots)
    assert all(0 <= w < options for w in result.winners)
    for r in result.rounds:  # full rankings never exhaust
        assert r.counted == len(ballots) and r.exhausted == 0
    if ballots:
        assert result.winners
        last = result.rounds[-1].counts
        assert all(last[w] == max(last.values()) for w in result.winners)


def test_a_tie_for_last_looks_back_to_the_round_where_they_differed() -> None:
    # Round 1: A 6, B 3, C 4, D 1 (D → B): round 2 A 6, B 4, C 4: B and C tie; round 1 had B 3 < C 4, so B goes.
    ballots = [[0]] * 6 + [[1]] * 3 + [[2]] * 4 + [[3, 1]]
    result = instant_runoff(4, ballots)
    assert [r.eliminated for r in result.rounds[:2]] == [(3,), (1,)]
    assert result.rounds[2].counts == {0: 6, 2: 4} and result.winners == (0,)
