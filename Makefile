# The two commands of the README: `make demo` and `make test`. Both set up everything first (idempotent).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench

setup:
	bash scripts/setup.sh

demo: setup
	$(BIN)/hopnhat demo

test: setup
	$(BIN)/python -m pytest -n 2

bench: setup
	$(BIN)/python bench/units.py
