# Quick start: `make demo` runs the whole system locally; `make test` runs the test suite.
# Both bootstrap .venv from requirements.lock with nothing but python3.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# `make demo PORT=9000 DEMO_ARGS="--people 5000"`: `rostersync demo --help` lists the options.
PORT ?= 8000
DEMO_ARGS ?=

.PHONY: demo test lint chaos bench lock clean messages

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rostersync demo --port $(PORT) $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/mypy benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)
	@echo "browser screenshots of the connect flow and dashboard: $(CURDIR)/test-artifacts"

# Vendor faults, process kills and receiver outages; prints a table of what they cost.
# CHAOS_ARGS="--vendors hibob,rippling --people 40" makes it shorter.
chaos: $(STAMP)
	$(BIN)/python benchmarks/chaos.py $(CHAOS_ARGS)

# Extract, first sync, unchanged and 1%-changed re-syncs and webhook delivery for HiBob (one
# response), BambooHR (one report) and Personio (pages) on SQLite and PostgreSQL, beside bare
# stdlib clients, each step in its own process: a table of wall, CPU, peak RSS and the ratio.
# BENCH_ARGS="--people 100000 --vendors hibob --stores sqlite --skip bare-delivery,delivery".
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# Re-extract the customer pages' text (babel.cfg) and merge it into every language's catalog;
# then translate the new empty msgstr entries (tests/web/test_catalogs.py fails until you do).
# The .po files are compiled in memory at run time: there is no .mo to build.
LOCALE := src/rostersync/web/locale
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --sort-by-file --no-wrap --omit-header -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-wrap --no-fuzzy-matching --ignore-obsolete

# Re-pin every dependency (needs uv: `$(BIN)/pip install uv`).
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
