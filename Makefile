# The README's commands. Each target first makes sure the machine has what NSAI needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
NSAI := $(VENV)/bin/nsai
PYTEST_ARGS ?=

.PHONY: setup demo test lint bench format

setup:
	@bash scripts/setup.sh

DEMO_DIR := out/demo

# The main job on the bundled local PostGIS: a synthetic region of three councils, a county and
# two address lists, generated, loaded and reconciled into national records, then served.
demo: setup
	$(NSAI) db up
	$(NSAI) db migrate
	$(NSAI) synth $(DEMO_DIR) --force
	$(NSAI) load-manifest $(DEMO_DIR)/manifest.json
	$(NSAI) sources
	$(NSAI) reconcile --truth $(DEMO_DIR)/truth.csv
	$(NSAI) export addresses --out $(DEMO_DIR)/national.gpkg
	$(NSAI) export links --out $(DEMO_DIR)/links.csv
	NSAI=$(NSAI) bash scripts/demo_serve.sh

# The suite's browser test needs Chromium too: setup installs it for this target.
test:
	@bash scripts/setup.sh --browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check nsai loaders api tests bench
	$(VENV)/bin/ruff format --check nsai loaders api tests bench
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff check --fix nsai loaders api tests bench
	$(VENV)/bin/ruff format nsai loaders api tests bench

# The benchmarks make their own databases on the managed cluster (or on the server of
# NSAI_BENCH_DATABASE_URL or NSAI_DATABASE_URL); bench/bench_api.py needs wrk and, run as root,
# switches the kernel's sched_autogroup off for its runs and back after (BENCHMARKS.md says why).
bench: setup
	@bash scripts/setup-bench.sh
	@if [ -z "$$NSAI_BENCH_DATABASE_URL$$NSAI_DATABASE_URL" ]; then $(NSAI) db up; fi
	$(PY) bench/run.py
