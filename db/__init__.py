"""The fact store: the only package that speaks SQL. Everything else uses `Store` and its dataclasses."""

from pathlib import Path

from db.packs.files import bundled_pack_path, bundled_packs_dir, find_pack_files
from db.packs.problems import CheckedPack, PackError, PackErrors
from db.repos.fandoms import DefaultFandoms
from db.store import Store

__all__ = [
    "CheckedPack", "DefaultFandoms", "PackError", "PackErrors", "Store", "bundled_pack_path", "bundled_packs_dir",
    "check_pack_file", "find_pack_files",
]


def check_pack_file(path: Path) -> CheckedPack:
    """Read, parse and check a pack file; raise PackError with every problem found."""
    # Imported here: the pack format (pydantic models, YAML) is not loaded by every `import db`, only by
    # what checks a pack (~5 MiB less RSS for a bot whose packs are unchanged).
    from db.packs.check import check_pack_file as check

    return check(path)
