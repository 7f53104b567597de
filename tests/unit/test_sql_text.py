"""One SQL text for both backends: what each backend is handed."""

from __future__ import annotations

import pytest

from db.backends.sql_text import for_postgres, for_sqlite, sqlite_params


def test_postgres_numbers_placeholders_and_leaves_literals_and_casts_alone() -> None:
    sql = "SELECT ':x', \"a?\", v::text FROM t WHERE a = :a AND b = ANY(:b) AND c = :a"
    text, args = for_postgres(sql, {"a": 1, "b": (2, 3)})
    assert text == "SELECT ':x', \"a?\", v::text FROM t WHERE a = $1 AND b = ANY($2) AND c = $1"
    assert args == (1, [2, 3])
    assert for_postgres("UPDATE t SET a = ? WHERE id = ?", ("x", 4)) == ("UPDATE t SET a = $1 WHERE id = $2", ("x", 4))


def test_mixing_placeholder_styles_is_refused() -> None:
    with pytest.raises(ValueError, match="either"):
        for_postgres("SELECT ? , :a", (1,))


def test_sqlite_spells_lists_null_safe_equality_aggregates_and_row_locks_its_way() -> None:
    sql = ("SELECT least(a, b), greatest(a, b), string_agg(CAST(n AS TEXT), ',') FROM t "
           "WHERE id = ANY(?) AND k <> ALL(:keys) AND g IS NOT DISTINCT FROM ? FOR UPDATE SKIP LOCKED")
    assert for_sqlite(sql) == (
        "SELECT min(a, b), max(a, b), group_concat(CAST(n AS TEXT), ',') FROM t "
        "WHERE id IN (SELECT value FROM json_each(?)) AND k NOT IN (SELECT value FROM json_each(:keys)) AND g IS ?"
    )
    assert sqlite_params(([1, 2], "a")) == ("[1, 2]", "a")
    assert sqlite_params({"keys": ("x",), "g": None}) == {"keys": '["x"]', "g": None}
