# The README's commands. Each target first makes sure the machine has what NSAI needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
NSAI := $(VENV)/bin/nsai
PYTEST_ARGS ?=

.PHONY: setup demo test lint bench format

setup:
	@bash scripts/setup.sh

demo: setup
	$(NSAI) db up
	$(NSAI) db migrate
	$(NSAI) db status

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check nsai loaders api tests bench
	$(VENV)/bin/ruff format --check nsai loaders api tests bench
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff check --fix nsai loaders api tests bench
	$(VENV)/bin/ruff format nsai loaders api tests bench

bench: setup
	$(PY) bench/run.py
