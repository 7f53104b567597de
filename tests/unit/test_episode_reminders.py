"""Episode reminders: premieres only or every episode, the rolling horizon, one reminder for a premiere
that is also an episode, moves found in a re-plan; and the store's window query on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.scheduling.scheduler import Scheduler
from cogs.countdown.delivery import move_text, personal_text, reminder_text, remindme_cancelled_text, remindme_moved_text
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.wanted_timers import (
    CHANNEL_REMINDER,
    HORIZON,
    HORIZON_TICK,
    MOVE_NOTICE,
    PERSONAL_REMINDER,
    REMINDME_NOTICE,
    channel_reminders,
    move_notices,
    moves_in_plan,
    personal_moves,
    reminded,
    stored_title,
    worth_telling,
)
from db import DefaultFandoms, Store
from db.facts.dates import parse_partial_date
from db.facts.models import Announcement, Release, ReleaseKind, ReleaseMove
from db.repos.subscriptions import Subscription

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SERIES = 5


def dated(rid: int, moment: datetime, kind: ReleaseKind, season: int = 1, episode: int | None = None,
          title: str | None = None) -> Release:
    short = f"Show S{season}E{episode:02d}" if episode else f"Show season {season}"
    date = parse_partial_date(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "UTC")
    return Release(rid, f"r{rid}", short, SERIES, season, None, None, (Announcement(rid, 0, date, None, None, None, None),),
                   kind=kind, episode=episode, episode_title=title)


def sub(sid: int, episodes: bool, offsets: tuple[int, ...] = (0,)) -> Subscription:
    return Subscription(sid, 1, 100 + sid, None, offsets, True, None, None, 7, episodes=episodes)


WEEK = timedelta(days=7)
NINE_DAYS = timedelta(days=9)
# Season 1 has no release of its own: its first episode is its premiere. Season 2 has one, at the
# same instant as its first episode.
S1 = [dated(10 + n, NOW + n * WEEK, ReleaseKind.EPISODE, 1, n, f"Ep {n}") for n in (1, 2, 3)]
S2_OWN = dated(20, NOW + 10 * WEEK, ReleaseKind.RELEASE, 2)
S2E1 = dated(21, NOW + 10 * WEEK, ReleaseKind.EPISODE, 2, 1)
SPECIAL = dated(30, NOW + 2 * WEEK + timedelta(days=1), ReleaseKind.SPECIAL, 1)
ALL = [*S1, S2_OWN, S2E1, SPECIAL]
OPENERS = {11: False, 21: True}  # first episodes → whether their season has its own release


def planned(subscription: Subscription, until: datetime | None = None) -> list[int]:
    return [s.payload["release_id"] for s in channel_reminders(1, [subscription], ALL, NOW, OPENERS, until)]


def test_premieres_only_is_series_and_season_premieres() -> None:
    assert planned(sub(1, episodes=False)) == [11, 20]  # S1E01 stands for season 1; season 2 has its own


def test_every_episode_reminds_a_shared_premiere_once_as_the_episode() -> None:
    assert sorted(planned(sub(1, episodes=True))) == [11, 12, 13, 21, 30]
    assert [r.id for r in reminded(ALL, OPENERS)] == [11, 12, 13, 21, 30]
    apart = dated(21, NOW + 11 * WEEK, ReleaseKind.EPISODE, 2, 1)  # a season release a week before its episode
    assert [r.id for r in reminded([S2_OWN, apart], OPENERS)] == [20, 21]


def test_the_horizon_bounds_what_is_planned() -> None:
    assert planned(sub(1, episodes=True), until=NOW + 2 * WEEK) == [11, 12]
    due = channel_reminders(1, [sub(1, True, (3 * 86400, 0))], ALL, NOW, OPENERS, until=NOW + 2 * WEEK)
    # The special starts on day 15, past a 14-day horizon, but its reminder three days before falls due
    # inside it; S1E03's (day 21, so day 18) does not.
    assert sorted((s.payload["release_id"], s.payload["offset"]) for s in due) == [
        (11, 0), (11, 259200), (12, 0), (12, 259200), (30, 259200)
    ]
    assert timedelta(days=35) == HORIZON


def test_reminders_name_the_episode_and_say_airs() -> None:
    premiere = channel_reminders(1, [sub(1, True)], [S1[0]], NOW, OPENERS)[0]
    assert premiere.payload["premiere"] is True
    stamp = int(S1[0].current.date.starts_at.timestamp())  # type: ignore[union-attr]
    text = reminder_text(S1[0], NOW + WEEK, 0, None, premiere=True)
    assert text == f"🎬 **Show S1E01 — “Ep 1”**, the season premiere, airs now! <t:{stamp}:F>."
    assert reminder_text(S1[1], NOW + WEEK, 3600, None).startswith("⏰ **Show S1E02 — “Ep 2”** airs <t:")
    assert reminder_text(S2_OWN, NOW + WEEK, 0, None).startswith("🎬 **Show season 2** is out now!")


def test_an_episode_past_the_position_is_named_by_its_code_its_title_only_in_spoiler_bars() -> None:
    """Reminders, move notices and /remindme DMs of an unwatched episode (issue 25): the series and code
    plain, the title barred and escaped so it cannot close the bars; a premiere is unchanged."""
    sharp = dated(12, NOW + WEEK, ReleaseKind.EPISODE, 1, 2, "Ep || 2")
    stamp = int((NOW + WEEK).timestamp())
    barred = "**Show S1E02** — ||“Ep \\|\\| 2”||"
    assert reminder_text(sharp, NOW + WEEK, 0, 9, premiere=True, barred=True) == (
        f"<@&9> 🎬 {barred}, the season premiere, airs now! <t:{stamp}:F>."
    )
    assert reminder_text(sharp, NOW + WEEK, 3600, None, barred=True).startswith(f"⏰ {barred} airs <t:")
    assert reminder_text(S2_OWN, NOW + WEEK, 0, None, barred=True).startswith("🎬 **Show season 2** is out now!")
    assert move_text(sharp, NOW, NOW + WEEK, barred=True).startswith(f"📅 {barred} moved: was <t:")
    assert personal_text(sharp, NOW + WEEK, barred=True) == (
        f"🎬 {barred} airs now — <t:{stamp}:F>. (You asked me with /remindme.)"
    )
    assert personal_text(sharp, NOW + WEEK).startswith("🎬 **Show S1E02 — “Ep \\|\\| 2”** airs now")
    assert remindme_moved_text(sharp, NOW, NOW + WEEK, " in **Guild**", barred=True).startswith(f"📅 {barred} in **Guild** moved")


def test_a_cancelled_remindme_names_the_release_as_shown_else_its_kept_title_never_an_episodes_own_title() -> None:
    """The DM saying a /remindme will not come: the release as the member may see it while it is listed;
    once gone, the title the timer kept — a timer planned before titles were kept apart stored the whole
    label, and its episode title is cut."""
    base = {"reason": "removed", "release_id": 12, "user_id": 42}
    assert stored_title({"title": "Show S1E02"}) == "Show S1E02"
    assert stored_title({"label": "Show S1E02 — “Ep 2”"}) == "Show S1E02"
    assert stored_title({"label": "Show season 2"}) == "Show season 2"
    assert stored_title({}) is None
    legacy = remindme_cancelled_text(base | {"label": "Show S1E02 — “Ep 2”"}, NOW, "Guild")
    assert legacy.startswith("🚫 **Show S1E02** was removed in **Guild**") and "Ep 2" not in legacy
    shown = remindme_cancelled_text(base | {"reason": "undated", "title": "Show S1E02"}, NOW, None, "**Show S1E02** — ||“Ep 2”||")
    assert shown.startswith("🚫 **Show S1E02** — ||“Ep 2”|| no longer has an exact date")
    assert remindme_cancelled_text(base, NOW, None).startswith("🚫 A release you asked me to remind you of was removed")


def test_moves_are_found_from_the_reminders_a_replan_cancelled() -> None:
    wanted = channel_reminders(1, [sub(1, True, (3600, 0))], [dated(12, NOW + NINE_DAYS, ReleaseKind.EPISODE, 1, 2)], NOW, {})
    old = int((NOW + WEEK).timestamp())
    cancelled = [f"reminder:1:12:3600:{old}", f"reminder:1:12:0:{old}", f"reminder:1:13:0:{old}", "remindme:4:99"]
    moves = moves_in_plan(cancelled, wanted)
    assert [(m.release_id, m.before, m.after) for m in moves] == [(12, old, int((NOW + NINE_DAYS).timestamp())), (13, old, None)]


def test_a_move_is_told_when_it_touches_the_horizon_and_only_to_channels_that_want_it() -> None:
    assert worth_telling(NOW + WEEK, NOW + 2 * WEEK, NOW)
    assert worth_telling(NOW + 60 * WEEK, NOW + WEEK, NOW)
    assert not worth_telling(NOW + 60 * WEEK, NOW + 61 * WEEK, NOW)  # months away on both sides
    assert not worth_telling(NOW - WEEK, NOW - 2 * WEEK, NOW)  # a past episode's correction
    assert not worth_telling(None, NOW + WEEK, NOW)  # a new episode: its reminders say enough
    moved = dated(12, NOW + NINE_DAYS, ReleaseKind.EPISODE, 1, 2, "Ep 2")
    move = ReleaseMove(12, "show", moved.label, NOW + WEEK, NOW + NINE_DAYS)
    notices = move_notices(1, [sub(1, True), sub(2, False)], moved, move, OPENERS, NOW)
    assert [n.payload["subscription_id"] for n in notices] == [1]
    again = move_notices(1, [sub(1, True)], moved, move, OPENERS, NOW + timedelta(minutes=5))
    assert again[0].key == notices[0].key  # planned twice, posted once
    first = dated(11, NOW + NINE_DAYS, ReleaseKind.EPISODE, 1, 1)
    premiere_move = ReleaseMove(11, "show", first.label, NOW + WEEK, NOW + NINE_DAYS)
    assert len(move_notices(1, [sub(1, True), sub(2, False)], first, premiere_move, OPENERS, NOW)) == 2
    overridden = ReleaseMove(12, "show", moved.label, NOW + WEEK, NOW + 3 * WEEK)  # the guild set its own date
    assert move_notices(1, [sub(1, True)], moved, overridden, OPENERS, NOW) == []
    before, after = int((NOW + WEEK).timestamp()), int((NOW + NINE_DAYS).timestamp())
    assert move_text(moved, NOW + WEEK, NOW + NINE_DAYS) == (
        f"📅 **Show S1E02 — “Ep 2”** moved: was <t:{before}:F>, now <t:{after}:F> (<t:{after}:R>)"
    )


PACK = """format: 1
pack: {id: weekly, title: Weekly}
sources:
  a: {title: An article}
series:
  show:
    title: The Show
    source: a
    seasons:
      - number: 1
        source: a
        episodes:
          - {number: 1, title: Good News, date: "2030-01-05T02:00:00+00:00"}
          - {number: 2, title: Half Loop, date: "2030-01-12T02:00:00+00:00"}
          - {number: 3, date: "2030-01-19T02:00:00+00:00"}
      - number: 2
        source: a
        release: [{date: "2030-03-01T02:00:00+00:00", source: a}]
        episodes:
          - {number: 1, date: "2030-03-01T02:00:00+00:00"}
          - {number: 2, date: "2030-03-08T02:00:00+00:00"}
"""


async def test_starting_between_finds_releases_by_their_current_date_for_the_guild(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(PACK)
    await store.packs.import_file(path)
    for guild in (1, 2):
        await store.fandoms.set_following(guild, frozenset({"weekly"}), 7, NOW)
    await store.fandoms.set_following(3, frozenset(), 7, NOW)
    jan = (NOW, NOW + timedelta(days=14))
    assert [r.title for r in await store.releases.starting_between(1, *jan)] == ["The Show S1E01", "The Show S1E02"]
    assert await store.releases.starting_between(3, *jan) == []  # a guild that follows nothing sees nothing
    by_title = {r.title: r for r in await store.releases.visible(1)}
    second, third = by_title["The Show S1E02"], by_title["The Show S1E03"]
    # Guild 1 moves S1E02 out of the window and S1E03 into it: its own dates supersede the pack's.
    await store.release_writer.set_date(1, second.title, parse_partial_date("2030-02-01 12:00", "UTC"), 7, NOW, second.id)
    await store.release_writer.set_date(1, third.title, parse_partial_date("2030-01-02 12:00", "UTC"), 7, NOW, third.id)
    assert [r.title for r in await store.releases.starting_between(1, *jan)] == ["The Show S1E03", "The Show S1E01"]
    assert [r.title for r in await store.releases.starting_between(2, *jan)] == ["The Show S1E01", "The Show S1E02"]
    openers = await store.releases.season_openers([r.id for r in by_title.values()])
    assert {by_title_id(by_title, i): own for i, own in openers.items()} == {"The Show S1E01": False, "The Show S2E01": True}
    assert [r.title for r in await store.releases.by_ids([third.id, second.id], 1)] == ["The Show S1E02", "The Show S1E03"]


def by_title_id(by_title: dict[str, Release], release_id: int) -> str:
    return next(title for title, r in by_title.items() if r.id == release_id)


async def test_subscriptions_keep_their_episode_choice_and_are_found_by_fandom(store: Store) -> None:
    first, created = await store.subscriptions.upsert(1, 100, None, (0,), 7, NOW, True)
    assert created and first.episodes
    kept, _ = await store.subscriptions.upsert(1, 100, None, (3600,), 7, NOW)  # no choice given: kept
    assert kept.episodes and kept.offsets == (3600,)
    changed, _ = await store.subscriptions.upsert(1, 100, None, (3600,), 7, NOW, False)
    assert not changed.episodes
    await store.subscriptions.upsert(2, 200, None, (0,), 7, NOW)
    await store.subscriptions.upsert(3, 300, None, (0,), 7, NOW)
    await store.fandoms.set_following(1, frozenset({"weekly"}), 7, NOW)
    await store.fandoms.set_following(2, frozenset({"other"}), 7, NOW)
    # guild 3 never chose: it sees the pack only if the default fandoms include it
    assert await store.subscriptions.guilds_with_reminders_following("weekly") == [1, 3]
    assert [s.guild_id for s in await store.subscriptions.active_following("weekly")] == [1, 3]
    store.fandoms.default = DefaultFandoms.parse("none")
    assert await store.subscriptions.guilds_with_reminders_following("weekly") == [1]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def pending(store: Store, guild_id: int | None, kind: str) -> list[str]:
    return [t.key for t in await store.timers.of_guild(guild_id, kind)]


async def test_a_fandom_replan_plans_its_followers_announces_moves_once_and_the_daily_timer_extends_the_horizon(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(PACK)
    await store.packs.import_file(path)
    clock = Clock(NOW)
    planner = ReminderPlanner(store, Scheduler(store, clock=clock), clock)
    for guild, keys, episodes in ((1, {"weekly"}, True), (2, {"weekly"}, False), (3, set(), True)):
        await store.fandoms.set_following(guild, frozenset(keys), 7, NOW)
        await store.subscriptions.upsert(guild, 100 + guild, None, (0,), 7, NOW, episodes)
    await planner.replan_fandom("weekly")
    assert [len(await pending(store, g, CHANNEL_REMINDER)) for g in (1, 2, 3)] == [3, 1, 0]  # March is beyond the horizon

    # The pack moves S1E02 by two days: guild 1's channel (every episode) is told once; guild 2's is not.
    path.write_text(PACK.replace("2030-01-12T02:00", "2030-01-14T02:00"))
    await store.packs.import_file(path)
    await planner.replan_fandom("weekly")
    [notice] = await pending(store, 1, MOVE_NOTICE)
    assert await pending(store, 2, MOVE_NOTICE) == []
    second = next(r for r in await store.releases.visible(1) if r.episode == 2)
    move = ReleaseMove(second.id, "weekly", second.label, datetime(2030, 1, 12, 2, tzinfo=UTC), datetime(2030, 1, 14, 2, tzinfo=UTC))
    assert await planner.announce_moves("weekly", [move]) == 0  # the importer's report of it: the same key
    assert await pending(store, 1, MOVE_NOTICE) == [notice]

    # The daily timer: one for the whole bot; forty days on, season 2 comes within the horizon.
    await planner.keep_horizon()
    await planner.keep_horizon()
    [tick] = await store.timers.of_guild(None, HORIZON_TICK)
    assert tick.key == "horizon:2030-01-02"
    clock.now = NOW + timedelta(days=40)
    assert await store.timers.claim(tick.id, clock.now)
    outcome = await planner.horizon_tick(tick)
    await store.timers.finish(tick.id, outcome.state, outcome.note, clock.now)
    assert outcome.note == "3 guild(s) re-planned"
    assert len(await pending(store, 1, CHANNEL_REMINDER)) == 2  # S2E01 (also the season's own date, once) and S2E02
    assert len(await pending(store, 2, CHANNEL_REMINDER)) == 1  # season 2's own date
    assert await pending(store, None, HORIZON_TICK) == ["horizon:2030-02-11"]


async def test_a_moved_remindme_is_told_once_however_often_it_is_re_planned(store: Store, tmp_path: Path) -> None:
    """The DM is a timer keyed by the move, planned in the re-plan that cancelled the old reminder: a
    re-plan after a restart, or in another process, finds nothing more to tell."""
    path = tmp_path / "weekly.yaml"
    path.write_text(PACK)
    await store.packs.import_file(path)
    clock = Clock(NOW)
    planner = ReminderPlanner(store, Scheduler(store, clock=clock), clock)
    await store.fandoms.set_following(1, frozenset({"weekly"}), 7, NOW)
    second = next(r for r in await store.releases.visible(1) if r.episode == 2)
    await planner.apply(1, lambda: store.personal_reminders.add(1, 42, second.id, NOW))
    assert await pending(store, 1, PERSONAL_REMINDER) == [f"remindme:1:{int(datetime(2030, 1, 12, 2, tzinfo=UTC).timestamp())}"]

    path.write_text(PACK.replace("2030-01-12T02:00", "2030-01-14T02:00"))
    await store.packs.import_file(path)
    for _ in range(3):
        await planner.replan_fandom("weekly")
        await planner.replan_all()
    [notice] = await store.timers.of_guild(1, REMINDME_NOTICE)
    before, after = (int(datetime(2030, 1, d, 2, tzinfo=UTC).timestamp()) for d in (12, 14))
    assert (notice.payload["user_id"], notice.payload["before"], notice.payload["after"]) == (42, before, after)
    assert notice.payload["title"] == second.title == "The Show S1E02" and notice.due_at == NOW  # never its own title


def test_a_remindme_cancelled_only_because_it_is_due_is_no_news() -> None:
    due = int(NOW.timestamp())
    ahead = due + 3600
    moves = personal_moves([f"remindme:1:{due}", f"remindme:2:{ahead}", "reminder:1:2:0:5"], [], NOW)
    assert [(m.reminder_id, m.before, m.after) for m in moves] == [(2, ahead, None)]
