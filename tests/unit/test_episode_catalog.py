"""Episodes among releases: codes members type, time order, autocomplete choices, one line per series,
and a 10,000-episode show asked on every keystroke."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.input.autocomplete import offered
from bot.spoilers.positions import EVERYTHING, NOT_STARTED, at
from cogs.countdown.catalog import release_choice, release_when
from cogs.countdown.episode_pages import PER_PAGE, default_season, episode_line, opening_page, season_page
from cogs.countdown.guild_releases import EpisodeCode, GuildReleases, parse_episode_code
from cogs.countdown.timeline import countdown_line, per_series
from db.facts.dates import parse_partial_date
from db.facts.models import Announcement, Release, ReleaseKind
from tests.figures import record

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
SEVERANCE, OTHER = 1, 2
NAMES = {SEVERANCE: ["Severance", "Lumon"], OTHER: ["Other Show"]}


def dated(rid: int, when: datetime | str) -> tuple[Announcement, ...]:
    text = when if isinstance(when, str) else when.isoformat()
    return (Announcement(rid, 0, parse_partial_date(text, "UTC"), None, None, None, None),)


def episode(rid: int, series: int, season: int, number: int, when: datetime | str, title: str | None = None) -> Release:
    name = NAMES[series][0]
    return Release(
        rid, f"s{season}/e{number}", f"{name} S{season}E{number:02d}", series, season, None, None, dated(rid, when),
        ReleaseKind.EPISODE, number, title,
    )


def season(rid: int, series: int, number: int, when: str) -> Release:
    return Release(rid, f"s{number}", f"{NAMES[series][0]} season {number}", series, number, None, None, dated(rid, when))


def weekly(
    first_id: int, series: int, season_number: int, start: datetime, count: int, step: timedelta = timedelta(weeks=1)
) -> list[Release]:
    return [
        episode(first_id + i, series, season_number, i + 1, start + step * i, f"Chapter {i + 1}")
        for i in range(count)
    ]


@pytest.fixture
def view() -> GuildReleases:
    releases = [
        season(1, SEVERANCE, 2, "2030-01"),
        *weekly(100, SEVERANCE, 2, NOW - timedelta(weeks=4, hours=-1), 10),  # E05 airs in an hour
        episode(200, SEVERANCE, 3, 1, "2031"),
        *weekly(300, OTHER, 1, NOW + timedelta(days=2), 3),
        Release(400, "x", "Some Movie", None, None, None, None, dated(400, "2029-05-01")),
    ]
    releases[5] = episode(104, SEVERANCE, 2, 5, NOW + timedelta(hours=1), "Trojan's Horse")
    return GuildReleases(releases, NAMES)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("severance s2e5", EpisodeCode("severance", 2, "5")),
        ("Severance S02E05", EpisodeCode("severance", 2, "05")),
        ("severance 2x05", EpisodeCode("severance", 2, "05")),
        ("severance s2 e5", EpisodeCode("severance", 2, "5")),
        ("severance s2e", EpisodeCode("severance", 2, "")),
        ("severance s2", EpisodeCode("severance", 2, None)),
        ("The Show season 1 episode 3", EpisodeCode("the show", 1, "3")),
        ("severance", None),
        ("severance season 2", None),  # the season's own name
        ("s2e5", None),  # no series
        ("mrs2e5", None),
        # The complete code is read by the one grammar (db.facts.episode_refs): its forms, its limits.
        ("severance S 02 E 05", EpisodeCode("severance", 2, "05")),
        ("severance 2 x 05", EpisodeCode("severance", 2, "05")),
        ("severance s2e99999", None),  # past the 10,000 episodes a season the grammar allows
        # Still being typed: what the grammar refuses, autocomplete takes.
        ("severance s2e0", EpisodeCode("severance", 2, "0")),
        ("severance 2x", EpisodeCode("severance", 2, "")),
    ],
)
def test_episode_codes(typed: str, code: EpisodeCode | None) -> None:
    assert parse_episode_code(typed) == code


def test_episodes_are_found_by_code_alias_and_own_title(view: GuildReleases) -> None:
    code = parse_episode_code("lumon 2x5")
    assert code is not None and view.episode(code) is not None and view.episode(code).episode_title == "Trojan's Horse"  # type: ignore[union-attr]
    assert view.episode(EpisodeCode("severance", 2, "99")) is None
    assert view.names.best("trojans horse") is not None and view.names.best("trojans horse").target == 104  # type: ignore[union-attr]


def test_upcoming_episodes_come_first_soonest_first_then_the_rest(view: GuildReleases) -> None:
    empty = [r.id for r in view.complete("", NOW)]
    assert empty[:4] == [104, 300, 105, 301]  # in an hour, two days, a week, nine days: soonest first
    assert empty.index(200) < empty.index(103)  # approximate before aired; aired most recent first
    assert empty.index(103) < empty.index(102) < empty.index(400)
    typed = [r.id for r in view.complete("sever", NOW)]
    assert typed[:2] == [104, 105] and 300 not in typed
    assert [r.id for r in view.complete("severance s2e5", NOW)] == [104]
    assert [r.id for r in view.complete("severance s2e1", NOW)][:2] == [100, 109]  # E01 itself first, then E10
    assert [r.id for r in view.complete("severance s2e", NOW)][:2] == [104, 105]
    assert view.complete("severance s2", NOW)[0].id == 1  # the season's own release first
    assert [r.id for r in view.complete("trojan", NOW)] == [104]


def test_choices_fit_discord_and_say_when() -> None:
    long = episode(1, SEVERANCE, 2, 5, NOW + timedelta(days=3), "A" * 200)
    choice = release_choice(long, NOW, BERLIN)
    assert choice is not None
    assert len(choice.name) <= 100 and choice.name.endswith(" · Tue 4 Jun 14:00 CEST · in 3 days") and choice.value == "Severance S2E05"
    short = release_choice(episode(2, SEVERANCE, 2, 5, NOW + timedelta(hours=1), "Trojan's Horse"), NOW, BERLIN)
    assert short is not None and short.name == "Severance S2E05 — “Trojan's Horse” · Sat 1 Jun 15:00 CEST · in 1 hour"


def test_a_choice_shows_an_exact_time_in_the_servers_zone_whatever_zone_it_was_set_in() -> None:
    """Set at 20:00 in London: a Berlin server reads 21:00 CET, a Los Angeles one 12:00 PST; a date known
    only to the day has no time to convert and stays the day as announced."""
    london = Release(7, "s1", "Harbor Lights season 1", OTHER, 1, None, None,
                     (Announcement(7, 0, parse_partial_date("2031-03-01 20:00", "Europe/London"), None, None, None, None),))
    assert release_when(london, NOW, BERLIN) == "Sat 1 Mar 2031 21:00 CET · in 9 months"
    assert release_when(london, NOW, ZoneInfo("America/Los_Angeles")) == "Sat 1 Mar 2031 12:00 PST · in 9 months"
    assert release_when(london, datetime(2031, 6, 1, tzinfo=UTC), BERLIN) == "Sat 1 Mar 21:00 CET"  # past, this year
    assert release_when(season(8, OTHER, 2, "2031-03-01"), NOW, BERLIN) == "in 9 months"
    assert release_when(season(9, OTHER, 3, "2029-03-01"), NOW, BERLIN) == "1 March 2029"
    assert release_when(season(10, OTHER, 4, "summer 2031"), NOW, BERLIN) == "summer 2031"


def test_countdown_says_airs_with_the_label_and_the_season_role(view: GuildReleases) -> None:
    first = view.by_id[100]
    assert view.role(first) == "season premiere" and view.role(view.by_id[109]) == "season finale"
    assert view.role(view.by_id[104]) is None and view.role(view.by_id[200]) == "season premiere"
    line = countdown_line(view.by_id[104], NOW, view.role(view.by_id[104]))
    assert line.startswith("⏳ **Severance S2E05 — “Trojan's Horse”** airs <t:") and "(in 1 hour)" in line
    assert " aired " in countdown_line(first, NOW, "season premiere")
    assert view.next_up(NOW) is view.by_id[104] and view.latest(NOW) is view.by_id[103]
    assert view.next_episode(SEVERANCE, NOW) is view.by_id[104] and view.latest_episode(SEVERANCE, NOW) is view.by_id[103]


def test_per_series_folds_episodes_into_one_line() -> None:
    releases = [*weekly(1, SEVERANCE, 1, NOW, 5), season(50, OTHER, 1, "2031"), *weekly(60, OTHER, 1, NOW, 2)]
    folded = per_series(releases)
    assert [(r.id, n) for r, n in folded] == [(1, 4), (50, 0), (60, 1)]


def test_a_ten_thousand_episode_show_is_indexed_once_and_asked_quickly() -> None:
    releases = weekly(1, SEVERANCE, 1, NOW - timedelta(days=9000, hours=1), 10_000, timedelta(days=1))  # a daily soap
    started = time.perf_counter()
    view = GuildReleases(releases, NAMES)
    build = time.perf_counter() - started
    asks = ["", "s", "sev", "severance", "severance s1e", "severance s1e95", "severance 1x9500", "chapter 9", "lumon s1e12"]
    started = time.perf_counter()
    for _ in range(20):
        for typed in asks:
            choices = offered(release_choice(r, NOW, BERLIN) for r in view.complete(typed, NOW))
            assert len(choices) <= 25 and all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)
    per_ask = (time.perf_counter() - started) / (20 * len(asks))
    record("release index build, 10,000 episodes (ms)", round(build * 1000, 1))
    record("release autocomplete, 10,000 episodes, mean per keystroke (ms)", round(per_ask * 1000, 2))
    assert view.complete("severance", NOW)[0].episode == 9002  # the next one to air (9001 aired an hour ago)
    assert view.complete("severance 1x9500", NOW)[0].episode == 9500
    assert per_ask < 0.02


def test_a_long_season_is_paged_and_opens_on_the_next_episode() -> None:
    season_list = weekly(1, OTHER, 1, NOW - timedelta(days=100, hours=1), 300, timedelta(days=1))
    assert opening_page(season_list, NOW) == 100 // PER_PAGE  # episode 101 airs next
    first = season_page(season_list, 0, NOW, position=EVERYTHING)
    assert (first.page, first.pages, first.total, len(first.lines)) == (0, 20, 300, PER_PAGE)
    assert first.lines[0].startswith("**E01** — “Chapter 1” — <t:") and first.lines[0].endswith("· *season premiere*")
    last = season_page(season_list, 99, NOW, position=EVERYTHING)  # past the end: the last page
    assert last.page == 19 and last.lines[-1].startswith("**E300**") and last.lines[-1].endswith("· *season finale*")
    assert all(len("\n".join(season_page(season_list, p, NOW, position=EVERYTHING).lines)) < 4096 for p in range(20))
    assert opening_page(season_list, NOW + timedelta(days=400)) == 0  # all aired: from the start


def test_episode_lines_show_titles_literally_and_dates_at_their_precision() -> None:
    odd = episode(1, OTHER, 1, 3, "2031", "**Bold** <@&1> " + "x" * 200)
    line = episode_line(odd, NOW)
    assert line.startswith("**E03** — “\\*\\*Bold\\*\\* \\<@&1\\> x") and line.endswith("…” — 2031 (approximate)")
    special = Release(2, "sp", "Other Show S1 special", OTHER, 1, None, None, (), ReleaseKind.SPECIAL, None, "Behind")
    assert episode_line(special, NOW) == "**Special** — “Behind” — date unknown"


def test_the_default_season_is_the_one_airing_next_else_the_latest(view: GuildReleases) -> None:
    assert default_season(view, SEVERANCE, NOW) == 2
    assert default_season(view, SEVERANCE, NOW + timedelta(days=3650)) == 3  # the latest with episodes listed
    assert default_season(view, 99, NOW) is None
    assert view.season_numbers(SEVERANCE) == [2, 3]


def test_the_default_season_is_one_whose_episodes_are_listed() -> None:
    """A season announced for next month with only a bare count is not opened: the one airing now or
    next among the listed ones is, else the latest listed; with none listed, there is no default."""
    aired = weekly(100, SEVERANCE, 2, NOW - timedelta(weeks=20), 6)
    announced = season(1, SEVERANCE, 3, (NOW + timedelta(days=30)).isoformat())
    view = GuildReleases([*aired, announced, season(2, SEVERANCE, 1, "2020-01-01")], NAMES)
    assert default_season(view, SEVERANCE, NOW) == 2
    airing = weekly(300, SEVERANCE, 4, NOW + timedelta(days=60), 3)
    view = GuildReleases([*aired, announced, *airing], NAMES)
    assert default_season(view, SEVERANCE, NOW) == 4  # season 3's date comes first, but lists nothing
    bare = GuildReleases([announced, season(2, SEVERANCE, 1, "2020-01-01")], NAMES)
    assert default_season(bare, SEVERANCE, NOW) is None and bare.season_numbers(SEVERANCE) == [1, 3]


def test_a_season_counts_its_numbered_episodes_and_its_specials_apart() -> None:
    numbered = weekly(1, OTHER, 1, NOW - timedelta(weeks=10), 6)
    specials = [Release(50 + i, f"sp{i}", f"Other Show special {i}", OTHER, 1, None, None, (), ReleaseKind.SPECIAL, None, "Extra")
                for i in range(2)]
    assert season_page(numbered + specials, 0, NOW, position=EVERYTHING).count == "6 episodes · 2 specials"
    assert season_page(numbered[:1], 0, NOW, position=EVERYTHING).count == "1 episode"
    assert season_page(specials[:1], 0, NOW, position=EVERYTHING).count == "1 special"


def test_episodes_after_the_position_keep_number_and_time_but_hide_titles_in_spoiler_bars() -> None:
    """A title with `||` of its own stays escaped inside the bars, so it cannot close them early."""
    numbered = weekly(1, OTHER, 1, NOW - timedelta(weeks=10), 3)
    undated = Release(60, "sp", "Other Show special", OTHER, 1, None, None, (), ReleaseKind.SPECIAL, None, "Re||veal")
    lines = season_page([*numbered, undated], 0, NOW, position=at(1, 2)).lines
    assert lines[0].startswith("**E01** — “Chapter 1” — <t:") and lines[1].startswith("**E02** — “Chapter 2” — <t:")
    assert lines[2].startswith("**E03** — ||“Chapter 3”|| — <t:") and lines[2].endswith("· *season finale*")
    assert lines[3] == "**Special** — ||“Re\\|\\|veal”|| — date unknown"  # undated: after the last episode
    assert all("||" not in line for line in season_page(numbered, 0, NOW, position=EVERYTHING).lines)
    assert all("||“" in line for line in season_page(numbered, 0, NOW, position=NOT_STARTED).lines)
