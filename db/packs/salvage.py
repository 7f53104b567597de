"""The valid parts of a broken pack, so one run reports its references as well as its structure.

Each structural problem is cut out as narrowly as the format allows: an unknown key is dropped, a
bare number where text is wanted becomes that text, a bad optional value is dropped, and a value a
field cannot do without takes the nearest list item or mapping entry holding it along. What is left
validates and is cross-checked. List items that were cut out shift later items' indices; `original`
maps a path in what is left back to the file's. A reference to something that was cut out (a source
whose own entry is broken) is not reported: the broken entry already is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from db.packs.words import Issue, PathKey, issues, line_of, message

MAX_ROUNDS = 4  # a cut can uncover a new problem (text that is too long once quoted); rarely more than 2


@dataclass
class Salvaged:
    spec: Any  # an instance of the root model
    data: Any
    kept: dict[PathKey, list[int]] = field(default_factory=dict)  # a cut list's path in the file → file index of each item left
    dropped_keys: set[str] = field(default_factory=set)  # mapping entries cut out: sources, characters…
    dropped_numbers: set[int] = field(default_factory=set)  # numbers of list items cut out: seasons

    def original(self, path: PathKey) -> PathKey:
        """The file's path of what is at `path` in the salvaged pack."""
        out: list[str | int] = []
        for part in path:
            if isinstance(part, int) and (indices := self.kept.get(tuple(out))) is not None and part < len(indices):
                part = indices[part]
            out.append(part)
        return tuple(out)

    def mentions_dropped(self, path: PathKey) -> bool:
        """Whether the value at `path` names something that was cut out (so a problem there is a
        consequence of another problem, already reported)."""
        value = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return False
        values = value if isinstance(value, (list, tuple)) else value.values() if isinstance(value, dict) else [value]
        return any(
            (type(v) is str and v in self.dropped_keys) or (type(v) is int and v in self.dropped_numbers) for v in values
        )


def structure_and_references(
    errors: Iterable[ErrorDetails], data: Any, text: str, lines: dict[PathKey, int], root: type[BaseModel],
    references: Callable[[Any], Iterable[tuple[PathKey, str]]],
) -> list[tuple[PathKey, str]]:
    """Every structural problem of a pack that failed validation, in plain words, one per place; then
    what `references` finds in its valid parts, at the file's paths."""
    found = issues(errors, root)
    source_lines = text.splitlines()
    told: dict[PathKey, str] = {}
    for issue in found:
        if issue.path not in told:  # one problem per place: the first reason is enough
            line = line_of(issue.path, lines)
            told[issue.path] = message(issue, source_lines[line - 1] if line and line <= len(source_lines) else "")
    problems = list(told.items())
    salvaged = salvage(data, found, root)  # after the messages: it changes `data`, which errors point into
    if salvaged is not None:
        for path, text_of_problem in references(salvaged.spec):
            original = salvaged.original(path)
            if original not in told and not salvaged.mentions_dropped(path):
                problems.append((original, text_of_problem))
    return problems


def salvage(data: Any, found: list[Issue], root: type[BaseModel]) -> Salvaged | None:
    """The valid part of `data` (changed in place), or None when a problem leaves nothing to check
    (the document is not a mapping, or a top-level field such as `pack` or `format` is broken)."""
    if not isinstance(data, dict):
        return None
    result = Salvaged(None, data)
    for _ in range(MAX_ROUNDS):
        if not _cut(result, found):
            return None
        try:
            result.spec = root.model_validate(data)
        except ValidationError as exc:
            found = issues(exc.errors(), root)
            continue
        return result
    return None


def _cut(result: Salvaged, found: list[Issue]) -> bool:
    """Apply one round of cuts; False when a problem cannot be cut out."""
    fixes: dict[PathKey, str] = {}
    cuts: dict[PathKey, bool] = {}  # path → is a mapping entry
    for issue in found:
        if issue.type == "string_type" and not issue.key_error and type(issue.error.get("input")) in (int, float, bool):
            value = issue.error.get("input")
            fixes[issue.path] = ("true" if value else "false") if isinstance(value, bool) else str(value)
            continue
        if issue.type == "extra_forbidden":
            cuts[issue.path] = False
            continue
        where = next((j for j in range(len(issue.steps) - 1, -1, -1) if issue.steps[j].removable), None)
        if where is None:
            return False
        cuts[issue.path[: where + 1]] = issue.steps[where].in_mapping
        if issue.steps[where].holds_entries:  # a whole section of entries is broken (a list, say)
            result.dropped_keys.update(_entry_keys(_at(result.data, issue.path[: where + 1])))
    cuts = {p: m for p, m in cuts.items() if not any(p[:n] in cuts for n in range(len(p)))}  # inside another cut
    for path, text in fixes.items():
        if not any(path[:n] in cuts for n in range(len(path) + 1)) and (holder := _at(result.data, path[:-1])) is not None:
            holder[path[-1]] = text
    targets = [(path, in_mapping, _at(result.data, path[:-1]), result.original(path[:-1])) for path, in_mapping in cuts.items()]
    by_list: dict[int, tuple[list[Any], PathKey, list[int]]] = {}
    for path, in_mapping, holder, holder_path in targets:
        key = path[-1]
        if isinstance(holder, dict) and key in holder:
            if in_mapping and isinstance(key, str):
                result.dropped_keys.add(key)
            del holder[key]
        elif isinstance(holder, list) and isinstance(key, int) and 0 <= key < len(holder):
            by_list.setdefault(id(holder), (holder, holder_path, []))[2].append(key)
    for holder, holder_path, indices in by_list.values():
        kept = result.kept.setdefault(holder_path, list(range(len(holder))))
        for index in sorted(set(indices), reverse=True):
            item = holder.pop(index)
            if isinstance(item, dict):
                result.dropped_numbers.update(v for v in item.values() if type(v) is int)
            del kept[index]
    return True


def _entry_keys(value: Any) -> set[str]:
    """The keys a broken section was meant to have: its own, or its items' (written as a list)."""
    mappings = [value] if isinstance(value, dict) else [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
    return {k for m in mappings for k in m if isinstance(k, str)}


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
