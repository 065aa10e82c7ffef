# yiye — the two commands of the README are `make run` and `make test`; the rest are their parts.
PYTHON ?= python3.11
VENV := .venv
PRINT_FONTS := forms/fonts/.built
BIN := $(VENV)/bin


.PHONY: run test setup system lint bench

run: setup  ## set up, then serve on http://127.0.0.1:8000 with demo data on SQLite, and run the background jobs beside it
	$(BIN)/yiye db upgrade
	export YIYE_PACKS_REPO=$(CURDIR)/var/packs; $(BIN)/yiye worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; $(BIN)/yiye serve --demo

test: setup  ## every test, persistence on SQLite and PostgreSQL, a real browser included
	bash scripts/setup-system.sh chromium
	bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest -q

setup: system $(VENV)/.installed $(PRINT_FONTS)

system:
	bash scripts/setup-system.sh

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# the PDFs' print faces hold every character of these sources (forms/print_fonts.py)
$(PRINT_FONTS): $(VENV)/.installed forms/print_fonts.py $(wildcard rules/packs/*/*.yaml rules/packs/*/*/*.yaml composer/*.py forms/templates/* forms/locale/*/LC_MESSAGES/*.po)
	$(BIN)/python -m forms build-fonts
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy rules composer forms service certificates tests

bench: setup
	$(BIN)/python bench/compose.py
	$(BIN)/python bench/render.py
