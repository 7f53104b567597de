"""`make check` refuses a tree with merge-conflict markers (issue 23, item 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.tree_check import conflict_markers, find_conflicts

ROOT = Path(__file__).resolve().parents[2]
# Built here so that this file holds no marker of its own.
OPEN, MIDDLE, CLOSE = "<" * 7, "=" * 7, ">" * 7


def test_markers_are_found_with_their_lines() -> None:
    text = f"intro\n{OPEN} HEAD\nours\n{MIDDLE}\ntheirs\n{CLOSE} branch\nafter\n"
    assert conflict_markers(text) == [2, 4, 6]


def test_a_heading_underline_is_not_a_marker() -> None:
    assert conflict_markers(f"Title\n{MIDDLE}\n\ntext {OPEN} inline\n") == []


def test_the_repository_has_no_conflict_markers() -> None:
    assert find_conflicts(ROOT) == []


def test_the_check_fails_on_a_tree_with_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(f"# Title\n{OPEN} HEAD\na\n{MIDDLE}\nb\n{CLOSE} other\n", encoding="utf-8")
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tests.tree_check", str(tmp_path)],
        check=False, cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert "README.md:2: merge-conflict marker" in done.stderr
    assert "README.md:6: merge-conflict marker" in done.stderr
    assert "clean.py" not in done.stderr
