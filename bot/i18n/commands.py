"""Command names, descriptions, options and choices in Discord's locales, from the same catalogs.

discord.py asks the tree's translator for every string of the command surface when it syncs; the
context of each lookup (`msgctxt`) says what the string is, so "add" the subcommand and "add" in a
sentence can be translated apart. A name Discord would refuse is logged and left English.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
from pathlib import Path

import discord
from discord import app_commands

from bot.i18n.locales import CATALOGS, SUPPORTED
from bot.i18n.speech import DOMAIN, LOCALES_DIR

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


def surface_entries(path: Path) -> dict[str, str]:
    """The command surface's entries of a compiled catalog (GNU .mo), `context\x04msgid` → translation,
    read without decoding the rest: a sync needs 178 of its ~770 entries, in four languages at once."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.error("catalog %s not read (%s): its commands stay English", path, exc)
        return {}
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    count, originals, translations = struct.unpack(order + "4x4xIII", data[:20])
    wanted = tuple(f"{context}\x04".encode() for context in CONTEXTS.values())
    found: dict[str, str] = {}
    for i in range(count):
        length, start = struct.unpack_from(order + "II", data, originals + 8 * i)
        msgid = data[start:start + length]
        if msgid.startswith(wanted):
            length, start = struct.unpack_from(order + "II", data, translations + 8 * i)
            found[msgid.decode()] = data[start:start + length].decode()
    return found


def catalogs_fingerprint() -> str:
    """A digest of the compiled catalogs' bytes: what the command set's localizations are made from, known
    without loading them (a start-up whose commands are unchanged keeps the catalogs out of memory)."""
    digest = hashlib.sha256()
    for code in CATALOGS:
        path = LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        digest.update(code.encode() + (path.read_bytes() if path.exists() else b"-"))
    return digest.hexdigest()


class CatalogTranslator(app_commands.Translator):
    """The command surface in de, fr, es-ES and pt-BR; English stays the default name and description.

    It reads the catalogs on its own and lets them go after a sync (`forget`): the four are about 1 MB,
    and between syncs only the languages members speak need to be in memory (loaded by `_` on first use)."""

    def __init__(self) -> None:
        self._books: dict[str, dict[str, str]] = {}

    def forget(self) -> None:
        self._books.clear()

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        code = SUPPORTED.get(locale.value)
        where = surface_context(context.location)
        if code is None or where is None:
            return None
        book = self._books.get(code)
        if book is None:
            book = self._books[code] = surface_entries(LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo")
        text = book.get(f"{where}\x04{string.message}")  # may equal the English ("name" is German too): still the locale's own
        if text is None:
            return None  # untranslated (make check reports it): Discord shows the English default
        if not valid_translation(where, text):
            log.warning("%s translation %r of %r (%s) breaks Discord's rule; left English", code, text, string.message, where)
            return None
        return text
