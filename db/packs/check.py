"""Reading and checking a fact pack: every problem is reported with its file, line and path.

A pack is checked whole before anything touches the store, so a bad pack changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from db.facts.dates import DateParseError, parse_partial_date
from db.facts.episode_refs import EpisodeRefError, episode_label, parse_episode
from db.packs.cast_check import cast_problems, pair_problems
from db.packs.collector import collector_paused
from db.packs.format import (
    PackSpec,
    SeasonSpec,
    Since,
    SinceSpec,
    canon_terms,
    name_of,
    name_terms,
    since_of,
    source_of,
)
from db.packs.problems import MAX_PACK_BYTES, CheckedPack, PackError, Problem, file_digest, read_pack_file
from db.packs.reading import YamlProblems, load_yaml
from db.packs.salvage import structure_and_references
from db.packs.words import PathKey, line_of


def check_pack_file(path: Path) -> CheckedPack:
    """Read, parse and check a pack file; raise PackError with every problem found."""
    return check_pack_bytes(read_pack_file(path), str(path))


def check_pack_bytes(data: bytes, filename: str) -> CheckedPack:
    """Check a pack file's bytes, already read (start-up hashes them first to skip an unchanged file)."""
    if len(data) > MAX_PACK_BYTES:  # the file grew between its size check and its reading
        limit = MAX_PACK_BYTES // (1024 * 1024)
        raise PackError(filename, [Problem((), None, f"the file is {len(data) / 2**20:.1f} MB; packs are limited to {limit} MB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(filename, [Problem((), None, f"not UTF-8 text (byte {exc.start})")]) from None
    return replace(check_pack_text(text, filename), file_digest=file_digest(data))


def check_pack_text(text: str, filename: str = "<pack>") -> CheckedPack:
    """Check a pack; raise PackError with every problem, structure and references alike, by line."""
    with collector_paused():
        return _check(text, filename)


def check_pack_data(data: Any, filename: str) -> CheckedPack:
    """Check a pack built in memory (a TVmaze show, merged with its hand-written overlay) by the same
    rules as a file; problems have paths but no lines. Nothing is written to YAML to be read back."""
    with collector_paused():
        return _check_loaded(data, dict, "", filename)


def _check(text: str, filename: str) -> CheckedPack:
    try:
        loaded = load_yaml(text)
    except YamlProblems as exc:
        raise PackError(filename, [Problem(p.path, p.line, p.message) for p in exc.problems]) from None
    return _check_loaded(loaded.data, loaded.lines, text, filename)


def _check_loaded(data: Any, lines_of: Callable[[], dict[PathKey, int]], text: str, filename: str) -> CheckedPack:
    """Validate then look at references; `lines_of` is asked only when a problem needs its line."""
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        lines = lines_of()
        told = structure_and_references(exc.errors(), data, text, lines, PackSpec, _reference_problems)
        raise PackError(filename, _by_line([Problem(path, line_of(path, lines), msg) for path, msg in told])) from None
    problems = list(_reference_problems(spec))
    if problems:
        lines = lines_of()
        raise PackError(filename, _by_line([Problem(path, line_of(path, lines), msg) for path, msg in problems]))
    # The content as read (comments and spacing don't count), hashed in C: the validated model would
    # take longer to dump than the whole check of a large pack.
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return CheckedPack(spec, hashlib.sha256(canonical.encode()).hexdigest(), filename)


def _by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)


def _reference_problems(spec: PackSpec) -> Iterator[tuple[PathKey, str]]:
    """What the schema alone cannot see: dangling references, duplicates, dates that don't parse."""
    sources = spec.sources
    seasons_of = {key: {s.number for s in series.seasons} for key, series in spec.series.items()}

    def source(path: PathKey, key: str | None) -> Iterator[tuple[PathKey, str]]:
        if key is not None and key not in sources:
            yield path, f"unknown source `{key}`; sources are: {', '.join(sorted(sources))}"

    for key, src in sources.items():
        if src.published is not None:
            yield from _date_problem(("sources", key, "published"), src.published, "UTC")
    for skey, series in spec.series.items():
        base: PathKey = ("series", skey)
        yield from source((*base, "source"), series.source)
        numbers: set[int] = set()
        for i, season in enumerate(series.seasons):
            spath = (*base, "seasons", i)
            if season.number in numbers:
                yield (*spath, "number"), f"season {season.number} is listed twice"
            numbers.add(season.number)
            yield from source((*spath, "source"), season.source)
            for j, ann in enumerate(season.release):
                apath = (*spath, "release", j)
                yield from source((*apath, "source"), ann.source)
                yield from _date_problem((*apath, "date"), ann.date, ann.timezone)
            yield from _episode_problems(spath, season, source)
        for i, fact in enumerate(series.production):
            ppath = (*base, "production", i)
            yield from source((*ppath, "source"), fact.source)
            if fact.season is not None and fact.season not in numbers:
                yield (*ppath, "season"), f"{skey} has no season {fact.season}"
        for i, alias in enumerate(series.aliases):
            yield from source((*base, "aliases", i), source_of(alias, series.source))

    name_kinds = {key for key, _ in name_terms(spec.pack)}
    canons = {key for key, _ in canon_terms(spec.pack)}
    folded_names: dict[str, str] = {}
    for ckey, char in spec.characters.items():
        base = ("characters", ckey)
        yield from source((*base, "source"), char.source)
        yield from source((*base, "name_source"), char.name_source)
        folded = " ".join(char.name.casefold().split())
        if folded in folded_names:
            yield (*base, "name"), f"`{char.name}` is also the name of `{folded_names[folded]}`"
        folded_names.setdefault(folded, ckey)
        lists: list[tuple[PathKey, list[Any]]] = [
            ((*base, f), getattr(char, f)) for f in ("hero_names", "aliases", "actor_aliases", "affiliations")
        ]
        lists += [((*base, "names", kind), items) for kind, items in char.names.items()]
        for kind in char.names:
            if kind not in name_kinds:
                yield (*base, "names", kind), (
                    f"unknown kind of name `{kind}`; declare it under pack.name_kinds, or use one of: "
                    f"{', '.join(sorted(name_kinds))}"
                )
        for lpath, items in lists:
            seen: set[str] = set()
            for i, item in enumerate(items):
                yield from source((*lpath, i), source_of(item, char.source))
                if name_of(item).casefold() in seen:
                    yield (*lpath, i), f"`{name_of(item)}` is listed twice"
                seen.add(name_of(item).casefold())
        places: set[tuple[str, int | None]] = set()
        for i, app in enumerate(char.appearances):
            apath = (*base, "appearances", i)
            yield from source((*apath, "source"), app.source)
            if app.series not in spec.series:
                yield (*apath, "series"), f"unknown series `{app.series}`; series are: {', '.join(sorted(spec.series))}"
                continue
            listed: list[int | None] = list(app.seasons) if app.seasons else [None]
            for number in listed:
                if number is not None and number not in seasons_of[app.series]:
                    yield (*apath, "seasons"), f"{app.series} has no season {number}"
                if (app.series, number) in places:
                    yield apath, f"appearance in {app.series} season {number or '(all)'} is listed twice"
                places.add((app.series, number))

    statements: set[tuple[str, ...]] = set()
    for i, rel in enumerate(spec.relationships):
        rpath: PathKey = ("relationships", i)
        yield from source((*rpath, "source"), rel.source)
        if rel.canon not in canons:
            yield (*rpath, "canon"), (
                f"unknown kind of canon `{rel.canon}`; declare it under pack.canon, or use one of: {', '.join(sorted(canons))}"
            )
        yield from pair_problems(spec, rpath, rel.between, "a relationship")
        signature = (*sorted(rel.between), rel.kind, rel.canon, rel.source)
        if signature in statements:
            yield rpath, "the same relationship from the same source is listed twice"
        statements.add(signature)

    yield from cast_problems(spec, source)
    yield from _since_problems(spec, source)


def _episode_problems(
    spath: PathKey, season: SeasonSpec, source: Callable[[PathKey, str | None], Iterator[tuple[PathKey, str]]]
) -> Iterator[tuple[PathKey, str]]:
    """Episodes are numbered once each, specials not at all; every date parses; keys are unique."""
    numbers: set[int] = set()
    keys: set[str] = set()
    for field_name, numbered, episodes in (("episodes", True, season.episode_list), ("specials", False, season.specials)):
        for i, episode in enumerate(episodes):
            epath = (*spath, field_name, i)
            yield from source((*epath, "source"), episode.source)
            if numbered and episode.number is None:
                yield (*epath, "number"), "an episode needs its number (a special goes under `specials:`)"
            elif not numbered and episode.number is not None:
                yield (*epath, "number"), "a special has no number; list a numbered episode under `episodes:`"
            elif episode.number is not None:
                if episode.number in numbers:
                    yield (*epath, "number"), f"episode {episode.number} of season {season.number} is listed twice"
                numbers.add(episode.number)
            key = episode.key or (f"e{episode.number}" if numbered else f"special{i + 1}")
            if key in keys:
                yield (*epath, "key"), f"key `{key}` is used twice in season {season.number}"
            keys.add(key)
            yield from _date_problem((*epath, "date"), episode.date, episode.timezone)


def _date_problem(path: PathKey, text: str, zone: str) -> Iterator[tuple[PathKey, str]]:
    try:
        parse_partial_date(text, zone)
    except DateParseError as exc:
        yield path, str(exc)


def citable_episodes(spec: PackSpec) -> dict[str, set[tuple[int, int]]]:
    """Per series, the (season, number) a `since` may name: each listed episode, and S01E01–S01E13 of
    a season given only as `episodes: 13`."""
    found: dict[str, set[tuple[int, int]]] = {}
    for key, series in spec.series.items():
        found[key] = set()
        for season in series.seasons:
            if isinstance(season.episodes, int):
                found[key].update((season.number, n) for n in range(1, season.episodes + 1))
            else:
                found[key].update((season.number, e.number) for e in season.episode_list if e.number is not None)
    return found


def since_series(spec: PackSpec, since: Since) -> str | None:
    """The series a `since` is in: named, or the pack's only series for the bare form."""
    if isinstance(since, SinceSpec):
        return since.series
    return next(iter(spec.series)) if len(spec.series) == 1 else None


def _since_places(spec: PackSpec) -> Iterator[tuple[PathKey, Since]]:
    """Every `since` of the pack with its path."""
    for ckey, char in spec.characters.items():
        base: PathKey = ("characters", ckey)
        if char.since is not None:
            yield (*base, "since"), char.since
        lists = [((*base, f), getattr(char, f)) for f in ("hero_names", "aliases")]
        lists += [((*base, "names", kind), items) for kind, items in char.names.items()]
        for lpath, items in lists:
            for i, item in enumerate(items):
                if (since := since_of(item)) is not None:
                    yield (*lpath, i, "since"), since
        facts: list[tuple[str, int, Since | None]] = [("appearances", i, a.since) for i, a in enumerate(char.appearances)]
        facts += [("events", i, e.since) for i, e in enumerate(char.events)]
        yield from (((*base, field, i, "since"), since) for field, i, since in facts if since is not None)
    pairs: list[tuple[str, int, Since | None]] = [("relationships", i, r.since) for i, r in enumerate(spec.relationships)]
    pairs += [("ships", i, s.since) for i, s in enumerate(spec.ships)]
    yield from (((field, i, "since"), since) for field, i, since in pairs if since is not None)


def _since_problems(
    spec: PackSpec, source: Callable[[PathKey, str | None], Iterator[tuple[PathKey, str]]]
) -> Iterator[tuple[PathKey, str]]:
    """A `since` names an episode the pack lists, in a series it has; events cite known sources."""
    for ckey, char in spec.characters.items():
        for i, event in enumerate(char.events):
            yield from source(("characters", ckey, "events", i, "source"), event.source)
    citable = citable_episodes(spec)
    for path, since in _since_places(spec):
        text = since.episode if isinstance(since, SinceSpec) else since
        try:
            season, number = parse_episode(text)
        except EpisodeRefError as exc:
            yield path, str(exc)
            continue
        series = since_series(spec, since)
        if series is None:
            yield path, (
                f"the pack has {len(spec.series)} series: name the one `{text}` is in, "
                f"as {{series: KEY, episode: {episode_label(season, number)}}}"
            )
        elif series not in citable:
            yield path, f"unknown series `{series}`; series are: {', '.join(sorted(spec.series)) or '(none)'}"
        elif (season, number) not in citable[series]:
            yield path, f"{series} has no episode {episode_label(season, number)} listed"
