"""What db's errors say (a date, a zone, an episode code the parser refused), in the reader's language.

db words them in English with a `template` and its `values` (db/facts/wording.py), since it cannot
import the bot's catalogs; here the template is looked up, and any value that is itself a fixed text.
"""

from __future__ import annotations

from bot.i18n import _
from db.facts.wording import Phrase


def worded(said: object) -> str:
    """`_(said.template, **said.values)` for a worded error (or Phrase); `str(said)` for anything else."""
    template = getattr(said, "template", None)
    values = getattr(said, "values", None)
    if not isinstance(template, str) or not isinstance(values, dict):
        return str(said)
    shown = {name: worded(value) if isinstance(value, Phrase) else value for name, value in values.items()}
    return _(template, **shown)
