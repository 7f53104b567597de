"""Pack files on disk: the packs shipped inside the package, and the files a FACT_PACKS entry names."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from db.packs.problems import PackError, PackErrors, Problem

PACK_SUFFIXES = (".yaml", ".yml")


def bundled_packs_dir() -> Path:
    """The packs shipped inside the package (FACT_PACKS' default)."""
    return Path(str(resources.files("db").joinpath("packs")))


def bundled_pack_path() -> Path:
    """The first-ever pack, shipped inside the package (tests and benchmarks use it by name)."""
    return bundled_packs_dir() / "defenders.yaml"


def find_pack_files(entries: list[Path]) -> list[Path]:
    """Each entry is a pack file or a folder of them (`*.yaml`, `*.yml`, in name order). A missing
    entry, or a folder without packs, is a PackError naming it."""
    found: list[Path] = []
    problems: list[PackError] = []
    for entry in entries:
        if entry.is_dir():
            files = sorted(p for p in entry.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())
            if not files:
                problems.append(PackError(str(entry), [Problem((), None, "a folder without any *.yaml pack")]))
            found.extend(files)
        elif entry.is_file():
            found.append(entry)
        else:
            problems.append(PackError(str(entry), [Problem((), None, "no such file or folder")]))
    if problems:
        raise PackErrors(problems)
    return list(dict.fromkeys(found))
