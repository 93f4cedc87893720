# Every target bootstraps what it needs: a fresh clone runs `make demo` or `make test` directly.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := node_modules/axe-core/axe.min.js
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; 0 runs the suite in this process.
PYTEST_WORKERS ?= auto
# Tests start Python often (xdist workers, every `accord` command run as a subprocess): let
# them keep compiled bytecode, whatever the shell says, instead of compiling Accord each time.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Accord needs Python 3.11 (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(AXE): package.json
	npm install --no-audit --no-fund --no-package-lock --silent
	touch $(AXE)

demo: $(STAMP)
	$(BIN)/accord demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	ACCORD_TESTING=1 $(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	env -u DATABASE_URL ACCORD_TESTING=1 DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# SQLite always; PostgreSQL as well when DATABASE_URL points at one (CI sets it).
test: $(STAMP) $(AXE) lint
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)
	@case "$$DATABASE_URL" in \
	  postgres*) echo "== again on PostgreSQL ($$DATABASE_URL)" && \
	    $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS) ;; \
	  *) echo "== DATABASE_URL is not PostgreSQL: skipped the PostgreSQL run" ;; \
	esac

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/alignment_map.py
	$(BIN)/python bench/expectations.py
	$(BIN)/python bench/shadowing.py
	$(BIN)/python bench/leadership.py
	$(BIN)/python bench/action_loop.py
	$(BIN)/python bench/insights.py
	$(BIN)/python bench/survey_day.py
	$(BIN)/python bench/retention.py
	$(BIN)/python bench/demo_release.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
