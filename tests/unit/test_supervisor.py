"""`python -m bot launch`: its arguments, how shards are shared out, each child's environment, the restart back-off."""

from __future__ import annotations

import pytest

from bot.__main__ import build_parser
from bot.launch.plan import (
    LaunchError,
    ProcessShare,
    ShardChoice,
    plan_processes,
    refuse_sqlite,
)
from bot.launch.supervisor import RestartBackoff, describe_exit


def test_no_arguments_runs_one_bot() -> None:
    assert build_parser().parse_args([]).command is None


@pytest.mark.parametrize(("argv", "processes"), [(["launch", "--processes", "3"], 3), (["launch", "--processes=1"], 1), (["launch"], 1)])
def test_launch_takes_a_process_count(argv: list[str], processes: int) -> None:
    args = build_parser().parse_args(argv)
    assert (args.command, args.processes) == ("launch", processes)


@pytest.mark.parametrize("bad", ["0", "-2", "two", "1.5", "", "²"])
def test_a_bad_process_count_exits_2_with_usage_and_what_is_accepted(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["launch", "--processes", bad])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m bot launch")
    assert f"--processes: must be a whole number of 1 or more, not {bad!r}" in err


def test_the_back_off_doubles_from_one_second_to_the_cap() -> None:
    backoff = RestartBackoff(first=1.0, cap=60.0, stable_after=60.0)
    assert [backoff.after_exit(ran_for=2.0) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_stable_run_resets_the_back_off() -> None:
    backoff = RestartBackoff(first=1.0, cap=60.0, stable_after=60.0)
    assert [backoff.after_exit(ran_for=5.0) for _ in range(4)] == [1, 2, 4, 8]
    assert backoff.after_exit(ran_for=60.0) == 1  # it ran a minute: the crash loop is over
    assert backoff.after_exit(ran_for=59.9) == 2


@pytest.mark.parametrize(("code", "said"), [(-9, "code -9 (SIGKILL)"), (-15, "code -15 (SIGTERM)"), (1, "code 1"), (0, "code 0")])
def test_an_exit_is_described_with_its_signal(code: int, said: str) -> None:
    assert describe_exit(code) == said


def test_each_child_gets_the_environment_plus_its_shards() -> None:
    base = {"DISCORD_TOKEN": "t", "DATABASE_URL": "postgresql://h/db", "SHARD_IDS": "0-9"}
    share = ProcessShare(index=2, shard_ids=(4, 5), shard_count=6)
    env = share.environment(base)
    assert env == {"DISCORD_TOKEN": "t", "DATABASE_URL": "postgresql://h/db", "SHARD_COUNT": "6", "SHARD_IDS": "4-5"}
    assert base["SHARD_IDS"] == "0-9"  # the launcher's own environment is left alone


@pytest.mark.parametrize(
    ("share", "label"),
    [(ProcessShare(2, (4, 5), 6), "process 2 (shards 4-5)"), (ProcessShare(0, (0,), 1), "process 0 (shard 0)"),
     (ProcessShare(1, (0, 2, 5), 8), "process 1 (shards 0,2,5)")],
)
def test_a_process_is_named_by_its_shards_in_the_log(share: ProcessShare, label: str) -> None:
    assert share.label == label


def test_the_plan_splits_every_shard_over_the_processes_evenly_and_contiguously() -> None:
    plan = plan_processes(3, ShardChoice(count=6, ids=None), recommended=None)
    assert [(p.index, p.shard_ids, p.shard_count) for p in plan] == [(0, (0, 1), 6), (1, (2, 3), 6), (2, (4, 5), 6)]
    assert [p.shard_ids for p in plan_processes(4, ShardChoice(count=6, ids=None), recommended=None)] == [(0, 1), (2, 3), (4,), (5,)]
    plan = plan_processes(7, ShardChoice(count=101, ids=None), recommended=None)
    assert [s for p in plan for s in p.shard_ids] == list(range(101))
    assert {len(p.shard_ids) for p in plan} == {14, 15}


def test_the_plan_splits_only_the_operators_shard_ids() -> None:
    plan = plan_processes(2, ShardChoice(count=8, ids=(0, 2, 5, 7)), recommended=None)
    assert [p.shard_ids for p in plan] == [(0, 2), (5, 7)]
    assert {p.shard_count for p in plan} == {8}


def test_discords_recommendation_is_used_and_raised_to_one_shard_per_process() -> None:
    assert [p.shard_ids for p in plan_processes(2, ShardChoice(None, None), recommended=4)] == [(0, 1), (2, 3)]
    plan = plan_processes(3, ShardChoice(None, None), recommended=1)
    assert [(p.shard_ids, p.shard_count) for p in plan] == [((0,), 3), ((1,), 3), ((2,), 3)]


@pytest.mark.parametrize(
    ("processes", "choice", "recommended", "says"),
    [(3, ShardChoice(2, None), None, "--processes 3 needs at least 3 shards, one per process, but SHARD_COUNT is 2"),
     (3, ShardChoice(8, (0, 1)), None, "--processes 3 needs at least 3 shards, one per process, but SHARD_IDS names 2 (0-1)"),
     (1, ShardChoice(4, (2, 4)), None, "SHARD_IDS names shard 4, but SHARD_COUNT is 4: shard ids run from 0 to 3"),
     (1, ShardChoice(None, (0, 5)), 2, "SHARD_IDS names shard 5, but GET /gateway/bot recommends 2 shards: shard ids run from 0 to 1")],
)
def test_a_plan_that_cannot_give_each_process_a_shard_is_refused(
    processes: int, choice: ShardChoice, recommended: int | None, says: str
) -> None:
    with pytest.raises(LaunchError) as refused:
        plan_processes(processes, choice, recommended=recommended)
    assert str(refused.value).startswith(says)
    assert refused.value.status == 2


def test_sqlite_serves_one_process_only() -> None:
    refuse_sqlite(1, "sqlite:///data/fandex.sqlite3")
    refuse_sqlite(3, "postgresql://fandex@db/fandex")
    refuse_sqlite(3, "postgres://fandex@db/fandex")
    with pytest.raises(LaunchError) as refused:
        refuse_sqlite(3, "sqlite:////srv/fandex.sqlite3")
    assert str(refused.value) == (
        "--processes 3 needs PostgreSQL; SQLite serves one process — set DATABASE_URL=postgresql://… (see README, Scaling out)"
    )

