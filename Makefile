# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: run test test-all check bench check-python clean lock catalogs

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fandex needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'

$(PY): | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs come from the lockfiles (exact versions with hashes, made from pyproject.toml by `make lock`), so two
# installs a month apart are the same; fandex itself goes in editable, without resolving anything again.
# Stamps make a second `make run`/`make test` skip pip unless pyproject.toml or a lockfile changed.
$(VENV)/.installed-run: pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed-run

# Re-resolve the locks after a change to pyproject.toml's ranges (or to take newer releases within them).
# uv only resolves; it is installed in the venv on demand and nothing else needs it.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet
lock: | $(PY)
	$(PY) -m pip install --quiet 'uv>=0.13,<0.14'
	$(UV_COMPILE) --upgrade -o requirements.lock
	$(UV_COMPILE) --upgrade --extra dev -o requirements-dev.lock

run: $(VENV)/.installed-run
	$(PY) -m bot

# The suite mostly waits on real timers and processes, so test files run side by side (pytest-xdist);
# PYTEST_JOBS=0 runs them one after another in this process.
PYTEST_JOBS ?= 3
PARALLEL := $(if $(filter 0,$(PYTEST_JOBS)),,-n $(PYTEST_JOBS) --dist loadfile)

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PARALLEL) $(PYTEST_ARGS)

# Static checks, as CI runs them before the tests: the tree (no merge-conflict markers, no import cycle, no crowded
# folder), ruff (lint and import order), mypy, then the layer contract in pyproject.toml ([tool.importlinter]).
check: $(VENV)/.installed-dev
	$(PY) -m tests.tree_check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m tests.catalog_check

# The message catalogs (bot/i18n/locales/<code>/LC_MESSAGES/fandex.po, docs/languages.md): extract every fixed text
# and command string, merge them into each locale's .po (new ones untranslated, gone ones dropped), compile the .mo.
# `make check` fails until every new text is translated in every catalog.
catalogs: $(VENV)/.installed-dev
	$(PY) -m tests.catalog_check --update

# Also the slow suites: crash storms under SIGKILL, a gateway that goes silent for a minute.
test-all: $(VENV)/.installed-dev
	$(PY) -m pytest -m "slow or not slow" $(PARALLEL) $(PYTEST_ARGS)

# Benchmarks against a bare discord.py floor (not part of make test): BENCH_ARGS=--quick for a minute.
bench: $(VENV)/.installed-dev
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
