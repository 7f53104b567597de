"""What a pack's problems are, and reading a pack file's bytes: all that start-up needs when every pack
file is unchanged (recognised by its digest), without the pack format's models or the YAML reader
(db/packs/check.py), ~5 MiB that a running bot need not hold until a pack changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.packs.format import PackSpec

PathKey = tuple[str | int, ...]  # where in a pack: keys and list indexes from the top

MAX_PACK_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    path: PathKey
    line: int | None
    message: str

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        dotted = ".".join(str(p) for p in self.path) or "(top level)"
        return f"{where}: {dotted}: {self.message}"


class PackError(ValueError):
    """A pack that cannot be imported; `problems` lists every reason with its location."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(p.render(filename) for p in problems))


class PackErrors(Exception):
    """Problems in one or more packs: each PackError lists every problem of its file."""

    def __init__(self, errors: list[PackError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def render(self) -> list[str]:
        lines = []
        for err in self.errors:
            lines.append(f"{len(err.problems)} problem(s) in {err.filename}:")
            lines += [f"  {p.render(err.filename)}" for p in err.problems]
        return lines


@dataclass(frozen=True, slots=True)
class CheckedPack:
    spec: PackSpec
    digest: str  # of the pack's content, not its formatting: comments and spacing don't count
    filename: str
    file_digest: str | None = None  # of the file's bytes: an unchanged file is skipped without parsing


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_pack_file(path: Path) -> bytes:
    """A pack file's bytes; one over MAX_PACK_BYTES is refused before it is read."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackError(name, [Problem((), None, f"cannot read the file: {exc.strerror}")]) from None
    if size > MAX_PACK_BYTES:
        limit = MAX_PACK_BYTES // (1024 * 1024)
        raise PackError(name, [Problem((), None, f"the file is {size / 2**20:.1f} MB; packs are limited to {limit} MB")])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PackError(name, [Problem((), None, f"cannot read the file: {exc.strerror}")]) from None
