"""The fact store: the only package that speaks SQL. Everything else uses `Store` and its dataclasses."""

from db.pack_check import CheckedPack, PackError, check_pack_file
from db.pack_repository import bundled_pack_path
from db.store import Store

__all__ = ["CheckedPack", "PackError", "Store", "bundled_pack_path", "check_pack_file"]
