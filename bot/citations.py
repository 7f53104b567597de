"""Numbered citations: facts say "[2]", the embed footer says which article [2] is."""

from __future__ import annotations

from collections.abc import Mapping

from bot.formatting import truncate
from db.models import Source

FOOTER_LIMIT = 2048


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

    def footer(self) -> str:
        parts = []
        for source_id, number in self._numbers.items():
            source = self._sources[source_id]
            label = source.citation() if source.from_articles else "common knowledge, not from the articles"
            parts.append(f"[{number}] {truncate(label, 120)}")
        return truncate("Sources: " + " · ".join(parts), FOOTER_LIMIT) if parts else ""
