"""Numbered citations: facts say "[2]", the card's Sources field says which source [2] is, with a
link when the pack gives one (an outside service's page only as bot/outside_links.py allows). A source
that is not one of the pack's articles is shown with its own title and the pack's note about it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.formatting import literal, truncate
from bot.outside_links import from_outside, source_page
from db.facts.models import Source

NOTE = 90  # of a non-article source's note, enough to say what it is


def link_target(location: str | None) -> str | None:
    """A web address fit for a masked link, or None (files, and anything that is not http(s))."""
    if not location or not location.startswith(("https://", "http://")) or any(c.isspace() for c in location):
        return None
    return location.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def citation_text(source: Source) -> str:
    """'Outlet, “Title”' as it should read, escaped, linked when the source has a web address."""
    text = literal(truncate(source.citation(), 120))
    url = source_page(source) if from_outside(source) else link_target(source.location)
    text = f"[{text}](<{url}>)" if url else text
    if not source.from_articles and source.note:
        text += f" — {literal(truncate(source.note, NOTE))}"
    return text


class Citations:
    def __init__(self, sources: Mapping[int, Source]) -> None:
        self._sources = sources
        self._numbers: dict[int, int] = {}

    def cite(self, source_id: int | None) -> str:
        """'[n]' for the source, numbered in order of first use; '' for an unknown one."""
        if source_id is None or source_id not in self._sources:
            return ""
        number = self._numbers.setdefault(source_id, len(self._numbers) + 1)
        return f"[{number}]"

    def entries(self) -> list[str]:
        """'[n] Outlet, “Title”' for each source cited so far, in citation order."""
        return [f"\\[{number}\\] {citation_text(self._sources[sid])}" for sid, number in self._numbers.items()]
