"""Where modules live (issue 24): no folder too crowded to read, TVmaze and the pack format each in one package.

Both rules go by names, because names are how the tree tells its architecture: before issue 24 the pack
format was ten `pack_*` modules in `db/` and TVmaze seven modules called `tvmaze*` across `bot/` and `db/`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from tests.import_graph import PACKAGES

MAX_MODULES = 15  # `.py` files directly in one folder, `__init__.py` included

# A module named for TVmaze belongs in bot/tvmaze/, but for the repository of its table and the migrations.
TVMAZE_HOME = "bot/tvmaze"
TVMAZE_ASIDE = ("db/repos/tvmaze_shows.py", "db/migrations")
# A module named for packs belongs in db/packs/, but for the repository of their tables (and the migrations);
# TVmaze's conversion of a show into pack data is TVmaze's story, so it stays in bot/tvmaze/.
PACK_HOME = "db/packs"
PACK_ASIDE = ("db/repos/packs", "db/migrations", TVMAZE_HOME)


def _folders(root: Path, packages: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for package in packages:
        top = root / package
        if top.is_dir():
            found.append(top)
            found.extend(path for path in sorted(top.rglob("*")) if path.is_dir() and path.name != "__pycache__")
    return found


def crowded_folders(root: Path, packages: Iterable[str] = PACKAGES) -> list[str]:
    """`folder: why` for each folder holding more than MAX_MODULES modules of its own."""
    found: list[str] = []
    for folder in _folders(root, packages):
        count = sum(1 for _ in folder.glob("*.py"))
        if count > MAX_MODULES:
            found.append(
                f"{folder.relative_to(root).as_posix()}: {count} modules, at most {MAX_MODULES}: "
                "group them into sub-packages named for what they hold"
            )
    return found


def _within(path: PurePosixPath, places: Iterable[str]) -> bool:
    return any(path == PurePosixPath(place) or PurePosixPath(place) in path.parents for place in places)


def _named_for(path: PurePosixPath, words: set[str]) -> bool:
    """Whether a folder or file name in `path` is, or has as a `_`-separated word, one of `words`."""
    return any(words.intersection(part.lower().split("_")) for part in path.with_suffix("").parts)


def misplaced_modules(root: Path, packages: Iterable[str] = PACKAGES) -> list[str]:
    """`path: why` for each module named for TVmaze outside bot/tvmaze/ or for packs outside db/packs/."""
    found: list[str] = []
    for package in packages:
        for file in sorted((root / package).rglob("*.py")):
            path = PurePosixPath(file.relative_to(root).as_posix())
            if "__pycache__" in path.parts:
                continue
            if any("tvmaze" in part.lower() for part in path.parts) and not _within(path, (TVMAZE_HOME, *TVMAZE_ASIDE)):
                found.append(f"{path}: a TVmaze module outside {TVMAZE_HOME}/: move it there")
            elif _named_for(path, {"pack", "packs"}) and not _within(path, (PACK_HOME, *PACK_ASIDE)):
                found.append(f"{path}: a pack-format module outside {PACK_HOME}/: move it there")
    return found
