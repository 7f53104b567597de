"""Command names, descriptions, options and choices in Discord's locales, from the same catalogs.

discord.py asks the tree's translator for every string of the command surface when it syncs; the
context of each lookup (`msgctxt`) says what the string is, so "add" the subcommand and "add" in a
sentence can be translated apart. A name Discord would refuse is logged and left English.
"""

from __future__ import annotations

import gettext
import logging
import re

import discord
from discord import app_commands

from bot.i18n.locales import SUPPORTED
from bot.i18n.speech import catalog

log = logging.getLogger(__name__)

# Discord: names are lowercase where the script has case, 1–32 characters, letters, digits, - and _ only.
NAME = re.compile(r"^[-_\w]{1,32}$")
DESCRIPTION_LIMIT = 100
CHOICE_LIMIT = 100

Location = app_commands.TranslationContextLocation
CONTEXTS: dict[Location, str] = {
    Location.command_name: "command name",
    Location.group_name: "command name",
    Location.command_description: "command description",
    Location.group_description: "command description",
    Location.parameter_name: "option name",
    Location.parameter_description: "option description",
    Location.choice_name: "choice",
}


def surface_context(location: Location) -> str | None:
    """The catalog context of a string of the command surface (None: not one the catalogs hold)."""
    return CONTEXTS.get(location)


def valid_translation(context: str, text: str) -> bool:
    """Whether Discord accepts `text` where `context` puts it."""
    if context in ("command name", "option name"):
        return bool(NAME.match(text)) and text == text.lower()
    limit = CHOICE_LIMIT if context == "choice" else DESCRIPTION_LIMIT
    return 1 <= len(text) <= limit


class CatalogTranslator(app_commands.Translator):
    """The command surface in de, fr, es-ES and pt-BR; English stays the default name and description."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        code = SUPPORTED.get(locale.value)
        where = surface_context(context.location)
        if code is None or where is None:
            return None
        book = catalog(code)
        if not isinstance(book, gettext.GNUTranslations) or f"{where}\x04{string.message}" not in book._catalog:  # type: ignore[attr-defined]  # stdlib's own table; pgettext cannot tell "same word" from "missing"
            return None  # untranslated (make check reports it): Discord shows the English default
        text = book.pgettext(where, string.message)  # may equal the English ("name" is German too): still the locale's own
        if not valid_translation(where, text):
            log.warning("%s translation %r of %r (%s) breaks Discord's rule; left English", code, text, string.message, where)
            return None
        return text
