"""`make check` refuses a tree with merge-conflict markers (issue 23, item 15), import cycles, crowded folders and
TVmaze or pack modules outside their package (issue 24)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.import_graph import Cycle, find_cycles, module_files, read_imports, strongly_connected
from tests.tree_check import conflict_markers, find_conflicts
from tests.tree_layout import crowded_folders, misplaced_modules

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


# Import cycles and layout (issue 24): each checker run on a small tree written for the test.


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _cycles(root: Path) -> list[Cycle]:
    lines, unreadable = read_imports(root, module_files(root))
    assert unreadable == []
    return find_cycles(lines)


def test_an_import_inside_a_function_closes_a_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "db/__init__.py": "",
        "db/store.py": "from db.repo import Repository\n",
        "db/repo.py": "def store_of():\n    from db import store\n    return store\n",
    })
    [cycle] = _cycles(root)
    assert cycle.modules == ("db.repo", "db.store")
    assert [(hop.importer, hop.imported, str(hop.path), hop.line) for hop in cycle.example] == [
        ("db.repo", "db.store", "db/repo.py", 2), ("db.store", "db.repo", "db/store.py", 1),
    ]
    assert cycle.describe() == (
        "import cycle of 2 modules: db.repo, db.store\n"
        "  for example: db.repo (db/repo.py:2) -> db.store (db/store.py:1) -> db.repo"
    )


def test_an_import_under_type_checking_closes_a_cycle(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "cogs/__init__.py": "",
        "cogs/polls/__init__.py": "",
        "cogs/polls/buttons.py": (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .service import PollService\n"
        ),
        "cogs/polls/service.py": "from ..polls.buttons import VoteButton\n",
        "cogs/lookup.py": "from cogs.polls import service\n",
    })
    [cycle] = _cycles(root)
    assert cycle.modules == ("cogs.polls.buttons", "cogs.polls.service")


def test_a_name_from_a_package_is_an_import_of_the_package_unless_it_is_a_module(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "db/__init__.py": "from db.store import Store\n",
        "db/store.py": "class Store: ...\n",
        "bot/__init__.py": "",
        "bot/client.py": "import os\nfrom db import Store, store\nimport db.store as also\nfrom . import settings\n",
        "bot/settings.py": "from pydantic import BaseModel\n",
    })
    lines, _ = read_imports(root, module_files(root))
    assert sorted({(line.importer, line.imported) for line in lines}) == [
        ("bot.client", "bot.settings"), ("bot.client", "db"), ("bot.client", "db.store"), ("db", "db.store"),
    ]
    assert find_cycles(lines) == []


def test_a_chain_is_no_cycle_and_deep_graphs_need_no_recursion() -> None:
    depth = 20_000
    chain = {f"m{i}": [f"m{i + 1}"] for i in range(depth)}
    assert len(strongly_connected(chain)) == depth + 1
    ring = chain | {f"m{depth}": ["m0"]}
    assert [len(component) for component in strongly_connected(ring)] == [depth + 1]


def test_a_folder_of_16_modules_is_too_crowded(tmp_path: Path) -> None:
    files = {"db/__init__.py": "", **{f"db/repos/r{i}.py": "" for i in range(15)}, "bot/__init__.py": ""}
    root = _tree(tmp_path, files)
    assert crowded_folders(root) == []
    (root / "db/repos/__init__.py").write_text("", encoding="utf-8")
    assert crowded_folders(root) == [
        "db/repos: 16 modules, at most 15: group them into sub-packages named for what they hold",
    ]


def test_tvmaze_and_the_pack_format_each_live_in_their_package(tmp_path: Path) -> None:
    in_place = ("bot/tvmaze/client.py", "bot/tvmaze/pack.py", "db/repos/tvmaze_shows.py", "db/packs/reading.py",
                "db/repos/packs/export.py", "bot/packaging.py")
    astray = ("db/tvmaze_draft.py", "bot/tvmaze_fandoms.py", "db/pack_salvage.py", "cogs/packs/cog.py")
    root = _tree(tmp_path, dict.fromkeys(in_place + astray, ""))
    assert misplaced_modules(root) == [
        "bot/tvmaze_fandoms.py: a TVmaze module outside bot/tvmaze/: move it there",
        "cogs/packs/cog.py: a pack-format module outside db/packs/: move it there",
        "db/pack_salvage.py: a pack-format module outside db/packs/: move it there",
        "db/tvmaze_draft.py: a TVmaze module outside bot/tvmaze/: move it there",
    ]


def test_the_repository_keeps_its_layout() -> None:
    assert crowded_folders(ROOT) == []
    assert misplaced_modules(ROOT) == []


def test_the_check_names_the_modules_of_a_cycle(tmp_path: Path) -> None:
    _tree(tmp_path, {"db/__init__.py": "", "db/a.py": "import db.b\n", "db/b.py": "def f():\n    import db.a\n"})
    done = subprocess.run(
        [sys.executable, "-m", "tests.tree_check", str(tmp_path)],
        check=False, cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert "import cycle of 2 modules: db.a, db.b\n  for example: db.a (db/a.py:1) -> db.b (db/b.py:2) -> db.a" in done.stderr
    assert "1 import cycle(s)" in done.stderr
