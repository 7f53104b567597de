"""What Wikidata gave for a TVmaze show: labels, aliases and performers, as given (migration 0016).

A synced pack's names are rebuilt by every TVmaze import, so what Wikidata gave is kept apart, per
show, and matched to the pack's characters again at each import (bot/wikidata/grafting.py). A fetch
replaces a show's names in one transaction and says whether they changed, so the caller re-imports
only then; `fetched_at` keeps a show from being asked more than once a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from db.backends.database import Database
from db.facts.instants import from_text, to_text

Subject = Literal["series", "character"]
Role = Literal["label", "alias", "performer"]


@dataclass(frozen=True, slots=True, order=True)
class WikidataName:
    """One name an item has on Wikidata: a label or an alias in a language, or a performer's English label."""

    entity: str  # Q…, the series' or a character's item
    subject: Subject
    role: Role
    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class WikidataShow:
    """What the last successful fetch found for a show; `series` None: Wikidata has no item for it."""

    show_id: int
    series: str | None
    fetched_at: datetime
    names: tuple[WikidataName, ...]


class WikidataNameRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def show(self, show_id: int) -> WikidataShow | None:
        """The show's stored names, or None when it was never fetched."""
        fetch = await self._db.fetch_one("SELECT series, fetched_at FROM wikidata_fetches WHERE show_id = ?", (show_id,))
        if fetch is None:
            return None
        rows = await self._db.fetch_all(
            "SELECT entity, subject, role, text, lang FROM wikidata_names WHERE show_id = ?", (show_id,)
        )
        names = tuple(sorted(WikidataName(r[0], r[1], r[2], r[3], r[4]) for r in rows))
        return WikidataShow(show_id, fetch["series"], from_text(fetch["fetched_at"]), names)

    async def fetched_at(self, show_id: int) -> datetime | None:
        row = await self._db.fetch_one("SELECT fetched_at FROM wikidata_fetches WHERE show_id = ?", (show_id,))
        return None if row is None else from_text(row[0])

    async def save(self, show_id: int, series: str | None, names: tuple[WikidataName, ...], now: datetime) -> bool:
        """Replace the show's names with a fetch's; True when they differ from what was stored."""
        wanted = set(names)
        async with self._db.transaction() as conn:
            before = await conn.fetch_one("SELECT series FROM wikidata_fetches WHERE show_id = ?", (show_id,))
            rows = await conn.fetch_all(
                "SELECT entity, subject, role, text, lang FROM wikidata_names WHERE show_id = ?", (show_id,)
            )
            stored = {WikidataName(r[0], r[1], r[2], r[3], r[4]) for r in rows}
            await conn.execute(
                """INSERT INTO wikidata_fetches (show_id, series, fetched_at) VALUES (?, ?, ?)
                   ON CONFLICT (show_id) DO UPDATE SET series = excluded.series, fetched_at = excluded.fetched_at""",
                (show_id, series, to_text(now)),
            )
            gone = stored - wanted
            if gone:
                await conn.executemany(
                    "DELETE FROM wikidata_names WHERE show_id = ? AND entity = ? AND role = ? AND lang = ? AND text = ?",
                    [(show_id, n.entity, n.role, n.lang, n.text) for n in sorted(gone)],
                )
            new = wanted - stored
            if new:
                await conn.executemany(
                    "INSERT INTO wikidata_names (show_id, entity, subject, role, text, lang) VALUES (?, ?, ?, ?, ?, ?)",
                    [(show_id, n.entity, n.subject, n.role, n.text, n.lang) for n in sorted(new)],
                )
        return bool(gone or new) or before is None or before["series"] != series
