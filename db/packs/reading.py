"""A pack's YAML, read safely and fast: libyaml's parser where it is safe, PyYAML's pure-Python one
otherwise, and one constructor of our own for both, so both paths give the same data.

Safe: no anchors or aliases, no duplicate keys, nothing nested deeper than MAX_DEPTH, no integer
longer than MAX_INT_DIGITS; dates stay text (the pack's date parser reads them). Fast: a 3 MB pack
is mostly plain text, and text is taken as it is, without PyYAML's per-node machinery. Where each
key sits (its line) is worked out only when a problem has to be shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 32  # a pack nests about 8 levels; a deeper document is refused before it can exhaust the stack
MAX_INT_DIGITS = 18  # no number in a pack is longer; Python refuses to convert 4,300 digits or more
PathKey = tuple[str | int, ...]
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass(frozen=True, slots=True)
class YamlProblem:
    path: PathKey
    line: int | None
    message: str


class YamlProblems(ValueError):
    def __init__(self, problems: list[YamlProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass
class LoadedYaml:
    """The document's data, and — asked for only when a problem needs it — the line of each path."""

    data: Any
    node: Node | None
    fast: bool  # read by libyaml (the pure-Python reader is the fallback)
    _lines: dict[PathKey, int] | None = field(default=None, repr=False)

    def lines(self) -> dict[PathKey, int]:
        if self._lines is None:
            self._lines = {} if self.node is not None else {(): 1}  # an empty file: its first line
            if self.node is not None:
                _index_lines(self.node, (), self._lines)
        return self._lines


# Dates stay text: the pack's date parser knows "2017-08-18", "summer 2017" and the rest alike.
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_NO_RESOLVERS: list[tuple[str, re.Pattern[str]]] = []


def _resolve(self: Any, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
    """PyYAML's resolver without its path resolvers (packs have none): called once per scalar, so
    it is kept short. Plain text such as a name has no resolver for its first letter and stays text."""
    if kind is ScalarNode:
        if implicit[0]:
            for tag, regexp in _RESOLVERS.get(value[:1], _NO_RESOLVERS):
                if regexp.match(value):
                    return tag
        return _STR
    return _SEQ if kind is SequenceNode else _MAP


class _PackLoader(yaml.SafeLoader):
    """The pure-Python reader: refuses anchors/aliases and deep nesting while composing, with where."""

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


_PackLoader.yaml_implicit_resolvers = _RESOLVERS
_PackLoader.resolve = _resolve  # type: ignore[method-assign]  # the same resolution, without path resolvers

_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it
if _CSafeLoader is not None:

    class _FastPackLoader(_CSafeLoader):
        """libyaml's parser and composer: the same nodes, ~10× faster. Used only where
        `fast_path_is_safe` says its recursive composer cannot be driven too deep."""

    _FastPackLoader.yaml_implicit_resolvers = _RESOLVERS
    _FastPackLoader.resolve = _resolve

# One-line quoted scalars that start where a token may, and comments: their brackets are not structure.
# Anything this misses is counted, so the bound errs towards the pure-Python path.
_QUOTED_OR_COMMENT = re.compile(r"""(?<![^\s\[{,:])(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')|(?<!\S)#[^\n]*""")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INDENT = re.compile(r"^[ ]+", re.MULTILINE)
_ALIAS_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,])[&*][^\s,\]}]", re.MULTILINE)  # where a token may start
_FAST_NESTING_LIMIT = 200  # comfortably within libyaml's C recursion; real packs nest about 8 deep


def fast_path_is_safe(text: str) -> bool:
    """Whether libyaml may read the document: no anchors or aliases, and an upper bound on nesting,
    computed at C speed from flow brackets outside quotes and comments, and indentation. A document
    that might nest deeper than the limit takes the pure-Python path."""
    structure = _QUOTED_OR_COMMENT.sub("", text)
    if _ALIAS_OR_ANCHOR.search(structure):
        return False
    brackets = _NOT_BRACKET.sub("", structure)
    depth = deepest = 0
    for ch in brackets:
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    indent = max((len(m) for m in _INDENT.findall(text)), default=0)
    return deepest + indent <= _FAST_NESTING_LIMIT


class _Refer(Exception):
    """The fast path met something only the pure-Python reader may judge (it says where)."""


class _Duplicate(Exception):
    """A mapping repeats a key: every repeated key of the document is then listed, with its path."""


def load_yaml(text: str) -> LoadedYaml:
    """The document's data; YamlProblems (with lines) for anything a pack may not be."""
    if _CSafeLoader is not None and fast_path_is_safe(text):
        try:
            return _load(_FastPackLoader, text, fast=True)
        except (_Refer, yaml.YAMLError):
            pass
    return _load(_PackLoader, text, fast=False)


def _load(kind: Any, text: str, *, fast: bool) -> LoadedYaml:
    loader = None
    try:
        loader = kind(text)  # the pure-Python reader refuses control characters at once
        node = loader.get_single_node()
        data = _Constructor(loader, fast).build(node, 1) if node is not None else None
        return LoadedYaml(data, node, fast)
    except _Duplicate:
        raise YamlProblems(_duplicates(node, ())) from None
    except yaml.YAMLError as exc:
        if fast:
            raise
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblems([YamlProblem((), mark.line + 1 if mark is not None else None, f"not valid YAML: {problem}")]) from None
    finally:
        if loader is not None:
            loader.dispose()


class _Constructor:
    """Nodes to data. Text is taken as it is; other scalars go through PyYAML's safe constructors.
    The fast path is taken only without anchors and aliases; nesting past MAX_DEPTH is referred to
    the pure-Python reader, which reports where. A repeated key is a problem either way."""

    def __init__(self, loader: Any, fast: bool) -> None:
        self._loader = loader
        self._fast = fast
        self._scalars: dict[str, Callable[[Any, ScalarNode], Any]] = loader.yaml_constructors

    def build(self, node: Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Refer
        kind = node.__class__
        if kind is ScalarNode:
            if node.tag == _STR:
                return node.value
            return self._scalar(node)  # type: ignore[arg-type]  # its class was just checked, without isinstance's cost
        if kind is MappingNode and node.tag == _MAP:
            out: dict[Any, Any] = {}
            build = self.build
            for key_node, value_node in node.value:
                key = key_node.value if key_node.__class__ is ScalarNode and key_node.tag == _STR else self._key(key_node, depth)
                if key in out:
                    raise _Duplicate
                out[key] = build(value_node, depth + 1)
            return out
        if kind is SequenceNode and node.tag == _SEQ:
            return [self.build(child, depth + 1) for child in node.value]
        raise _unknown_tag(node)

    def _key(self, node: Node, depth: int) -> Any:
        if node.tag == "tag:yaml.org,2002:merge":
            raise ConstructorError(None, None, "merge keys (`<<`) are not allowed in packs; write each key out", node.start_mark)
        key = self.build(node, depth + 1)
        if not isinstance(key, str | int | bool | float | None):
            raise ConstructorError(None, None, "only plain keys are allowed in packs", node.start_mark)
        return key

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:int":
            return _construct_int(self._loader, node)
        construct = self._scalars.get(node.tag)
        if construct is None:
            raise _unknown_tag(node)
        return construct(self._loader, node)


def _unknown_tag(node: Node) -> ConstructorError:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    return ConstructorError(None, None, f"the tag `{tag}` is not allowed in packs; write the value plainly", node.start_mark)


def _construct_int(loader: Any, node: ScalarNode) -> int:
    digits = len(str(node.value).lstrip("+-").replace("_", ""))
    if digits > MAX_INT_DIGITS:
        raise ConstructorError(None, None, f"a number {digits} characters long; numbers in packs have at most {MAX_INT_DIGITS}",
                               node.start_mark)
    return int(SafeConstructor.construct_yaml_int(loader, node))


def _duplicates(node: Node, path: PathKey) -> list[YamlProblem]:
    """Every repeated key in the document, at its path and line."""
    found: list[YamlProblem] = []
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.start_mark)
            if key in seen:
                found.append(YamlProblem((*path, key), key_node.start_mark.line + 1, "duplicate key"))
            seen.add(key)
            found += _duplicates(value_node, (*path, key))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicates(item, (*path, i))
    return found


def _index_lines(node: Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    """Map each path in the document to the line it starts on."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value if isinstance(key_node, ScalarNode) else str(key_node.start_mark))
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines)
