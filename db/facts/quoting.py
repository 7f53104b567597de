"""Quoting what someone typed inside a message, so nothing they typed can break out of the quotes.

Parsers here and in the bot echo a bad value back (“`2031-02-30` is not a real date”). Inside a code
span Discord shows text literally, but a backtick in the value would close the span early and let
the rest render as Markdown: a masked link, a mention. The fence is made longer than any run of
backticks inside, as Markdown allows.
"""

from __future__ import annotations

import re

from db.facts.wording import N_, Phrase

_BACKTICKS = re.compile(r"`+")


def inline_code(text: str) -> str:
    """`text` as an inline code span nothing inside can end early; an empty value says so."""
    if not text:
        return Phrase(N_("an empty value"))  # said in the reader's language where the bot shows it
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
