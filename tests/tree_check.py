"""`make check`'s tree check, before ruff, mypy and import-linter: what those do not see.

- No file the repository holds may carry merge-conflict markers. A conflict left in the README once
  shipped to main and broke it for a new moderator; ruff and mypy only read Python, so this reads every
  tracked text file (untracked ones too, unless git ignores them).
- No import cycle between two modules of bot/, cogs/ and db/, imports inside functions and under
  TYPE_CHECKING counted (tests/import_graph.py); import-linter checks the layers, not cycles within one.
- No folder of more than 15 modules; TVmaze and the pack format each in their package (tests/tree_layout.py).

Run as `python -m tests.tree_check [ROOT]`; exit status 1 lists each problem on stderr (a marker as
`path:line`); on success one line of figures goes to stdout.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.import_graph import find_cycles, module_files, read_imports
from tests.tree_layout import MAX_MODULES, crowded_folders, misplaced_modules

_OPENING = "<<<<<<<"
_MIDDLE = "======="
_CLOSING = ">>>>>>>"
_SKIPPED_DIRS = {".git", ".venv", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}


def _is_marker(line: str, marker: str) -> bool:
    """Git writes a marker at the start of a line, alone or followed by a space and a label."""
    return line == marker or line.startswith(marker + " ")


def conflict_markers(text: str) -> list[int]:
    """1-based line numbers of the conflict markers in `text`.

    An opening or closing marker counts anywhere; `=======` counts only after an opening one, because
    alone it is also a Markdown heading underline.
    """
    found: list[int] = []
    open_at: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if _is_marker(line, _OPENING):
            open_at = number
            found.append(number)
        elif _is_marker(line, _CLOSING):
            open_at = None
            found.append(number)
        elif open_at is not None and line == _MIDDLE:
            found.append(number)
    return found


def _tree_files(root: Path) -> Iterator[Path]:
    """The files git tracks or would track below `root`; every file when `root` is not a checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        for path in sorted(root.rglob("*")):
            if path.is_file() and not _SKIPPED_DIRS.intersection(path.relative_to(root).parts):
                yield path
        return
    for name in listed.decode("utf-8", "surrogateescape").split("\0"):
        if name:
            yield root / name


def find_conflicts(root: Path) -> list[str]:
    """`path:line` for every conflict marker in the tree's text files (binary files are passed over)."""
    hits: list[str] = []
    for path in _tree_files(root):
        try:
            data = path.read_bytes()
        except OSError:  # listed by git but deleted in the work tree
            continue
        if b"\0" in data:
            continue
        text = data.decode("utf-8", "replace")
        hits.extend(f"{path.relative_to(root)}:{line}" for line in conflict_markers(text))
    return hits


def main(argv: list[str]) -> int:
    root = (Path(argv[0]) if argv else Path.cwd()).resolve()
    hits = find_conflicts(root)
    for hit in hits:
        print(f"{hit}: merge-conflict marker", file=sys.stderr)
    if hits:
        print(f"{len(hits)} merge-conflict marker(s): resolve the conflict before committing", file=sys.stderr)
    modules = module_files(root)
    imports, unreadable = read_imports(root, modules)
    cycles = find_cycles(imports)
    for cycle in cycles:
        print(cycle.describe(), file=sys.stderr)
    if cycles:
        print(
            f"{len(cycles)} import cycle(s): a module may not need, even inside a function or under TYPE_CHECKING, "
            "a module that needs it back; pass a callback or move the shared part to a third module",
            file=sys.stderr,
        )
    layout = [*unreadable, *crowded_folders(root), *misplaced_modules(root)]
    for problem in layout:
        print(problem, file=sys.stderr)
    if hits or cycles or layout:
        return 1
    print(
        f"tree: no conflict marker; {len(modules)} modules, {len({(i.importer, i.imported) for i in imports})} imports "
        f"between them, no cycle; at most {MAX_MODULES} modules a folder; TVmaze and packs each in their package"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
