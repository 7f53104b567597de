"""pydantic's validation errors, placed at the document's own paths and told in plain words.

pydantic's `loc` mixes the document's keys with its own parts: union members ("constrained-str",
"SourcedName") and "[key]" for a bad mapping key. Walking the loc alongside the pack's types tells
them apart exactly, and gives what a message needs: the model that owns a key, the values a field
allows. Messages are built from the error's type and the pack's types alone, so a new field gets
plain words without any change here; no message shows a regular expression or pydantic's wording.
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from db.packs.format import Key, Term
from db.packs.problems import PathKey

# Error types that say "this is the wrong kind of value", with what was expected instead.
EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "dict_type": "a mapping",
    "list_type": "a list", "tuple_type": "a list", "model_type": "a mapping", "model_attributes_type": "a mapping",
}
WEB_ADDRESS = "a web address written in full, like https://example.org/page"
_NOUNS = {Key: "id", Term: "kind"}  # what a value matching each pattern is called in messages
_CLASS_WORDS = {"a-z": "lowercase letters", "A-Z": "capital letters", "0-9": "digits", "-": "hyphens", "_": "underscores"}


@dataclass(frozen=True, slots=True)
class Step:
    """One part of a document path: whether the value there could be left out (a list item, a
    mapping entry, a field with a default) without making what holds it invalid."""

    part: str | int
    removable: bool
    in_mapping: bool  # an entry of a `dict[...]` field, known by its key
    holds_entries: bool  # the value here should be a `dict[...]` of entries (sources, characters…)


@dataclass(frozen=True, slots=True)
class Issue:
    """One pydantic error at the document's path, with what the pack's types say about that place."""

    path: PathKey
    steps: tuple[Step, ...]
    error: ErrorDetails
    expected: Any  # the type wanted at `path` (None: unknown, e.g. a key no model has)
    owner: type[BaseModel] | None  # the model whose field is `path[-1]`, if any
    key_error: bool  # the mapping key itself is bad, not its value
    union: PathKey | None  # the path of the union value this error came through, if any

    @property
    def type(self) -> str:
        return self.error["type"]


def issues(errors: Iterable[ErrorDetails], root: type[BaseModel]) -> list[Issue]:
    """Each error placed in the document; of a union's alternatives, only those that matter."""
    placed = [_place(err, root) for err in errors]
    unions: dict[PathKey, list[Issue]] = {}
    for issue in placed:
        if issue.union is not None:
            unions.setdefault(issue.union, []).append(issue)
    kept: list[Issue] = []
    for issue in placed:
        if issue.union is None:
            kept.append(issue)
            continue
        group = unions[issue.union]
        deeper = [i for i in group if i.path != issue.union or i.type not in EXPECTED]
        if deeper:  # one alternative got past the type check: its errors are the ones to tell
            if any(i is issue for i in deeper):
                kept.append(issue)
        elif issue is group[0]:
            kept.append(_pick_alternative(group))
    return kept


def message(issue: Issue, source_line: str = "") -> str:
    """The problem in plain words; `source_line` is the file's line it is on, to quote a bare value
    as the file spells it (`yes`, `0x7E1`)."""
    err, kind, value = issue.error, issue.type, issue.error.get("input")
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    key = issue.path[-1] if issue.path else None
    if kind == "extra_forbidden":
        allowed = f"; allowed here: {', '.join(issue.owner.model_fields)}" if issue.owner else ""
        return f"unknown key `{key}`{allowed}"
    if kind == "missing":
        return f"missing `{key}` (required here)"
    if kind == "string_type" and _is_bare_scalar(value):
        said = _spelled(source_line, key, value) or _yaml_spelling(value)
        if isinstance(key, str) and not issue.key_error:
            return f'`{key}: {said}` must be quoted as text: `{key}: "{said}"`'
        return f'`{said}` must be quoted as text: `"{said}"`'
    if kind in EXPECTED:
        return _wrong_kind(kind, value, issue, key)
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return "is empty; write some text or leave the key out" if _optional(issue) else "is empty; it needs some text"
        return f"is {len(str(value).strip())} characters; at least {ctx['min_length']}"
    if kind == "string_too_long":
        return f"is {len(str(value).strip())} characters; at most {ctx['max_length']}"
    if kind == "string_pattern_mismatch":
        noun = _noun(ctx.get("pattern"))
        rule = _pattern_words(str(ctx.get("pattern", "")))
        return f"`{value}` is not a valid {noun}" + (f": use {rule}" if rule else "")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _bound_words(kind, value, ctx)
    if kind in ("literal_error", "enum"):
        return f"`{_yaml_spelling(value)}` is not allowed here; must be one of: {', '.join(_choices(issue.expected, ctx))}"
    if kind in ("too_short", "too_long"):
        return _count_words(value, issue.expected, ctx)
    if kind.startswith("url_"):
        return _url_words(kind, value, ctx)
    if kind in ("value_error", "assertion_error") and ctx.get("error") is not None:
        return str(ctx["error"])  # the format's own validator wrote it for people
    shown = f"`{_yaml_spelling(value)}` " if _is_bare_scalar(value) or isinstance(value, str) else ""
    return f"{shown}is not accepted here; expected {describe(issue.expected)}"


def line_of(path: PathKey, lines: dict[PathKey, int]) -> int | None:
    """The line of `path`, or of the nearest enclosing path the file has (a missing key: its mapping's)."""
    for end in range(len(path), -1, -1):
        if (found := lines.get(path[:end])) is not None:
            return found
    return None


def describe(tp: Any) -> str:
    """What a value of this type looks like, in words."""
    tp, _ = _unwrap(tp)
    members = _members(tp)
    if members is not None:
        return " or ".join(dict.fromkeys(describe(m) for m in members))
    origin = get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"a mapping with keys: {', '.join(tp.model_fields)}"
    if origin is Literal or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return f"one of: {', '.join(_choices(tp, {}))}"
    if isinstance(tp, type) and tp.__name__.endswith("Url"):
        return WEB_ADDRESS
    if tp is str:
        return "text"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if origin is dict:
        return "a mapping"
    if origin is list:
        return "a list"
    if origin is tuple:
        return f"a list of {len(get_args(tp))}"
    return "a different value"


def _place(err: ErrorDetails, root: type[BaseModel]) -> Issue:
    """Walk the loc alongside the types: which parts are the document's, and what each place wants."""
    loc = err["loc"]
    tp: Any = root
    steps: list[Step] = []
    holders: list[Any] = []  # the type each step was taken in
    owner: type[BaseModel] | None = None
    union: PathKey | None = None
    key_error = False
    i = 0
    while i < len(loc):
        part = loc[i]
        tp, _ = _unwrap(tp)
        members = _members(tp)
        if members is not None:  # a union: pydantic names the member it tried in the next part
            union = tuple(s.part for s in steps)
            tp = _member_named(members, str(part))
            i += 1
            continue
        origin = get_origin(tp)
        removable, in_mapping = False, False
        owner = None
        holders.append(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            owner = tp
            removable = field is not None and not field.is_required()
            tp = _annotated(field.annotation, field.metadata) if field is not None else None
        elif origin is dict:
            key_type, value_type = get_args(tp)
            removable, in_mapping = True, True
            if i + 1 < len(loc) and loc[i + 1] == "[key]":
                key_error = True
                tp = key_type
                i += 1
            else:
                tp = value_type
        elif origin is list:
            removable, tp = True, get_args(tp)[0]
        elif origin is tuple:
            items = get_args(tp)
            tp = items[part] if isinstance(part, int) and 0 <= part < len(items) else None
        else:
            tp = None
        steps.append(Step(part, removable, in_mapping, get_origin(_unwrap(tp)[0]) is dict))
        i += 1
    expected = tp
    if err["type"] == "missing" and isinstance(loc[-1], int) and steps:
        # a tuple too short: pydantic names the missing position; the problem is the list's
        steps.pop()
        expected = holders[len(steps)]
        value = err.get("input")
        have = len(value) if isinstance(value, (list, tuple)) else 0
        err = {**err, "type": "too_short", "ctx": {"field_type": "Tuple", "actual_length": have}}
    return Issue(tuple(s.part for s in steps), tuple(steps), err, expected, owner, key_error, union)


def _pick_alternative(group: list[Issue]) -> Issue:
    """Every member of a union refused the value's kind: one issue saying what would do."""
    for issue in group:
        if issue.type == "string_type" and _is_bare_scalar(issue.error.get("input")):
            return issue  # a number where text would do: say to quote it
    first = group[0]
    wanted = " or ".join(dict.fromkeys(describe(i.expected) if i.expected is not None else EXPECTED[i.type] for i in group))
    value = first.error.get("input")
    details: ErrorDetails = {"type": "value_error", "loc": first.error["loc"], "msg": "", "input": value,
                             "ctx": {"error": _not_what_was_wanted(value, wanted)}}
    return Issue(first.union or first.path, first.steps, details, None, None, False, None)


def _wrong_kind(kind: str, value: Any, issue: Issue, key: str | int | None) -> str:
    wanted = describe(issue.expected) if issue.expected is not None and kind != "int_parsing" else EXPECTED[kind]
    if kind in ("int_parsing", "int_from_float", "float_parsing", "bool_parsing"):
        return f"`{_yaml_spelling(value)}` is not {wanted}"
    if kind == "list_type" and isinstance(value, str) and value.strip() and isinstance(key, str):
        return f"is text; expected a list: `{key}: [{value}]`"
    return _not_what_was_wanted(value, wanted)


def _not_what_was_wanted(value: Any, wanted: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"is empty; it needs {'some text' if wanted == 'text' else wanted}"
    return f"{_kind_of(value)}; expected {wanted}"


def _url_words(kind: str, value: Any, ctx: dict[str, Any]) -> str:
    if kind == "url_type" or not isinstance(value, str):
        return _not_what_was_wanted(value, WEB_ADDRESS)
    if kind == "url_scheme":
        schemes = " or ".join(f"{s}://" for s in re.findall(r"'([^']*)'", str(ctx.get("expected_schemes", ""))))
        return f"`{value}` must start with {schemes or 'https://'}"
    if kind == "url_too_long":
        return f"is {len(value)} characters; at most {ctx.get('max_length')}"
    return f"`{value}` is not {WEB_ADDRESS}"


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"is `{_yaml_spelling(value)}`"
    if isinstance(value, (int, float)):
        return f"is the number {value}"
    if isinstance(value, str):
        return "is text"
    if isinstance(value, dict):
        return "is a mapping"
    if isinstance(value, (list, tuple)):
        return "is a list"
    return f"is {type(value).__name__}"


def _count_words(value: Any, expected: Any, ctx: dict[str, Any] | None = None) -> str:
    ctx = ctx or {}
    have = ctx.get("actual_length", len(value) if isinstance(value, (list, tuple, dict)) else 0)
    one, many = ("entry", "entries") if isinstance(value, dict) else ("item", "items")
    have_words = f"has {have} {one if have == 1 else many}" if have else "is empty"
    tp, _ = _unwrap(expected)
    if get_origin(tp) is tuple and Ellipsis not in get_args(tp):
        return f"{have_words}; exactly {len(get_args(tp))} are needed"
    if "min_length" in ctx and have < ctx["min_length"]:
        return f"{have_words}; at least {ctx['min_length']} {'is' if ctx['min_length'] == 1 else 'are'} needed"
    return f"{have_words}; at most {ctx.get('max_length')}"


def _bound_words(kind: str, value: Any, ctx: dict[str, Any]) -> str:
    words = {"greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "more than"),
             "less_than_equal": ("le", "at most"), "less_than": ("lt", "less than")}
    name, phrase = words[kind]
    return f"is {value}; must be {phrase} {ctx.get(name)}"


def _choices(tp: Any, ctx: dict[str, Any]) -> list[str]:
    tp, _ = _unwrap(tp)
    if get_origin(tp) is Literal:
        return [_yaml_spelling(v) for v in get_args(tp)]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return [_yaml_spelling(m.value) for m in tp]
    return re.findall(r"'([^']*)'", str(ctx.get("expected", ""))) or [str(ctx.get("expected", "?"))]


def _noun(pattern: Any) -> str:
    for alias, noun in _NOUNS.items():
        if any(getattr(m, "pattern", None) == pattern for m in get_args(alias)[1:]):
            return noun
    return "value"


def _pattern_words(pattern: str) -> str | None:
    """`^[a-z0-9][a-z0-9-]{0,62}$` → "lowercase letters, digits and hyphens, starting with a letter or
    digit, at most 63 characters"; None for a pattern of any other shape (then no rule is given)."""
    shape = re.fullmatch(r"\^\[([^\]]+)\]\[([^\]]+)\]\{(\d+),(\d+)\}\$", pattern)
    if shape is None:
        return None
    first, rest = _class_words(shape.group(1)), _class_words(shape.group(2))
    if first is None or rest is None:
        return None
    starts = " or ".join(w.removesuffix("s").replace("lowercase ", "") for w in first)
    longest = int(shape.group(4)) + 1
    return f"{_and(rest)}, starting with a {starts}, at most {longest} characters"


def _class_words(chars: str) -> list[str] | None:
    words: list[str] = []
    i = 0
    while i < len(chars):
        for token, word in _CLASS_WORDS.items():
            if chars.startswith(token, i):
                words.append(word)
                i += len(token)
                break
        else:
            return None
    return words


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _optional(issue: Issue) -> bool:
    return bool(issue.steps) and issue.steps[-1].removable


def _spelled(line: str, key: str | int | None, value: Any) -> str | None:
    """How `key: value` is written on the line, if it is there (a line may hold several keys)."""
    if not isinstance(key, str):
        return None
    pattern = rf"(?:^|[\s{{,])['\"]?{re.escape(key)}['\"]?\s*:\s+([^\s,}}\]#][^,}}\]#]*?)\s*(?=[,}}\]]|\s#|$)"
    for found in re.finditer(pattern, line):
        try:
            read = yaml.safe_load(found.group(1))
        except yaml.YAMLError:
            continue
        if type(read) is type(value) and read == value:
            return found.group(1)
    return None


def _is_bare_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float))


def _yaml_spelling(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """The type without `Annotated` and without `| None` (pydantic adds no loc part for either)."""
    metadata: list[Any] = []
    while True:
        if get_origin(tp) is Annotated:
            tp, *more = get_args(tp)
            metadata.extend(more)
        elif get_origin(tp) in (Union, types.UnionType) and len(members := _non_none(tp)) == 1:
            tp = members[0]
        else:
            return tp, metadata


def _annotated(tp: Any, metadata: list[Any]) -> Any:
    return Annotated[tp, *metadata] if metadata else tp


def _non_none(tp: Any) -> list[Any]:
    return [m for m in get_args(tp) if m is not type(None)]


def _members(tp: Any) -> list[Any] | None:
    """A union's members other than None, when there are two or more."""
    if get_origin(tp) not in (Union, types.UnionType):
        return None
    members = _non_none(tp)
    return members if len(members) > 1 else None


def _member_named(members: list[Any], tag: str) -> Any:
    """The member pydantic tried: a model by its name, else the one member that is not a model."""
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    for model in models:
        if model.__name__ == tag:
            return model
    others = [m for m in members if m not in models]
    return others[0] if len(others) == 1 else None
