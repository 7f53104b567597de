"""Finding the fandom a member meant (by pack id or title) — plain functions, no Discord."""

from __future__ import annotations

from bot.search.name_forms import fold
from db.facts.models import PackInfo


def find_fandom(packs: list[PackInfo], typed: str) -> PackInfo | None:
    """The pack whose id or title is what was typed (autocomplete sends the id), ignoring case."""
    wanted = typed.strip()
    for pack in packs:
        if pack.key == wanted.casefold():
            return pack
    folded = fold(wanted)
    titled = [p for p in packs if fold(p.title) == folded]
    return titled[0] if len(titled) == 1 else None


def matching_fandoms(packs: list[PackInfo], typed: str) -> list[PackInfo]:
    """Packs whose title or id contains what was typed, titles starting with it first."""
    folded = fold(typed)
    if not folded:
        return packs
    hits = [p for p in packs if folded in fold(p.title) or folded in fold(p.key)]
    return sorted(hits, key=lambda p: (not fold(p.title).startswith(folded), p.title.casefold()))
