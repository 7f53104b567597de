"""One SQL text for both backends: repositories write it once, each backend adapts it.

Repositories write standard SQL with `?` or `:name` placeholders, as both drivers' users expect, and
use the few constructs below where the dialects part ways. A list is bound as one parameter (any
length) and tested with `= ANY(?)` or `<> ALL(?)`; null-safe equality is `IS NOT DISTINCT FROM`;
text aggregation is `string_agg(CAST(x AS TEXT), ',')`; the smaller or larger of values is
`least(a, b)` / `greatest(a, b)`; row locks (`FOR SHARE`, `FOR UPDATE`,
`SKIP LOCKED`) are written where PostgreSQL needs them and dropped on SQLite, whose one writer at a
time (BEGIN IMMEDIATE) already gives what they ask for. PostgreSQL runs that as written once the
placeholders are numbered ($1, $2, …); SQLite gets the same meaning through `json_each`, `IS` and
`group_concat`, with lists bound as JSON text. Nothing outside db/ sees either dialect.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

Params = Sequence[Any] | Mapping[str, Any]

# String literals and quoted names are skipped whole, so a `?` or `:x` inside them is left alone;
# `::` (a PostgreSQL cast) is not a named placeholder.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:([A-Za-z_]\w*)")
_ANY = re.compile(r"=\s*ANY\s*\(\s*(\?|:[A-Za-z_]\w*)\s*\)", re.IGNORECASE)
_ALL = re.compile(r"(?:<>|!=)\s*ALL\s*\(\s*(\?|:[A-Za-z_]\w*)\s*\)", re.IGNORECASE)
_NOT_DISTINCT = re.compile(r"\bIS\s+NOT\s+DISTINCT\s+FROM\b", re.IGNORECASE)
_DISTINCT = re.compile(r"\bIS\s+DISTINCT\s+FROM\b", re.IGNORECASE)
_STRING_AGG = re.compile(r"\bstring_agg\s*\(", re.IGNORECASE)
_LEAST = re.compile(r"\bleast\s*\(", re.IGNORECASE)
_GREATEST = re.compile(r"\bgreatest\s*\(", re.IGNORECASE)
_ROW_LOCK = re.compile(r"\s+FOR\s+(?:SHARE|UPDATE)(?:\s+OF\s+\w+)?(?:\s+SKIP\s+LOCKED|\s+NOWAIT)?\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def for_sqlite(sql: str) -> str:
    """The SQLite spelling of a shared statement (lists arrive as JSON text, see `sqlite_params`)."""
    sql = _ANY.sub(r"IN (SELECT value FROM json_each(\1))", sql)
    sql = _ALL.sub(r"NOT IN (SELECT value FROM json_each(\1))", sql)
    sql = _NOT_DISTINCT.sub("IS", sql)
    sql = _DISTINCT.sub("IS NOT", sql)
    sql = _ROW_LOCK.sub("", sql)
    sql = _LEAST.sub("min(", _GREATEST.sub("max(", sql))
    return _STRING_AGG.sub("group_concat(", sql)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return json.dumps(list(value))
    return value


def sqlite_params(params: Params) -> Params:
    """Bound values as sqlite3 takes them: a list becomes one JSON text for `json_each`."""
    if isinstance(params, Mapping):
        if any(isinstance(v, list | tuple | set | frozenset) for v in params.values()):
            return {k: _sqlite_value(v) for k, v in params.items()}
        return params
    if any(isinstance(v, list | tuple | set | frozenset) for v in params):
        return tuple(_sqlite_value(v) for v in params)
    return params


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """`?`/`:name` → `$n`; returns the text and the names in order (or how many `?` there were)."""
    names: list[str] = []
    positional = 0

    def number(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token == "?":
            positional += 1
            return f"${positional}"
        name = match.group(1)
        if name is None:
            return token  # a literal, a quoted name or a cast
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = _TOKENS.sub(number, sql)
    if positional and names:
        raise ValueError("a statement uses either ? or :name placeholders, not both")
    return text, tuple(names) if names else positional


def for_postgres(sql: str, params: Params) -> tuple[str, tuple[Any, ...]]:
    """The PostgreSQL statement and its positional arguments."""
    text, names = _numbered(sql)
    if isinstance(params, Mapping):
        if isinstance(names, int):
            if names:
                raise ValueError("named parameters given for a statement with ? placeholders")
            return text, ()
        return text, tuple(_pg_value(params[name]) for name in names)
    return text, tuple(_pg_value(v) for v in params)


def _pg_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | set | frozenset) else value
