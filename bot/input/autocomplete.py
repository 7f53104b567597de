"""Autocomplete choices within Discord's limits. Discord refuses a whole autocomplete response when one
choice's name or value is over 100 characters, or when there are more than 25 — the member then sees
no choices at all. Every choice the bot offers is built here.

A name is what the member reads, so it is cut on a word boundary with an ellipsis. A value is what the
command receives, so it is never cut: a cut title would be looked up as another name (and `/release
set` would add a release of the cut title). A value too long to send is replaced by a reference,
`kind:id` ("series:12"), that the command resolves to exactly the same thing; a choice with neither
is left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from discord import app_commands

from bot import limits
from bot.input.whole_numbers import read_whole_number

Choice = app_commands.Choice[str]
MIN_TEXT = 30  # characters of a choice's text kept before its detail is cut instead
_TRAILING = " ,;:·—–-(/"  # what a cut may not end on: "Show (2022," reads "Show (2022…"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters: whole words where the cut leaves at least half, then "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return (cut.rstrip(_TRAILING) or cut) + "…"


def choice_name(text: str, detail: str = "") -> str:
    """`text` followed by `detail` (" · in 3 days", " (2022, HBO)"); the text gives way first, unless
    that would leave it fewer than MIN_TEXT characters — then the two are cut as one."""
    whole = text + detail
    if len(whole) <= limits.CHOICE_NAME:
        return whole
    room = limits.CHOICE_NAME - len(detail)
    if room >= MIN_TEXT:
        return shorten(text, room) + detail
    return shorten(whole, limits.CHOICE_NAME)


def choice(name: str, value: str, *, detail: str = "", ref: str | None = None) -> Choice | None:
    """A choice Discord accepts: the name (and its detail) cut to fit; the value whole, else `ref`, else None."""
    if len(value) > limits.CHOICE_VALUE:
        if ref is None or len(ref) > limits.CHOICE_VALUE:
            return None
        value = ref
    if not value:
        return None
    return app_commands.Choice(name=choice_name(name, detail).strip() or shorten(value, limits.CHOICE_NAME), value=value)


def offered(choices: Iterable[Choice | None]) -> list[Choice]:
    """The choices that could be built, at most Discord's 25, in the order given."""
    return [c for c in choices if c is not None][: limits.CHOICES]


def reference(kind: str, target: int) -> str:
    """`series:12`: a value that names one target exactly, for a name too long to be the value."""
    return f"{kind}:{target}"


def referenced(kind: str, typed: str) -> int | None:
    """The target a `kind:id` reference names, or None when `typed` is not one."""
    head, colon, digits = typed.strip().partition(":")
    return read_whole_number(digits, low=1) if colon and head.strip().casefold() == kind else None
