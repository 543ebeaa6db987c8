# radioscrape: `make demo` runs the main job, `make test` runs the whole suite.
# Both set up .venv (Python 3.11+) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# The lower ends of the tested ranges of the dependencies that change records (pyproject.toml).
LOWER := trafilatura==2.3.1 lxml==6.1.3
LOWER_VENV := .venv-lower
LOWER_STAMP := $(LOWER_VENV)/.installed-stamp

.PHONY: setup demo test test-fast test-lower lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/radioscrape demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

test: lint
	bash scripts/services.sh
	$(BIN)/pytest
	$(MAKE) test-lower

# The in-process tests alone, for a quick check while working: no crawl, CLI or server child,
# no PostgreSQL/Redis, nothing slow (see the markers in pyproject.toml). `make test` runs all.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not e2e and not services and not slow"

$(LOWER_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LOWER_VENV)
	$(LOWER_VENV)/bin/pip install --quiet --upgrade pip
	$(LOWER_VENV)/bin/pip install --quiet $(LOWER) -e ".[test]"
	touch $(LOWER_STAMP)

# The fixtures and the quality floor again, on the lower ends of the tested ranges.
test-lower: $(LOWER_STAMP)
	$(LOWER_VENV)/bin/pytest -q tests/test_fixtures.py tests/test_quality_gate.py

bench: $(STAMP)
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) $(LOWER_VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache .grimp_cache
