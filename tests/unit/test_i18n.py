"""The languages' frame (bot/i18n): which catalog a Discord locale gets, the language carried per task,
CLDR formats, and the command surface's translator. Catalog completeness is `make check`'s
(tests/catalog_check.py)."""

from __future__ import annotations

import asyncio
import gettext
from datetime import date, datetime, timedelta
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.errors import GENERIC_APOLOGY, permission_label
from bot.formatting import date_words, humanize_duration, season_span
from bot.i18n import _, catalog_code, current_locale, ngettext, speaking, speaking_to
from bot.i18n.commands import CatalogTranslator, valid_translation
from bot.i18n.formats import day, listing, month, number, quarter
from bot.i18n.locales import CATALOGS
from bot.i18n.speech import catalog
from db.facts.dates import PartialDate, Precision


@pytest.mark.parametrize(("locale", "code"), [
    (discord.Locale.german, "de"), (discord.Locale.french, "fr"), (discord.Locale.spain_spanish, "es_ES"),
    (discord.Locale.brazil_portuguese, "pt_BR"), (discord.Locale.american_english, "en"), (discord.Locale.british_english, "en"),
    (discord.Locale.latin_american_spanish, "en"), (discord.Locale.japanese, "en"), ("de", "de"), (None, "en"),
])
def test_a_discord_locale_gets_its_catalog_else_english(locale: object, code: str) -> None:
    assert catalog_code(locale) == code


@pytest.mark.parametrize("code", CATALOGS)
def test_every_catalog_is_compiled_and_translates(code: str) -> None:
    assert isinstance(catalog(code), gettext.GNUTranslations)
    with speaking(code):
        assert _(GENERIC_APOLOGY) not in ("", GENERIC_APOLOGY)
        assert permission_label("manage_guild") != "Manage Server"


def test_english_is_the_code_as_written() -> None:
    assert current_locale() == "en"
    assert _(GENERIC_APOLOGY) == GENERIC_APOLOGY
    assert ngettext("{count} fact held back — beyond {watched}", "{count} facts held back — beyond {watched}", 2, watched="x") == (
        "2 facts held back — beyond x"
    )


async def test_each_task_keeps_its_own_language() -> None:
    """Two interactions answered at once: each task speaks its reader's language, neither leaks into the other."""
    heard: dict[str, list[str]] = {}

    async def reply(locale: discord.Locale, name: str) -> None:
        speaking_to(locale)
        for _step in range(3):
            await asyncio.sleep(0)
            heard.setdefault(name, []).append(current_locale())

    await asyncio.gather(reply(discord.Locale.german, "a"), reply(discord.Locale.french, "b"), reply(discord.Locale.american_english, "c"))
    assert heard == {"a": ["de"] * 3, "b": ["fr"] * 3, "c": ["en"] * 3}
    assert current_locale() == "en"


def test_speaking_is_undone_after_the_block() -> None:
    with speaking("pt_BR"):
        assert current_locale() == "pt_BR"
        with speaking("de"):
            assert current_locale() == "de"
        assert current_locale() == "pt_BR"
    assert current_locale() == "en"


def test_numbers_lists_and_dates_follow_the_language() -> None:
    assert (number(1234.5), listing(["a", "b", "c"]), day(date(2017, 8, 18))) == ("1,234.5", "a, b, c", "18 August 2017")
    with speaking("de"):
        assert (number(1234.5), listing(["a", "b", "c"]), day(date(2017, 8, 18))) == ("1.234,5", "a, b und c", "18. August 2017")
    with speaking("fr"):
        assert (listing(["a", "b"], style="or"), month(2017, 8), quarter(2026, 3)) == ("a ou b", "août 2017", "T3 2026")
    with speaking("es_ES"):
        assert day(date(2017, 8, 18)) == "18 de agosto de 2017"
    with speaking("pt_BR"):
        assert month(2027, 8) == "agosto de 2027"


def test_durations_and_partial_dates_in_german() -> None:
    summer = PartialDate(Precision.SEASON, "summer 2017", "UTC")
    exact_day = PartialDate(Precision.DAY, "2017-08-18", "UTC")
    assert humanize_duration(timedelta(days=3, hours=4)) == "3 days, 4 hours"
    assert (date_words(summer), date_words(exact_day)) == ("summer 2017", "18 August 2017")
    with speaking("de"):
        assert humanize_duration(timedelta(days=3, hours=4)) == "3 Tage, 4 Stunden"
        assert humanize_duration(timedelta(minutes=1)) == "1 Minute"
        assert date_words(exact_day) == "18. August 2017"
        assert "2017" in date_words(summer) and "summer" not in date_words(summer)
        assert season_span([2]) != "season 2" and "2" in season_span([2])


def test_names_follow_discords_rule() -> None:
    assert valid_translation("command name", "figur")
    assert valid_translation("option name", "série")
    for bad in ("Figur", "zwei wörter", "", "x" * 33):
        assert not valid_translation("command name", bad)
    assert valid_translation("command description", "x" * 100)
    assert not valid_translation("command description", "x" * 101)


async def test_the_translator_speaks_the_four_locales_only() -> None:
    translator = CatalogTranslator()
    help_command: app_commands.Command[Any, Any, None] = app_commands.Command(name="help", description="d", callback=_noop)
    context: app_commands.TranslationContextTypes = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.command_name, help_command,
    )
    german = await translator.translate(app_commands.locale_str("help"), discord.Locale.german, context)
    assert german is not None and german != "help" and valid_translation("command name", german)
    assert await translator.translate(app_commands.locale_str("help"), discord.Locale.american_english, context) is None
    assert await translator.translate(app_commands.locale_str("help"), discord.Locale.japanese, context) is None
    assert await translator.translate(app_commands.locale_str("no such text"), discord.Locale.german, context) is None


async def _noop(interaction: discord.Interaction) -> None:
    del interaction


def test_exact_dates_keep_a_wall_clock_time() -> None:
    exact = PartialDate(Precision.EXACT, datetime(2017, 8, 18, 21, 0).isoformat(), "UTC")
    assert date_words(exact) == "18 August 2017, 21:00"
    with speaking("fr"):
        assert date_words(exact) == "18 août 2017, 21:00"


@pytest.mark.parametrize("code", CATALOGS)
def test_the_translator_reads_exactly_the_command_surface_of_each_catalog(code: str) -> None:
    """It reads the .mo's command entries alone (a sync needs those, in four languages at once); they must be
    the very entries gettext reads."""
    from bot.i18n.commands import CONTEXTS, surface_entries
    from bot.i18n.speech import DOMAIN, LOCALES_DIR

    table: dict[object, str] = catalog(code)._catalog  # type: ignore[attr-defined]  # stdlib's own table
    contexts = set(CONTEXTS.values())
    expected = {k: v for k, v in table.items() if isinstance(k, str) and "\x04" in k and k.split("\x04")[0] in contexts}
    assert surface_entries(LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo") == expected
    assert len(expected) > 150
