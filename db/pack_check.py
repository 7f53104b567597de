"""Reading and checking a fact pack: every problem is reported with its file, line and path.

A pack is checked whole before anything touches the store, so a bad pack changes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from db.dates import DateParseError, parse_partial_date
from db.pack_format import PackSpec, canon_terms, name_of, name_terms, source_of
from db.pack_salvage import structure_and_references
from db.pack_words import PathKey, line_of

MAX_PACK_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32  # a pack nests about 8 levels; a deeper document is refused before it can exhaust the stack
MAX_INT_DIGITS = 18  # no number in a pack is longer; Python refuses to convert 4,300 digits or more


@dataclass(frozen=True, slots=True)
class Problem:
    path: PathKey
    line: int | None
    message: str

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        dotted = ".".join(str(p) for p in self.path) or "(top level)"
        return f"{where}: {dotted}: {self.message}"


class PackError(ValueError):
    """A pack that cannot be imported; `problems` lists every reason with its location."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(p.render(filename) for p in problems))


@dataclass(frozen=True, slots=True)
class CheckedPack:
    spec: PackSpec
    digest: str  # of the pack's content, not its formatting: comments and spacing don't count
    filename: str
    file_digest: str | None = None  # of the file's bytes: an unchanged file is skipped without parsing


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _PackLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and refuses anchors/aliases, duplicate keys, documents nested
    deeper than MAX_DEPTH and integers longer than MAX_INT_DIGITS — each as a located problem."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "anchors and aliases are not allowed in packs", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1



def _construct_int(loader: Any, node: ScalarNode) -> int:
    digits = len(str(node.value).lstrip("+-").replace("_", ""))
    if digits > MAX_INT_DIGITS:
        raise ConstructorError(None, None, f"a number {digits} characters long; numbers in packs have at most {MAX_INT_DIGITS}",
                               node.start_mark)
    return int(yaml.constructor.SafeConstructor.construct_yaml_int(loader, node))


# Dates stay text: the pack's date parser knows "2017-08-18", "summer 2017" and the rest alike.
_RESOLVERS = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PackLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_PackLoader.yaml_implicit_resolvers = _RESOLVERS

_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it
if _CSafeLoader is not None:

    class _FastPackLoader(_CSafeLoader):
        """libyaml's parser and composer, with the pack's constructors: the same document, ~10× faster.
        Used only where `_fast_path_is_safe` says its recursive composer cannot be driven too deep."""

    _FastPackLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _FastPackLoader.yaml_implicit_resolvers = _RESOLVERS

# One-line quoted scalars that start where a token may, and comments: their brackets are not structure.
# Anything this misses is counted, so the bound errs towards the pure-Python path.
_QUOTED_OR_COMMENT = re.compile(r"""(?<![^\s\[{,:])(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')|(?<!\S)#[^\n]*""")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INDENT = re.compile(r"^[ ]+", re.MULTILINE)
_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
_FAST_NESTING_LIMIT = 200  # comfortably within libyaml's C recursion; real packs nest about 8 deep


def read_pack_file(path: Path) -> bytes:
    """A pack file's bytes; one over MAX_PACK_BYTES is refused before it is read."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackError(name, [Problem((), None, f"cannot read the file: {exc.strerror}")]) from None
    if size > MAX_PACK_BYTES:
        limit = MAX_PACK_BYTES // (1024 * 1024)
        raise PackError(name, [Problem((), None, f"the file is {size / 2**20:.1f} MB; packs are limited to {limit} MB")])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PackError(name, [Problem((), None, f"cannot read the file: {exc.strerror}")]) from None


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
    with _collector_paused():
        return _check(text, filename)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A pack becomes about a million short-lived objects without cycles; CPython's cyclic collector,
    woken every 700 allocations, took two thirds of the check's time (9 s → 3 s for a 4 MB pack)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check(text: str, filename: str) -> CheckedPack:
    data, lines = _load_yaml(text, filename)
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        told = structure_and_references(exc.errors(), data, text, lines, PackSpec, _reference_problems)
        raise PackError(filename, _by_line([Problem(path, line_of(path, lines), msg) for path, msg in told])) from None
    problems = [Problem(path, line_of(path, lines), msg) for path, msg in _reference_problems(spec)]
    if problems:
        raise PackError(filename, _by_line(problems))
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return CheckedPack(spec, hashlib.sha256(canonical.encode()).hexdigest(), filename)


def _by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)


def _fast_path_is_safe(text: str) -> bool:
    """An upper bound on nesting, computed at C speed: flow brackets outside quotes and comments, and
    indentation. A document that might nest deeper than the limit takes the pure-Python path."""
    brackets = _NOT_BRACKET.sub("", _QUOTED_OR_COMMENT.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    indent = max((len(m) for m in _INDENT.findall(text)), default=0)
    return deepest + indent <= _FAST_NESTING_LIMIT


def _compose_fast(text: str) -> tuple[Any, Node | None] | None:
    """(loader, node) from libyaml, or None when the pure-Python loader must judge the document: no
    libyaml, possibly too deep, an anchor or alias, or nesting past MAX_DEPTH (it reports where)."""
    if _CSafeLoader is None or not _fast_path_is_safe(text):
        return None
    try:
        loader = _FastPackLoader(text)
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(node, 1)] if node is not None else []
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH or id(current) in seen or getattr(current, "anchor", None):
            loader.dispose()
            return None
        seen.add(id(current))
        if isinstance(current, MappingNode):
            stack.extend((child, depth + 1) for pair in current.value for child in pair)
        elif isinstance(current, SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return loader, node


def _load_yaml(text: str, filename: str) -> tuple[Any, dict[PathKey, int]]:
    loader: Any = None
    try:
        fast = _compose_fast(text)
        if fast is not None:
            loader, node = fast
        else:
            loader = _PackLoader(text)  # the reader refuses control characters at once
            node = loader.get_single_node()
        lines: dict[PathKey, int] = {} if node is not None else {(): 1}  # an empty file: its first line
        duplicates: list[Problem] = []
        data = _build(loader, node, (), lines, duplicates) if node is not None else None
        if duplicates:
            raise PackError(filename, duplicates)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackError(filename, [Problem((), line, f"not valid YAML: {problem}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines


def _build(loader: Any, node: Node, path: PathKey, lines: dict[PathKey, int], duplicates: list[Problem]) -> Any:
    """The value of `node`, built as the loader's constructor builds it, while mapping each path to
    its line and noting duplicate keys. Plain text, lists and mappings with text keys — nearly all of
    a pack — are built here in one pass, 3× faster; anything else is left to the constructor."""
    lines.setdefault(path, node.start_mark.line + 1)
    tag = node.tag
    if tag == _STR and isinstance(node, ScalarNode):
        return node.value
    if tag == _SEQ and isinstance(node, SequenceNode):
        return [_build(loader, item, (*path, i), lines, duplicates) for i, item in enumerate(node.value)]
    if tag == _MAP and isinstance(node, MappingNode) and all(isinstance(k, ScalarNode) and k.tag == _STR for k, _ in node.value):
        built: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            if key in built:
                duplicates.append(Problem(child, key_node.start_mark.line + 1, "duplicate key"))
            lines[child] = key_node.start_mark.line + 1
            built[key] = _build(loader, value_node, child, lines, duplicates)
        return built
    _index_lines(node, path, lines, duplicates)
    return loader.construct_object(node, deep=True)


def _index_lines(node: Node, path: PathKey, lines: dict[PathKey, int], duplicates: list[Problem]) -> None:
    """Map each path in the document to the line it starts on, and note duplicate mapping keys."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.start_mark)
            child = (*path, key)
            if key in seen:
                duplicates.append(Problem(child, key_node.start_mark.line + 1, "duplicate key"))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines, duplicates)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines, duplicates)


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
        first, second = rel.between
        for j, who in enumerate(rel.between):
            if who not in spec.characters:
                yield (*rpath, "between", j), f"unknown character `{who}`"
        if first == second:
            yield (*rpath, "between"), "a relationship needs two different characters"
        signature = (*sorted(rel.between), rel.kind, rel.canon, rel.source)
        if signature in statements:
            yield rpath, "the same relationship from the same source is listed twice"
        statements.add(signature)


def _date_problem(path: PathKey, text: str, zone: str) -> Iterator[tuple[PathKey, str]]:
    try:
        parse_partial_date(text, zone)
    except DateParseError as exc:
        yield path, str(exc)
