"""What a watch-along posts, as text: the thread's name within Discord's 100 characters, the starter's
ping only of the configured role, the closed line, and /ratings' episode lines."""

from __future__ import annotations

from datetime import UTC, datetime

from cogs.watchalong.ratings import rating_line
from cogs.watchalong.starter import closed_line, starter_text, thread_name
from db.facts.models import Release, ReleaseKind
from db.repos.watchalong.ratings import RatingSummary


def episode(title: str | None, season: int = 2, number: int = 5) -> Release:
    return Release(7, "e7", f"The Show S{season}E{number:02d}", 1, season, None, None, (), ReleaseKind.EPISODE, number, title)


def test_a_thread_is_named_by_code_and_title_cut_to_discords_limit() -> None:
    assert thread_name(episode("Trojan's Horse")) == "S02E05 · Trojan's Horse"
    assert thread_name(episode(None)) == "S02E05"
    assert thread_name(episode("  A   spaced\ttitle ")) == "S02E05 · A spaced title"
    long = thread_name(episode("x" * 300, 12, 104))
    assert len(long) == 100 and long.startswith("S12E104 · xxx") and long.endswith("…")


def test_the_starter_pings_only_the_configured_role_and_names_no_summary() -> None:
    at = datetime(2030, 1, 5, 21, tzinfo=UTC)
    text = starter_text(episode("Pilot"), "The *Show*", at, 55, rating=True)
    assert text.startswith("<@&55> 📺 **The \\*Show\\*** S02E05 airs <t:1893877200:F>") and "Rate it" in text
    assert "<@&" not in starter_text(episode("Pilot"), "The Show", at, None, rating=False)
    assert "Pilot" not in text  # the thread's name carries the title; the starter names the code


def test_the_closed_line_gives_the_average_to_one_decimal_and_the_count() -> None:
    assert closed_line(RatingSummary(7, 4.333, 3)) == "⭐ Rating closed — **4.3/5** from 3 members."
    assert closed_line(RatingSummary(7, 5.0, 1)) == "⭐ Rating closed — **5.0/5** from 1 member."
    assert closed_line(None) == "⭐ Rating closed — nobody rated this episode."
    assert closed_line(RatingSummary(7, 3.65, 20)) == "⭐ Rating closed — **3.7/5** from 20 members."  # half up


def test_a_ratings_line_bars_a_later_title_and_shows_tvmazes_beside_ours() -> None:
    assert rating_line(episode("Pilot"), RatingSummary(7, 4.25, 4), 8.1, barred=False) == "**S02E05** “Pilot” — ⭐ 4.3 (4) · TVmaze 8.1"
    assert rating_line(episode("Pi|ot"), None, 7.0, barred=True) == "**S02E05** ||“Pi\\|ot”|| — ⭐ not rated here · TVmaze 7.0"
