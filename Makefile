# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install demo test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	$(BIN)/hotline demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Unit, service, integration (real PostgreSQL on 127.0.0.1:5432 + a Tansu broker the tests start) and e2e.
test: lint
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/bench_intake.py
	$(BIN)/python bench/bench_classify.py

clean:
	rm -rf $(VENV) var .pytest_cache
