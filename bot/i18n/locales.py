"""Which of Discord's locales the bot speaks, and the catalog each maps to."""

from __future__ import annotations

ENGLISH = "en"
# Discord's locale → the catalog's (Babel's) code. Every other locale, en-US and en-GB included, is English.
SUPPORTED: dict[str, str] = {"de": "de", "fr": "fr", "es-ES": "es_ES", "pt-BR": "pt_BR"}
CATALOGS: tuple[str, ...] = tuple(SUPPORTED.values())


def catalog_code(discord_locale: object) -> str:
    """`de`, `fr`, `es_ES`, `pt_BR`, or `en` for anything else (a discord.Locale, its value, or None)."""
    value = getattr(discord_locale, "value", discord_locale)
    return SUPPORTED.get(value, ENGLISH) if isinstance(value, str) else ENGLISH


def server_code(guild: object | None) -> str:
    """The catalog of a server's preferred locale (`guild.preferred_locale`): what the bot posts on its own
    there speaks it. Unknown (no guild in this process's cache): English."""
    return catalog_code(getattr(guild, "preferred_locale", None))
