"""How Discord would render a message's Markdown, as far as the tests need to know it."""

from __future__ import annotations

import re

_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")


def outside_code(text: str) -> str:
    """The text with inline code spans removed: inside them Discord renders nothing."""
    return _CODE_SPAN.sub("", text)


def renders_masked_link(text: str) -> bool:
    """True if a `[label](url)` outside code would render as a link whose address is hidden."""
    return bool(_MASKED_LINK.search(outside_code(text)))
