# geopotential: the two commands of the README are `make demo` and `make test`.
# Both create an isolated environment in .venv (once; again when pyproject.toml changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.geopotential-installed
PYTEST_ARGS ?=

.PHONY: demo test env bench clean help

help:
	@echo "make demo   set up .venv and run the full pipeline on the synthetic demo territory (outputs/demo/)"
	@echo "make test   set up .venv (and headless Chromium where possible) and run the whole test suite"
	@echo "make bench  run the benchmark suite (benchmarks/README.md)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "geopotential needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

env: $(STAMP)

demo: $(STAMP)
	$(BIN)/geopotential demo

test: $(STAMP)
	@sh scripts/ensure-chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache
