# yiye — the two commands of the README are `make run` and `make test`; the rest are their parts.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin


.PHONY: run test setup system lint bench

run: setup  ## set up, then serve on http://127.0.0.1:8000 with demo data on SQLite
	$(BIN)/yiye serve --demo

test: setup  ## every test, persistence on SQLite and PostgreSQL, a real browser included
	bash scripts/setup-system.sh chromium
	bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest -q

setup: system $(VENV)/.installed

system:
	bash scripts/setup-system.sh

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy rules composer forms service certificates

bench: setup
	$(BIN)/python bench/compose.py
	$(BIN)/python bench/render.py
