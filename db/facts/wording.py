"""Errors that reach Discord, worded in English here and translated where the bot shows them.

db cannot import the bot's catalogs, so an error a member may read keeps its English `template` and
its `values`: `str(exc)` is the English sentence, and the bot shows `_(exc.template, **exc.values)`
(bot/input/db_errors.py `worded`). `N_` marks a template for the catalogs; a value that is itself a
fixed text (the accepted forms of a date) is a `Phrase`, translated there too.
"""

from __future__ import annotations


def N_(text: str, /) -> str:
    """Marks a fixed text for the catalogs (extraction finds every `N_(` call); it stays English here."""
    return text


class Phrase(str):
    """A fixed English text (with its values) used as a value of another: `str` is its English."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, /, **values: object) -> Phrase:
        phrase = super().__new__(cls, template.format(**values) if values else template)
        phrase.template = template
        phrase.values = values
        return phrase


class Worded(Exception):
    """An error whose message is `template` filled with `values` (braces doubled where literal)."""

    def __init__(self, template: str, /, **values: object) -> None:
        super().__init__(template.format(**values) if values else template)
        self.template = template
        self.values = values
