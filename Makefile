# The two commands of the README: `make demo` and `make test`. Both set up everything first (idempotent).
# For development: `make check` (ruff and mypy over src and tests), `make test-fast` (no servers, no slow tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast check bench

setup:
	bash scripts/setup.sh

demo: setup
	$(BIN)/hopnhat demo

test: setup
	$(BIN)/python -m pytest -n 2

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow and not server" -q

check: setup
	$(BIN)/ruff check src tests
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/units.py
