"""/help's list (cogs/guide/listing.py) within Discord's limits, and the links /help and /about show."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import limits
from cogs.guide.listing import FEATURES, Line, fitting_sections, permission_label, render, sections


def many(feature: str, count: int, description: str = "d" * 100) -> list[Line]:
    return [Line(feature, f"cmd{i:02}", description, None) for i in range(count)]


def test_a_feature_too_long_for_one_field_continues_in_the_next() -> None:
    fields = sections(many("lookup", 30), room=100)
    assert [name for name, _ in fields] == ["Look-ups", "Look-ups (continued)", "Look-ups (continued)", "Look-ups (continued)"]
    assert all(len(value) <= limits.EMBED_FIELD_VALUE for _, value in fields)
    assert sum(value.count("\n") + 1 for _, value in fields) == 30  # every command, each once


def test_descriptions_shorten_until_the_whole_list_fits_a_message() -> None:
    found = many("lookup", 40) + many("polls", 40)
    fields = fitting_sections(found, "fandex commands", "intro")
    assert sum(len(n) + len(v) for n, v in fields) + len("fandex commands") + len("intro") <= limits.EMBED_TOTAL
    assert sum(value.count("\n") + 1 for _, value in fields) == 80


def test_a_moderators_command_is_marked_once_with_its_permission() -> None:
    line = Line("fandoms", "fandom follow", "Follow a fandom (Manage Server).", permission_label("manage_guild"))
    assert render(line, 100) == "`/fandom follow` — Follow a fandom. *(Manage Server)*"
    assert render(line, 0) == "`/fandom follow` *(Manage Server)*"
    assert next(iter(FEATURES)) == "lookup"


def test_the_links_are_https_or_empty(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    for name in ("DOCS_URL", "SUPPORT_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.docs_url, settings.support_url) == ("", "")
    monkeypatch.setenv("DOCS_URL", "https://example.org/fandex/docs")
    assert load_settings().docs_url == "https://example.org/fandex/docs"
    for name, bad in (("DOCS_URL", "http://example.org/docs"), ("SUPPORT_URL", "example.org"), ("SUPPORT_URL", "https://a b")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SettingsError, match=name):
            load_settings()
        monkeypatch.delenv(name)
