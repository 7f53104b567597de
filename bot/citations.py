"""Numbered citations: facts say "[2]", the embed footer says which article [2] is."""

from __future__ import annotations

from collections.abc import Mapping

from bot.formatting import truncate
from db.models import Source


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
        """'[n] Outlet, “Title”' for each source cited so far, in citation order (for the footer)."""
        entries = []
        for source_id, number in self._numbers.items():
            source = self._sources[source_id]
            label = source.citation() if source.from_articles else "common knowledge, not from the articles"
            entries.append(f"[{number}] {truncate(label, 120)}")
        return entries
