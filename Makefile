# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: run test test-all check bench check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fandex needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'

$(PY): | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps make a second `make run`/`make test` skip pip unless pyproject.toml changed.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) -m bot

# The suite mostly waits on real timers and processes, so test files run side by side (pytest-xdist);
# PYTEST_JOBS=0 runs them one after another in this process.
PYTEST_JOBS ?= 3
PARALLEL := $(if $(filter 0,$(PYTEST_JOBS)),,-n $(PYTEST_JOBS) --dist loadfile)

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PARALLEL) $(PYTEST_ARGS)

# Static checks, as CI runs them before the tests: no merge-conflict markers, ruff (lint and import order), then mypy.
check: $(VENV)/.installed-dev
	$(PY) -m tests.tree_check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Also the slow suites: crash storms under SIGKILL, a gateway that goes silent for a minute.
test-all: $(VENV)/.installed-dev
	$(PY) -m pytest -m "slow or not slow" $(PARALLEL) $(PYTEST_ARGS)

# Benchmarks against a bare discord.py floor (not part of make test): BENCH_ARGS=--quick for a minute.
bench: $(VENV)/.installed-dev
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
