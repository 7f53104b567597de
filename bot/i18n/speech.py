"""`_`: a fixed text in the language being spoken, which a context variable carries through each task.

The entry points set it once: the command tree and the buttons for the member who used them
(`speaking_to`), the scheduled posts for their server (`speaking`). A task copies the variable when
it is created, so a reply's helpers speak the reader's language without passing it along; code that
hands work to a thread does the translating first (an executor does not copy it).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from bot.i18n.locales import CATALOGS, ENGLISH, catalog_code
from db.facts.wording import Phrase

log = logging.getLogger(__name__)

DOMAIN = "fandex"
LOCALES_DIR = Path(__file__).with_name("locales")

_speaking: ContextVar[str] = ContextVar("fandex_language", default=ENGLISH)
_catalogs: dict[str, gettext.NullTranslations] = {}


def catalog(code: str) -> gettext.NullTranslations:
    """The compiled catalog of `code` (English, and a catalog that failed to load, return the msgid)."""
    found = _catalogs.get(code)
    if found is None:
        found = _load(code)
        _catalogs[code] = found
    return found


def _load(code: str) -> gettext.NullTranslations:
    if code not in CATALOGS:
        return gettext.NullTranslations()
    path = LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as file:
            return gettext.GNUTranslations(file)
    except OSError as exc:
        log.error("catalog %s not loaded (%s): speaking English instead; run `make catalogs`", code, exc)
        return gettext.NullTranslations()


def current_locale() -> str:
    """The catalog code being spoken in this task: `en`, `de`, `fr`, `es_ES` or `pt_BR`."""
    return _speaking.get()


def _(message: str, /, **values: object) -> str:
    """`message` in the language being spoken, its `{names}` filled from `values`."""
    text = catalog(_speaking.get()).gettext(message)
    return _fill(text, values) if values else text


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form for `count` (`{count}` is filled too): languages differ in how many forms they have."""
    text = catalog(_speaking.get()).ngettext(singular, plural, count)
    return _fill(text, {"count": count, **values})


def pgettext(context: str, message: str, /, **values: object) -> str:
    """Like `_`, for a text whose translation depends on where it is used (a command's name, a choice)."""
    text = catalog(_speaking.get()).pgettext(context, message)
    return _fill(text, values) if values else text


def _fill(text: str, values: dict[str, object]) -> str:
    """Fill the placeholders; a value that is itself one of db's fixed texts (a `Phrase`, such as "an empty
    value" for a blank typed value) is said in the same language."""
    said = {name: _(value.template, **value.values) if isinstance(value, Phrase) else value for name, value in values.items()}
    return text.format(**said)


def N_(message: str, /) -> str:
    """Marks a text for the catalogs where it is defined (a constant); `_` translates it where it is shown."""
    return message


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Speak `code` (a catalog code, or a Discord locale) inside the block: what the bot posts on its own."""
    token = _speaking.set(code if code in CATALOGS or code == ENGLISH else catalog_code(code))
    try:
        yield
    finally:
        _speaking.reset(token)


def speaking_to(locale: object) -> None:
    """From here on, this task answers in `locale` (the interaction's `locale`: the member's language)."""
    _speaking.set(catalog_code(locale))
