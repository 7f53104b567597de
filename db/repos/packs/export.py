"""Reading a pack back out of the store as the `PackSpec` it was imported from (`dump_pack` in
db/packs/format.py writes it as YAML, in the format `check` and `import` read)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from db.backends.database import Database
from db.facts.episode_refs import episode_label, episode_of_order
from db.packs.format import (
    DEFAULT_CANON,
    DEFAULT_NAME_KINDS,
    AnnouncementSpec,
    AppearanceSpec,
    CharacterSpec,
    EpisodeSpec,
    EventSpec,
    NameItem,
    PackMeta,
    PackSpec,
    ProductionSpec,
    RelationshipSpec,
    RevealedName,
    RevealedNameItem,
    SeasonSpec,
    SeriesSpec,
    ShipSpec,
    Since,
    SinceSpec,
    SourcedName,
    SourceSpec,
)


async def export_pack(database: Database, pack_key: str) -> PackSpec | None:
    """The pack as the store holds it, or None if no such pack was imported."""
    pack = await database.fetch_one("SELECT * FROM packs WHERE key = ?", (pack_key,))
    if pack is None:
        return None
    pid = pack["id"]

    async def rows(sql: str) -> list[Any]:
        return await database.fetch_all(sql, (pid,))

    source_rows = await rows("SELECT * FROM sources WHERE pack_id = ? ORDER BY id")
    skey = {r["id"]: r["key"] for r in source_rows}
    sources = {
        r["key"]: SourceSpec(
            title=r["title"], outlet=r["outlet"], published=r["published"],
            file=r["location"] if r["location"] and "://" not in r["location"] else None,
            url=r["location"] if r["location"] and "://" in r["location"] else None,
            from_articles=bool(r["from_articles"]), note=r["note"],
        )
        for r in source_rows
    }

    def named(name: str, source_id: int, owner_source: str) -> NameItem:
        return name if skey[source_id] == owner_source else SourcedName(name=name, source=skey[source_id])

    series = await _export_series(rows, skey, named)
    series_keys = {r["id"]: r["key"] for r in await rows("SELECT id, key FROM series WHERE pack_id = ?")}
    since = _Since(series_keys)
    characters = await _export_characters(rows, skey, named, since)
    rel_rows = await rows(
        """SELECT r.*, a.key AS first_key, b.key AS second_key FROM relationships r
           JOIN characters a ON a.id = r.first_id JOIN characters b ON b.id = r.second_id
           WHERE r.pack_id = ? ORDER BY r.id"""
    )
    relationships = [
        RelationshipSpec(
            between=(r["first_key"], r["second_key"]), kind=r["kind"], canon=r["canon"],
            status=r["status"], note=r["note"], source=skey[r["source_id"]], since=since(r),
        )
        for r in rel_rows
    ]
    terms = await rows("SELECT kind, term, label FROM pack_terms WHERE pack_id = ? ORDER BY position")
    canon = {t["term"]: t["label"] for t in terms if t["kind"] == "canon" and DEFAULT_CANON.get(t["term"]) != t["label"]}
    name_kinds = {
        t["term"]: t["label"] for t in terms if t["kind"] == "name" and DEFAULT_NAME_KINDS.get(t["term"]) != t["label"]
    }
    return PackSpec(
        format=1,
        pack=PackMeta(
            id=pack["key"], title=pack["title"], description=pack["description"], canon=canon, name_kinds=name_kinds
        ),
        sources=sources,
        series=series,
        characters=characters,
        relationships=relationships,
        ships=await _export_ships(rows, skey, named, since),
    )


async def _export_series(rows: Any, skey: dict[int, str], named: Any) -> dict[str, SeriesSpec]:
    series_rows = await rows("SELECT * FROM series WHERE pack_id = ? ORDER BY id")
    key_of = {r["id"]: r["key"] for r in series_rows}
    aliases: dict[int, list[Any]] = defaultdict(list)
    for r in await rows("SELECT * FROM series_names WHERE pack_id = ? ORDER BY id"):
        aliases[r["series_id"]].append(r)
    seasons: dict[int, list[Any]] = defaultdict(list)
    for r in await rows("SELECT * FROM seasons WHERE pack_id = ? ORDER BY series_id, number"):
        seasons[r["series_id"]].append(r)
    dates: dict[tuple[int, int], list[AnnouncementSpec]] = defaultdict(list)
    for r in await rows(
        """SELECT d.*, rel.series_id, rel.season_number FROM release_dates d
           JOIN releases rel ON rel.id = d.release_id
           WHERE d.pack_id = ? AND rel.kind = 'release' ORDER BY d.release_id, d.seq"""
    ):
        dates[(r["series_id"], r["season_number"])].append(
            AnnouncementSpec(
                date=_date_text(r["precision"], r["value"]), timezone=r["timezone"],
                announced=r["announced_on"], note=r["note"], source=skey[r["source_id"]],
            )
        )
    episodes = await _export_episodes(rows, skey)
    production: dict[int, list[ProductionSpec]] = defaultdict(list)
    for r in await rows("SELECT * FROM production_facts WHERE pack_id = ? ORDER BY id"):
        production[r["series_id"]].append(
            ProductionSpec(kind=r["kind"], season=r["season_number"], person=r["person"], text=r["text"],
                           source=skey[r["source_id"]])
        )
    result: dict[str, SeriesSpec] = {}
    for r in series_rows:
        own = skey[r["source_id"]]
        result[key_of[r["id"]]] = SeriesSpec(
            title=r["title"], kind=r["kind"], platform=r["platform"], description=r["description"], source=own,
            aliases=[named(a["name"], a["source_id"], own) for a in aliases[r["id"]]],
            seasons=[_season(s, skey, dates[(r["id"], s["number"])], episodes[(r["id"], s["number"])]) for s in seasons[r["id"]]],
            production=production[r["id"]],
        )
    return result


def _season(row: Any, skey: dict[int, str], dates: list[AnnouncementSpec], episodes: list[Any]) -> SeasonSpec:
    own = skey[row["source_id"]]
    listed: dict[bool, list[EpisodeSpec]] = {True: [], False: []}
    for e in episodes:
        numbered = e["kind"] == "episode"
        key = e["key"].rsplit("/", 1)[-1]
        default = f"e{e['episode']}" if numbered else f"special{len(listed[False]) + 1}"
        listed[numbered].append(EpisodeSpec(
            number=e["episode"], title=e["episode_title"], date=_date_text(e["precision"], e["value"]),
            timezone=e["timezone"], runtime=e["runtime"], rating=e["rating"], key=None if key == default else key,
            source=None if skey[e["source_id"]] == own else skey[e["source_id"]],
        ))
    return SeasonSpec(
        number=row["number"], episodes=listed[True] or row["episodes"], specials=listed[False], source=own, release=dates
    )


async def _export_episodes(rows: Any, skey: dict[int, str]) -> dict[tuple[int, int], list[Any]]:
    """Episodes and specials by (series id, season), each with its one date, in the order they were imported."""
    found: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for r in await rows(
        """SELECT rel.key, rel.kind, rel.series_id, rel.season_number, rel.episode, rel.episode_title, rel.runtime,
                  rel.rating, d.precision, d.value, d.timezone, d.source_id
             FROM releases rel JOIN release_dates d ON d.release_id = rel.id AND d.seq = 0 AND d.guild_id IS NULL
            WHERE rel.pack_id = ? AND rel.kind <> 'release' ORDER BY rel.episode, rel.id"""
    ):
        found[(r["series_id"], r["season_number"])].append(r)
    return found


class _Since:
    """A row's `since_series_id` and `since_order` as the pack spells them: bare in a pack of one series."""

    def __init__(self, series_keys: dict[int, str]) -> None:
        self._keys = series_keys

    def __call__(self, row: Any) -> Since | None:
        if row["since_series_id"] is None or row["since_order"] is None:
            return None
        episode = episode_label(*episode_of_order(row["since_order"]))
        if len(self._keys) == 1:
            return episode
        return SinceSpec(series=self._keys[row["since_series_id"]], episode=episode)


async def _export_characters(rows: Any, skey: dict[int, str], named: Any, since: _Since) -> dict[str, CharacterSpec]:
    char_rows = await rows("SELECT * FROM characters WHERE pack_id = ? ORDER BY id")
    names: dict[int, list[Any]] = defaultdict(list)
    for r in await rows("SELECT * FROM character_names WHERE pack_id = ? ORDER BY id"):
        names[r["character_id"]].append(r)
    affiliations: dict[int, list[Any]] = defaultdict(list)
    for r in await rows("SELECT * FROM affiliations WHERE pack_id = ? ORDER BY id"):
        affiliations[r["character_id"]].append(r)
    appearances: dict[int, list[Any]] = defaultdict(list)
    for r in await rows(
        """SELECT a.*, s.key AS series_key FROM appearances a JOIN series s ON s.id = a.series_id
           WHERE a.pack_id = ? ORDER BY a.id"""
    ):
        appearances[r["character_id"]].append(r)
    events: dict[int, list[Any]] = defaultdict(list)
    for r in await rows("SELECT * FROM character_events WHERE pack_id = ? ORDER BY character_id, position"):
        events[r["character_id"]].append(r)

    result: dict[str, CharacterSpec] = {}
    for c in char_rows:
        own = skey[c["source_id"]]

        def of_kind(kind: str, cid: int = c["id"], own: str = own) -> list[RevealedNameItem]:
            return [revealed(n, own) for n in names[cid] if n["kind"] == kind]

        def revealed(row: Any, own: str) -> RevealedNameItem:
            source, revealed_in = skey[row["source_id"]], since(row)
            if source == own and revealed_in is None:
                return str(row["name"])
            return RevealedName(name=row["name"], source=None if source == own else source, since=revealed_in)

        result[c["key"]] = CharacterSpec(
            name=c["name"],
            name_source=skey.get(c["name_source_id"]) if c["name_source_id"] else None,
            hero_names=of_kind("hero"), aliases=of_kind("alias"), actor=c["actor"],
            names={
                kind: of_kind(kind)
                for kind in dict.fromkeys(n["kind"] for n in names[c["id"]])
                if kind not in ("hero", "alias", "actor")
            },
            actor_aliases=[named(n["name"], n["source_id"], own) for n in names[c["id"]] if n["kind"] == "actor"],
            image=c["image_url"], status=c["status"], description=c["description"], prominence=c["prominence"],
            affiliations=[named(a["name"], a["source_id"], own) for a in affiliations[c["id"]]],
            appearances=_group_appearances(appearances[c["id"]], skey, own, since),
            events=[
                EventSpec(
                    kind=e["kind"], text=e["text"], since=since(e),
                    source=None if skey[e["source_id"]] == own else skey[e["source_id"]],
                )
                for e in events[c["id"]]
            ],
            source=own, since=since(c),
        )
    return result


def _group_appearances(rows: list[Any], skey: dict[int, str], own: str, since: _Since) -> list[AppearanceSpec]:
    """Rows are one per season; the format groups seasons that share everything else."""
    groups: dict[tuple[Any, ...], list[int | None]] = {}
    for r in rows:
        source = skey[r["source_id"]]
        actor_source = skey[r["actor_source_id"]] if r["actor_source_id"] is not None else None
        group = (
            r["series_key"], r["status"], r["billing"], r["actor"], None if actor_source == source else actor_source,
            r["note"], None if source == own else source, since(r),
        )
        groups.setdefault(group, []).append(r["season_number"])
    return [
        AppearanceSpec(
            series=series, status=status, billing=billing, actor=actor, actor_source=actor_source, note=note, source=source,
            seasons=None if None in numbers else sorted(n for n in numbers if n is not None), since=revealed_in,
        )
        for (series, status, billing, actor, actor_source, note, source, revealed_in), numbers in groups.items()
    ]


async def _export_ships(rows: Any, skey: dict[int, str], named: Any, since: _Since) -> list[ShipSpec]:
    ship_rows = await rows(
        """SELECT s.id, s.source_id, s.since_series_id, s.since_order, a.key AS first_key, b.key AS second_key FROM ships s
           JOIN characters a ON a.id = s.first_id JOIN characters b ON b.id = s.second_id
           WHERE s.pack_id = ? ORDER BY s.id"""
    )
    names: dict[int, list[Any]] = defaultdict(list)
    for r in await rows("SELECT ship_id, name, source_id FROM ship_names WHERE pack_id = ? ORDER BY id"):
        names[r["ship_id"]].append(r)
    return [
        ShipSpec(
            between=(r["first_key"], r["second_key"]), source=skey[r["source_id"]],
            names=[named(n["name"], n["source_id"], skey[r["source_id"]]) for n in names[r["id"]]], since=since(r),
        )
        for r in ship_rows
    ]


def _date_text(precision: str, value: str | None) -> str:
    return "unknown" if precision == "unknown" or value is None else value
