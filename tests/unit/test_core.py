"""Core pieces that need no Discord: formatting, text cleaning, settings, log redaction, citations."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.citations import Citations
from bot.errors import UserFacingError
from bot.formatting import (
    describe_date,
    discord_timestamp,
    humanize_duration,
    join_limited,
    release_status,
    season_span,
    truncate,
)
from bot.input.options import TextOption, clean_text
from bot.logs import RedactingFormatter
from bot.settings import DISCORD_API_BASE, SettingsError, load_settings
from db.backends.database_url import SqliteTarget
from db.facts.dates import parse_partial_date
from db.facts.models import Source

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_discord_timestamps() -> None:
    assert discord_timestamp(datetime(2017, 8, 18, 7, tzinfo=UTC), "R") == "<t:1503039600:R>"


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(days=3, hours=4, minutes=5), "3 days, 4 hours"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(seconds=30), "less than a minute"),
        (timedelta(0), "now"),
        (timedelta(days=70), "2 months, 10 days"),
        (timedelta(days=3380), "9 years, 3 months"),
        (timedelta(days=20, hours=2), "20 days, 2 hours"),
        (-timedelta(minutes=90), "1 hour, 30 minutes"),
    ],
)
def test_durations_in_plain_words(delta: timedelta, words: str) -> None:
    assert humanize_duration(delta) == words


def test_dates_are_shown_at_their_precision() -> None:
    assert describe_date(parse_partial_date("2017-08-18")) == "18 August 2017"
    assert describe_date(parse_partial_date("summer 2017")) == "summer 2017 (approximate)"
    assert describe_date(parse_partial_date("unknown")) == "date unknown"
    assert describe_date(parse_partial_date("2017-08-18 21:00")).startswith("<t:")
    assert release_status(parse_partial_date("2017-08-18"), NOW) == "released 18 August 2017"
    assert release_status(parse_partial_date("2027-01-05"), NOW).startswith("premieres 5 January 2027 · <t:")
    assert release_status(parse_partial_date("Q3 2027"), NOW) == "expected Q3 2027 (approximate)"
    assert release_status(parse_partial_date("unknown"), NOW) == "no date announced"


def test_season_spans() -> None:
    assert season_span([2]) == "season 2"
    assert season_span([1, 2, 3]) == "seasons 1–3"
    assert season_span([3, 1]) == "seasons 1, 3"


def test_truncation_and_limited_joins_respect_the_limit() -> None:
    assert truncate("abcdef", 4) == "abc…"
    items = [f"line {i} " + "x" * 50 for i in range(40)]
    joined = join_limited(items, 1024)
    assert len(joined) <= 1024 and joined.endswith("more")
    assert join_limited(["a", "b"], 100) == "a\nb"
    assert len(join_limited(["y" * 5000], 1024)) <= 1024


def test_clean_text_drops_controls_and_invisibles() -> None:
    assert clean_text("  Matt\u200b  Murdock\x00 ") == "Matt Murdock"
    assert clean_text("\u202eevil") == "evil"
    assert clean_text("a\nb", keep_newlines=True) == "a\nb"


def test_text_option_checks_length_on_our_side() -> None:
    option = TextOption("name", 1, 10)
    assert option.check(" Karen ") == "Karen"
    for bad in ("", "   ", "\u200b", "x" * 11):
        with pytest.raises(UserFacingError, match="1–10 visible characters"):
            option.check(bad)


def test_settings_need_a_token_and_name_the_example(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "DATABASE_URL", "DISCORD_API_BASE", "DEV_GUILD_ID", "FACT_PACK", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError, match=r"DISCORD_TOKEN is not set .*\.env\.example"):
        load_settings()
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    monkeypatch.setenv("DATABASE_URL", "mysql://db/fandex")
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings()
    monkeypatch.delenv("DATABASE_URL")
    settings = load_settings()
    assert settings.database == SqliteTarget(Path("data/fandex.sqlite3")) and settings.single_process_store
    assert settings.discord_api_base == DISCORD_API_BASE and not settings.custom_api_base
    assert "abc" not in repr(settings)
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10/")
    settings = load_settings()
    assert settings.log_level == "DEBUG" and settings.discord_api_base == "http://127.0.0.1:9/api/v10"


def test_logs_redact_the_token_even_in_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", ["s3cret.t0ken"])
    try:
        raise RuntimeError("bad s3cret.t0ken here")
    except RuntimeError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token=%s", ("s3cret.t0ken",), (RuntimeError, exc, exc.__traceback__))
    text = formatter.format(record)
    assert "s3cret.t0ken" not in text
    assert text.startswith("token=[redacted]") and "RuntimeError: bad [redacted] here" in text


@pytest.mark.parametrize(
    "line",
    [
        "For Shard ID None: WebSocket Event: {'t': 'INTERACTION_CREATE', 'd': {'id': '1', 'token': 'aW50ZXJhY3Rpb246MTIz.secret-part'}}",
        'POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb246MTIz.secret-part/callback with {"type": 4} has returned 204',
        "Webhook ID 42 with PATCH https://discord.com/api/v10/webhooks/42/aW50ZXJhY3Rpb246MTIz.secret-part/messages/@original",
        'payload {"token": "aW50ZXJhY3Rpb246MTIz.secret-part", "type": 2}',
    ],
)
def test_logs_redact_interaction_and_webhook_tokens(line: str) -> None:
    """discord.py logs these at DEBUG; each token answers as the bot for 15 minutes."""
    record = logging.LogRecord("discord.gateway", logging.DEBUG, __file__, 1, "%s", (line,), None)
    text = RedactingFormatter("%(message)s", []).format(record)
    assert "secret-part" not in text and "aW50ZXJhY3Rpb246" not in text and "[redacted]" in text


def test_citations_number_sources_in_order_of_use() -> None:
    a = Source(1, "a", "Article A", "Outlet", None, None, True)
    b = Source(2, "b", "Notes", None, None, None, False)
    cite = Citations({1: a, 2: b})
    assert (cite.cite(2), cite.cite(1), cite.cite(2), cite.cite(99)) == ("[1]", "[2]", "[1]", "")
    assert cite.entries() == ["\\[1\\] “Notes”", "\\[2\\] Outlet, “Article A”"]


def test_citations_link_web_sources_and_show_a_non_article_source_by_its_own_title_and_note() -> None:
    web = Source(1, "w", "Casting news", "Deadline", None, "https://example.org/a_(b)", True)
    fan = Source(2, "f", "Fan consensus", None, None, None, False, "What most fans agree on")
    cite = Citations({1: web, 2: fan})
    cite.cite(1), cite.cite(2)
    assert cite.entries() == [
        "\\[1\\] [Deadline, “Casting news”](<https://example.org/a_%28b%29>)",
        "\\[2\\] “Fan consensus” — What most fans agree on",
    ]
    assert all("common knowledge" not in e for e in cite.entries())


@given(st.lists(st.text(max_size=300), max_size=60), st.integers(0, 3000), st.sampled_from(["\n", " · "]))
def test_a_limited_join_never_exceeds_its_limit_and_says_what_it_left_out(items: list[str], limit: int, sep: str) -> None:
    joined = join_limited(items, limit, sep)
    assert len(joined) <= limit
    if len(sep.join(items)) <= limit:
        assert joined == sep.join(items)


def test_settings_come_from_dotenv_with_the_environment_winning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Read by hand (no pydantic-settings): `.env` fills what the environment leaves unset or empty, and
    each bad value is named with what is accepted, all in one line."""
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "LOG_LEVEL", "IDENTIFY_WINDOW", "DEV_GUILD_ID", "DISCORD_BURST_RATE"):
        monkeypatch.delenv(name, raising=False)
    Path(".env").write_text("DISCORD_TOKEN=from-file\nLOG_LEVEL=warning\nIDENTIFY_WINDOW=\n", encoding="utf-8")
    monkeypatch.setenv("LOG_LEVEL", "error")
    monkeypatch.setenv("DEV_GUILD_ID", "")  # empty: as if unset
    settings = load_settings()
    assert settings.discord_token.get_secret_value() == "from-file" and settings.log_level == "ERROR"
    assert settings.identify_window == 5.0 and settings.dev_guild_id is None and "from-file" not in repr(settings)
    monkeypatch.setenv("IDENTIFY_WINDOW", "0")
    monkeypatch.setenv("DEV_GUILD_ID", "twelve")
    monkeypatch.setenv("DISCORD_BURST_RATE", "nan")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "DEV_GUILD_ID must be a whole number" in message and "IDENTIFY_WINDOW must be a number above 0 and at most 60" in message
    assert "DISCORD_BURST_RATE must be a number above 0 and at most 50" in message and "\n" not in message
