"""The layer contract `make check` runs (pyproject.toml's [tool.importlinter]) refuses what it says it refuses.

Each case writes a tiny tree with the packages the contract names, copies the repository's pyproject.toml
beside it, and runs `lint-imports` there: kept as written, broken by one planted import, with the message
naming that import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Every module the contract names, importing what the layers allow (the package's face re-exports Store).
KEPT_TREE = {
    "cogs/__init__.py": "",
    "cogs/polls/__init__.py": "from bot.errors import UserFacingError\nfrom db import Store\n",
    "cogs/lookup/__init__.py": "from bot.errors import UserFacingError\n",
    "bot/__init__.py": "",
    "bot/errors.py": "from db.facts.dates import Date\n\n\nclass UserFacingError(Exception): ...\n",
    "db/__init__.py": "from db.store import Store\n",
    "db/__main__.py": "from db.store import Store\n",
    "db/store.py": "from db.repos.characters import CharacterRepository\n\n\nclass Store: ...\n",
    "db/facts/__init__.py": "",
    "db/facts/dates.py": "class Date: ...\n",
    "db/packs/__init__.py": "",
    "db/packs/reading.py": "from db.facts.dates import Date\n",
    "db/backends/__init__.py": "from db.migrations import bundled_migrations\n",
    "db/migrations/__init__.py": "def bundled_migrations() -> list[str]: ...\n",
    "db/repos/__init__.py": "",
    "db/repos/characters.py": "from db.backends import bundled_migrations\nfrom db.packs.reading import Date\n",
}


def _lint_imports(root: Path, planted: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in (KEPT_TREE | planted).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    # lint-imports reads the packages from its working folder, ahead of the editable install of the real ones.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"], check=False, cwd=root, capture_output=True, text=True,
    )


def test_the_tree_as_the_layers_allow_keeps_every_contract(tmp_path: Path) -> None:
    done = _lint_imports(tmp_path, {})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 6 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(
    ("planted", "broken"),
    [
        pytest.param(  # inside a function: still an import of the layer above
            {"db/repos/characters.py": "def cast_card() -> object:\n    from bot.errors import UserFacingError\n"
                                       "    return UserFacingError\n"},
            ["db is not allowed to import bot:", "db.repos.characters -> bot.errors (l.2)"],
            id="db-imports-bot",
        ),
        pytest.param(
            {"bot/client.py": "import cogs.polls\n"},
            ["bot is not allowed to import cogs:", "bot.client -> cogs.polls (l.1)"],
            id="bot-imports-cogs",
        ),
        pytest.param(
            {"cogs/lookup/__init__.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import cogs.polls\n"},
            ["cogs.lookup is not allowed to import cogs.polls:", "cogs.lookup -> cogs.polls (l.4)"],
            id="feature-imports-feature",
        ),
        pytest.param(
            {"db/facts/dates.py": "from db.packs.reading import Date\n"},
            ["db.facts is not allowed to import db.packs:", "db.facts.dates -> db.packs.reading (l.1)"],
            id="facts-import-packs",
        ),
        pytest.param(
            {"db/packs/reading.py": "from db.backends import bundled_migrations\n"},
            ["db.packs is not allowed to import db.backends:", "db.packs.reading -> db.backends (l.1)"],
            id="packs-import-backends",
        ),
        pytest.param(
            {"db/repos/characters.py": "from db import Store\n"},  # through the package's face: a chain to db.store
            ["db.repos is not allowed to import db.store:", "db.repos.characters -> db (l.1)", "db -> db.store (l.1)"],
            id="repos-reach-store",
        ),
        pytest.param(
            {"db/copying.py": "from db.store import Store\n"},
            ["Illegal imports of protected package db.store:", "db.copying -> db.store (l.1)"],
            id="db-module-imports-store",
        ),
    ],
)
def test_a_planted_import_breaks_its_contract(tmp_path: Path, planted: dict[str, str], broken: list[str]) -> None:
    done = _lint_imports(tmp_path, planted)
    assert done.returncode == 1, done.stdout
    report = " ".join(done.stdout.split())  # the report is wrapped and indented for an 80-column terminal
    assert "Contracts: 5 kept, 1 broken." in report, done.stdout
    for line in broken:
        assert " ".join(line.split()) in report, done.stdout
