# Set-up needs only CPython 3.11+, make and git: the first target run creates
# .venv and installs the package with everything its tests need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: all demo test lint typecheck unit soak bench bench-scale docs clean schema

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## demo: record the July 2024 Alaska patrol into an SQLite ledger and show it
demo: $(STAMP)
	$(BIN)/incidents demo

## test: lint, type-check and run the whole test suite
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks docs/_hooks
	$(BIN)/python -m ruff format --check src tests benchmarks docs/_hooks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/python -m mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## soak: the reliability tests at full size, then their figures (kills survived, events, fuzz cases)
# Smaller or larger: make soak SOAK_KILLS=10 SOAK_WRITERS=4 SOAK_EVENTS=500 SOAK_FUZZ=1000
# SOAK_BATCHES: batches per writer while a reader checks that answers as known at R never change.
# SOAK_REPORT=FILE also writes the figures as JSON.
SOAK_KILLS ?= 50
SOAK_WRITERS ?= 8
SOAK_EVENTS ?= 2000
SOAK_FUZZ ?= 5000
SOAK_TIMEOUT ?= 3600
SOAK_BATCHES ?= 400
SOAK_REPORT ?=
soak: $(STAMP)
	INCIDENTS_SOAK_KILLS=$(SOAK_KILLS) INCIDENTS_SOAK_WRITERS=$(SOAK_WRITERS) \
	INCIDENTS_SOAK_EVENTS=$(SOAK_EVENTS) INCIDENTS_FUZZ_EXAMPLES=$(SOAK_FUZZ) \
	INCIDENTS_SOAK_TIMEOUT=$(SOAK_TIMEOUT) INCIDENTS_SOAK_REPORT=$(SOAK_REPORT) \
	INCIDENTS_SOAK_BATCHES=$(SOAK_BATCHES) \
	$(BIN)/python -m pytest -n 2 --durations=0 tests/reliability \
	tests/timetravel/test_stable_knowledge.py tests/codec/test_fuzz_codec.py \
	tests/audit/test_fuzz_bundle.py tests/domain/test_fuzz_events.py \
	tests/domain/test_catalogue_bounds.py $(PYTEST_ARGS)

## bench: print every benchmark beside its raw baseline
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## docs: build the documentation site into site/, every warning an error (the tests build it too)
# NO_MKDOCS_2_WARNING: Material prints a notice about MkDocs 2 on every build; we pin MkDocs 1.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## docs-serve: serve the site at http://127.0.0.1:8000, rebuilt as pages or docstrings change
.PHONY: docs-serve
docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --watch src

## bench-scale: a 10,000,000-event ledger, each operation beside a raw baseline, with its peak RSS
# Smaller for CI: make bench-scale BENCH_SCALE_EVENTS=100000; BENCH_SCALE_DIR=DIR keeps the ledger.
BENCH_SCALE_EVENTS ?= 10000000
bench-scale: $(STAMP)
	BENCH_SCALE_EVENTS=$(BENCH_SCALE_EVENTS) $(BIN)/python -m benchmarks scale

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

## schema: write schema/events.schema.json anew from the event vocabulary
schema: $(STAMP)
	$(BIN)/python -c "from incidents.interchange import schema_text; open('schema/events.schema.json', 'w', encoding='utf-8').write(schema_text())"
