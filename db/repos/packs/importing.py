"""Importing a checked pack: an idempotent upsert in one transaction.

Each row has a stable key inside its pack, so a re-import updates rows in place (ids survive, and
whatever refers to them keeps working), inserts what is new and deletes what the pack dropped.
Importing the same pack twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from db.backends.protocol import Connection
from db.facts.dates import PartialDate, parse_partial_date
from db.facts.episode_refs import episode_order, parse_episode
from db.facts.instants import from_text, text_or_none, to_text
from db.facts.models import ReleaseMove
from db.packs.check import CheckedPack, since_series
from db.packs.format import (
    CharacterSpec,
    EpisodeSpec,
    NameItem,
    PackSpec,
    RevealedNameItem,
    SeasonSpec,
    SeriesSpec,
    Since,
    SinceSpec,
    canon_terms,
    name_of,
    name_terms,
    other_names,
    since_of,
    source_of,
)
from db.repos.packs.removal import PACK_TABLES, keep_guild_dates
from db.repos.packs.reports import ImportReport

Row = tuple[Any, ...]

_SINCE = ("since_series_id", "since_order")  # the episode that reveals a row's fact; both NULL: from the start
# Identifiers below come from this table only, never from input; every value is a bound parameter.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "pack_terms": ("kind", "term", "label", "position"),
    "sources": ("title", "outlet", "published", "location", "from_articles", "note"),
    "series": ("title", "kind", "platform", "description", "source_id"),
    "series_names": ("series_id", "name", "source_id"),
    "seasons": ("series_id", "number", "episodes", "source_id"),
    "releases": (
        "title", "series_id", "season_number", "platform", "kind", "episode", "episode_title", "runtime", "rating",
    ),
    "release_dates": (
        "release_id", "seq", "precision", "value", "starts_at", "window_start", "window_end",
        "timezone", "note", "announced_on", "source_id",
    ),
    "production_facts": ("series_id", "season_number", "kind", "person", "text", "source_id"),
    "characters": (
        "name", "actor", "description", "status", "source_id", "name_source_id", "image_url", *_SINCE, "prominence",
    ),
    "character_names": ("character_id", "name", "kind", "source_id", *_SINCE),
    "affiliations": ("character_id", "name", "source_id"),
    "appearances": (
        "character_id", "series_id", "season_number", "status", "note", "source_id", "billing", "actor", "actor_source_id",
        *_SINCE,
    ),
    "character_events": ("character_id", "position", "kind", "text", "source_id", *_SINCE),
    "relationships": ("first_id", "second_id", "kind", "canon", "status", "note", "source_id", *_SINCE),
    "ships": ("first_id", "second_id", "source_id", *_SINCE),
    "ship_names": ("ship_id", "name", "source_id"),
}


async def import_checked_pack(conn: Connection, pack: CheckedPack, *, force: bool = False) -> ImportReport:
    """Upsert `pack` inside the caller's transaction; skip when its digest is already stored."""
    spec = pack.spec
    report = ImportReport(spec.pack.id)
    existing = await conn.fetch_one("SELECT id, title, description, digest FROM packs WHERE key = ?", (spec.pack.id,))
    if existing is not None and existing["digest"] == pack.digest and not force:
        report.skipped = True
        await _remember_file(conn, existing["id"], pack)
        return report
    pack_id = existing["id"] if existing is not None else await _insert_pack(conn, spec, pack.digest)
    instants_before = await _release_instants(conn, pack_id) if existing is not None else None
    sync = _TableSync(conn, pack_id, report)

    terms = [("canon", key, label) for key, label in canon_terms(spec.pack)]
    terms += [("name", key, label) for key, label in name_terms(spec.pack)]
    await sync.table("pack_terms", {
        f"{kind}/{term}": (kind, term, label, position) for position, (kind, term, label) in enumerate(terms)
    })

    src = await sync.table("sources", {
        key: (s.title, s.outlet, s.published, s.file or s.url, int(s.from_articles), s.note)
        for key, s in spec.sources.items()
    })
    series_ids = await sync.table("series", {
        key: (s.title, s.kind, s.platform, s.description, src[s.source]) for key, s in spec.series.items()
    })
    await _sync_series_children(sync, spec, src, series_ids)
    since = _SinceMarks(spec, series_ids)
    char_ids = await sync.table("characters", {
        key: (
            c.name, c.actor, c.description, c.status.value, src[c.source], src.get(c.name_source or ""), c.image,
            *since(c.since), c.prominence,
        )
        for key, c in spec.characters.items()
    })
    await _sync_character_children(sync, spec, src, since, char_ids)
    await sync.table("relationships", {
        _relationship_key(r.between, r.kind, r.canon, r.source): (
            char_ids[r.between[0]], char_ids[r.between[1]], r.kind.value, r.canon, r.status, r.note, src[r.source],
            *since(r.since),
        )
        for r in spec.relationships
    })
    await _sync_ships(sync, spec, src, since, char_ids)
    await sync.delete_stale()
    if instants_before is not None:
        report.moved = _moves(spec.pack.id, instants_before, await _release_instants(conn, pack_id))
    await _remember_file(conn, pack_id, pack)
    if existing is not None:
        meta = (spec.pack.title, spec.pack.description)
        if report.changed or meta != (existing["title"], existing["description"]):
            report.updated["packs"] += 1
            await conn.execute(
                "UPDATE packs SET title = ?, description = ?, digest = ?, imported_at = ? WHERE id = ?",
                (*meta, pack.digest, _now(), pack_id),
            )
        elif existing["digest"] != pack.digest:
            # Only formatting changed: remember the new digest, but nothing was imported.
            await conn.execute("UPDATE packs SET digest = ? WHERE id = ?", (pack.digest, pack_id))
    return report


# release key → (release id, label, the instant of its current pack-level date or None)
Instants = dict[str, tuple[int, str, datetime | None]]


async def _release_instants(conn: Connection, pack_id: int) -> Instants:
    """Each release of the pack with the instant its current pack-level date pins (servers' own dates
    aside), read inside the import's transaction."""
    rows = await conn.fetch_all(
        """SELECT r.key, r.id, r.title, r.episode_title, d.starts_at
             FROM releases r
             LEFT JOIN release_dates d ON d.release_id = r.id AND d.guild_id IS NULL
                  AND d.seq = (SELECT max(d2.seq) FROM release_dates d2 WHERE d2.release_id = r.id AND d2.guild_id IS NULL)
            WHERE r.pack_id = ?""",
        (pack_id,),
    )
    return {
        row[0]: (row[1], f"{row[2]} — “{row[3]}”" if row[3] else row[2], from_text(row[4]) if row[4] else None)
        for row in rows
    }


def _moves(pack_key: str, before: Instants, after: Instants) -> list[ReleaseMove]:
    moves = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        was, now = old[2] if old else None, new[2] if new else None
        if was != now:
            label = new[1] if new else old[1] if old else key
            moves.append(ReleaseMove(new[0] if new else None, pack_key, label, was, now))
    return moves


async def _insert_pack(conn: Connection, spec: PackSpec, digest: str) -> int:
    row = await conn.fetch_one(
        "INSERT INTO packs (key, title, description, digest, imported_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (spec.pack.id, spec.pack.title, spec.pack.description, digest, _now()),
    )
    assert row is not None
    pack_id: int = row["id"]
    return pack_id


async def _remember_file(conn: Connection, pack_id: int, pack: CheckedPack) -> None:
    """The file's own digest and place: next time an unchanged file is recognised without parsing it."""
    await conn.execute(
        "UPDATE packs SET file_digest = ?, location = ? WHERE id = ?", (pack.file_digest, pack.filename, pack_id)
    )


def _now() -> str:
    return to_text(datetime.now(UTC))


async def _sync_series_children(
    sync: _TableSync, spec: PackSpec, src: dict[str, int], series_ids: dict[str, int]
) -> None:
    names: dict[str, Row] = {}
    seasons: dict[str, Row] = {}
    releases: dict[str, Row] = {}
    production: dict[str, Row] = {}
    # (release key, announcement seq, date text, zone, note, announced, source id), in pack order
    announced: list[tuple[str, int, str, str, str | None, str | None, int]] = []
    for key, series in spec.series.items():
        sid = series_ids[key]
        for item in series.aliases:
            names[f"{key}/{name_of(item).casefold()}"] = (sid, name_of(item), src[source_of(item, series.source)])
        for season in series.seasons:
            season_key = f"{key}/s{season.number}"
            seasons[season_key] = (sid, season.number, season.episode_count, src[season.source])
            if season.release:
                releases[season_key] = (
                    _release_title(series, season.number), sid, season.number, series.platform, "release", None, None, None,
                    None,
                )
                announced += [
                    (season_key, seq, a.date, a.timezone, a.note, a.announced, src[a.source])
                    for seq, a in enumerate(season.release)
                ]
            for release_key, row, episode in _episode_rows(series, season, sid):
                releases[f"{season_key}/{release_key}"] = row
                source = src[episode.source or season.source]
                announced.append((f"{season_key}/{release_key}", 0, episode.date, episode.timezone, None, None, source))
        for i, fact in enumerate(series.production):
            production[f"{key}/{i}"] = (sid, fact.season, fact.kind.value, fact.person, fact.text, src[fact.source])
    await sync.table("series_names", names)
    await sync.table("seasons", seasons)
    release_ids = await sync.table("releases", releases)
    await sync.table("production_facts", production)

    dates: dict[str, Row] = {}
    for release_key, seq, text, zone, note, announced_on, source in announced:
        d = _parsed(text, zone)
        dates[f"{release_key}/{seq}"] = (
            release_ids[release_key], seq, d.precision.value, d.value,
            text_or_none(d.starts_at), text_or_none(d.window_start), text_or_none(d.window_end), d.timezone,
            note, announced_on, source,
        )
    await sync.table("release_dates", dates)


def _episode_rows(series: SeriesSpec, season: SeasonSpec, series_id: int) -> Iterator[tuple[str, Row, EpisodeSpec]]:
    """Each episode and special of a season as a release row, under a key that survives renumbering
    when the pack gives one (TVmaze's episode id)."""
    for episode in season.episode_list:
        title = f"{series.title} S{season.number}E{episode.number:02d}"
        row = (
            title, series_id, season.number, series.platform, "episode", episode.number, episode.title, episode.runtime,
            episode.rating,
        )
        yield episode.key or f"e{episode.number}", row, episode
    for i, special in enumerate(season.specials, start=1):
        title = f"{series.title} S{season.number} special"
        row = (title, series_id, season.number, series.platform, "special", None, special.title, special.runtime, special.rating)
        yield special.key or f"special{i}", row, special


@lru_cache(maxsize=4096)
def _parsed(text: str, zone: str) -> PartialDate:
    """Dates repeat across a long show's episodes (one air time a week); each is parsed once."""
    return parse_partial_date(text, zone)


class _SinceMarks:
    """A `since:` as the two columns that store it: the series' id and the episode's order in it."""

    def __init__(self, spec: PackSpec, series_ids: dict[str, int]) -> None:
        self._spec = spec
        self.series_ids = series_ids

    def __call__(self, since: Since | None) -> tuple[int | None, int | None]:
        if since is None:
            return None, None
        series = since_series(self._spec, since)
        assert series is not None  # pack_check refused a bare episode in a pack of several series
        season, number = parse_episode(since.episode if isinstance(since, SinceSpec) else since)
        return self.series_ids[series], episode_order(season, number)


async def _sync_character_children(
    sync: _TableSync, spec: PackSpec, src: dict[str, int], since: _SinceMarks, char_ids: dict[str, int]
) -> None:
    names: dict[str, Row] = {}
    affiliations: dict[str, Row] = {}
    appearances: dict[str, Row] = {}
    events: dict[str, Row] = {}
    for key, char in spec.characters.items():
        cid = char_ids[key]
        listed: list[tuple[str, Sequence[NameItem | RevealedNameItem]]] = [
            *other_names(char), ("actor", char.actor_aliases)
        ]
        for kind, items in listed:
            for item in items:
                names[f"{key}/{kind}/{name_of(item).casefold()}"] = (
                    cid, name_of(item), kind, src[source_of(item, char.source)], *since(since_of(item))
                )
        for item in char.affiliations:
            affiliations[f"{key}/{name_of(item).casefold()}"] = (cid, name_of(item), src[source_of(item, char.source)])
        appearances.update(_appearance_rows(key, char, cid, src, since.series_ids, since))
        for i, event in enumerate(char.events):
            events[f"{key}/{i}"] = (
                cid, i, event.kind.value, event.text, src[event.source or char.source], *since(event.since)
            )
    await sync.table("character_names", names)
    await sync.table("affiliations", affiliations)
    await sync.table("appearances", appearances)
    await sync.table("character_events", events)


def _appearance_rows(
    key: str, char: CharacterSpec, cid: int, src: dict[str, int], series_ids: dict[str, int], since: _SinceMarks
) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for app in char.appearances:
        numbers: list[int | None] = list(app.seasons) if app.seasons else [None]
        source = app.source or char.source
        billing = app.billing.value if app.billing else None
        actor_source = src[app.actor_source or source] if app.actor else None
        for number in numbers:
            rows[f"{key}/{app.series}/{number or 'all'}"] = (
                cid, series_ids[app.series], number, app.status.value, app.note, src[source], billing, app.actor, actor_source,
                *since(app.since),
            )
    return rows


async def _sync_ships(
    sync: _TableSync, spec: PackSpec, src: dict[str, int], since: _SinceMarks, char_ids: dict[str, int]
) -> None:
    """A ship is keyed by its pair whichever way round it is listed; its names hang from it."""
    ships = {
        "~".join(sorted(s.between)): (char_ids[s.between[0]], char_ids[s.between[1]], src[s.source], *since(s.since))
        for s in spec.ships
    }
    ship_ids = await sync.table("ships", ships)
    names: dict[str, Row] = {}
    for ship in spec.ships:
        key = "~".join(sorted(ship.between))
        for item in ship.names:
            names[f"{key}/{name_of(item).casefold()}"] = (ship_ids[key], name_of(item), src[source_of(item, ship.source)])
    await sync.table("ship_names", names)


def _release_title(series: SeriesSpec, number: int) -> str:
    if series.kind == "miniseries" and len(series.seasons) == 1:
        return series.title
    return f"{series.title} season {number}"


def _relationship_key(between: tuple[str, str], kind: Any, canon: str, source: str) -> str:
    first, second = sorted(between)
    return f"{first}~{second}~{kind.value}~{canon}~{source}"


class _TableSync:
    """Brings one pack's rows of a table to a wanted state with a handful of statements."""

    def __init__(self, conn: Connection, pack_id: int, report: ImportReport) -> None:
        self._conn = conn
        self._pack_id = pack_id
        self._report = report
        self._seen: dict[str, list[str]] = {}

    async def table(self, table: str, wanted: dict[str, Row]) -> dict[str, int]:
        """Insert, update or leave each wanted row; return key → id for the children that follow."""
        columns = _COLUMNS[table]
        listed = ", ".join(columns)
        rows = await self._conn.fetch_all(f"SELECT key, id, {listed} FROM {table} WHERE pack_id = ?", (self._pack_id,))
        existing = {row[0]: (row[1], tuple(row)[2:]) for row in rows}
        inserts = [(self._pack_id, key, *values) for key, values in wanted.items() if key not in existing]
        updates = [
            (*values, existing[key][0])
            for key, values in wanted.items()
            if key in existing and existing[key][1] != tuple(values)
        ]
        if inserts:
            marks = ", ".join("?" * (len(columns) + 2))
            await self._conn.executemany(f"INSERT INTO {table} (pack_id, key, {listed}) VALUES ({marks})", inserts)
        if updates:
            assignments = ", ".join(f"{c} = ?" for c in columns)
            await self._conn.executemany(f"UPDATE {table} SET {assignments} WHERE id = ?", updates)
        self._report.added[table] += len(inserts)
        self._report.updated[table] += len(updates)
        self._seen[table] = list(wanted)
        if not inserts:
            return {key: existing[key][0] for key in wanted}
        rows = await self._conn.fetch_all(f"SELECT key, id FROM {table} WHERE pack_id = ?", (self._pack_id,))
        return {row[0]: row[1] for row in rows}

    async def delete_stale(self) -> None:
        # A release the pack dropped may carry a server's own date: that date stays, as the server's release.
        rows = await self._conn.fetch_all(
            "SELECT id FROM releases WHERE pack_id = ? AND key <> ALL(?)", (self._pack_id, self._seen.get("releases", []))
        )
        dropped = [row[0] for row in rows]
        await keep_guild_dates(self._conn, dropped)
        for table in PACK_TABLES:
            self._report.removed[table] += await self._conn.execute(
                f"DELETE FROM {table} WHERE pack_id = ? AND key <> ALL(?)", (self._pack_id, self._seen.get(table, []))
            )
