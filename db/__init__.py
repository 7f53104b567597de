"""The fact store: the only package that speaks SQL. Everything else uses `Store` and its dataclasses."""

from db.packs.check import CheckedPack, PackError, PackErrors, check_pack_file
from db.packs.files import bundled_pack_path, bundled_packs_dir, find_pack_files
from db.repos.fandoms import DefaultFandoms
from db.store import Store

__all__ = [
    "CheckedPack", "DefaultFandoms", "PackError", "PackErrors", "Store", "bundled_pack_path", "bundled_packs_dir",
    "check_pack_file", "find_pack_files",
]
