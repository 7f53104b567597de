"""The bot's languages: English (the default, as written in the code), German, French, Spanish (Spain) and
Portuguese (Brazil).

Every fixed text the bot writes goes through `_` (or `ngettext`/`pgettext`) and is looked up in the
catalog of the language being spoken: the reader's own (`interaction.locale`) in a reply to them, the
server's (`guild_locale`) in what the bot posts on its own. Facts from a pack or TVmaze are never
translated. The catalogs are `locales/<code>/LC_MESSAGES/fandex.po`, compiled to `.mo`; `make catalogs`
extracts and merges them and `make check` fails when one misses a string (docs/languages.md).
"""

from bot.i18n.locales import ENGLISH, SUPPORTED, catalog_code, server_code
from bot.i18n.speech import N_, _, current_locale, ngettext, pgettext, speaking, speaking_to

__all__ = [
    "ENGLISH",
    "N_",
    "SUPPORTED",
    "_",
    "catalog_code",
    "current_locale",
    "ngettext",
    "pgettext",
    "server_code",
    "speaking",
    "speaking_to",
]
