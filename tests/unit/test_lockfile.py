"""The lockfiles `make run` and `make test` install from still answer pyproject.toml's ranges.

`make lock` re-resolves them with uv (which needs the package index); this check needs nothing but the
files, so a range changed without `make lock` fails here instead of installing something else.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\;]+)")


def _pins(lockfile: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / lockfile).read_text(encoding="utf-8").splitlines():
        if found := _PIN.match(line):
            pins[canonicalize_name(found[1])] = found[2]
    return pins


def _wanted(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    if extra:
        wanted += [Requirement(text) for text in project["optional-dependencies"][extra]]
    return wanted


@pytest.mark.parametrize(("lockfile", "extra"), [("requirements.lock", None), ("requirements-dev.lock", "dev")])
def test_every_dependency_is_pinned_within_its_range(lockfile: str, extra: str | None) -> None:
    pins = _pins(lockfile)
    for requirement in _wanted(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lockfile}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lockfile} pins {requirement.name}=={pins[name]}, outside {requirement.specifier}: run `make lock`"
        )


def test_every_pin_carries_a_hash() -> None:
    for lockfile in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lockfile).read_text(encoding="utf-8")
        for block in re.split(r"\n(?=[A-Za-z0-9])", text):
            if _PIN.match(block):
                assert "--hash=sha256:" in block, f"{lockfile}: {block.splitlines()[0]} has no hash"
