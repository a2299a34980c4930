# ROP Fleet: `make run` starts the console on embedded defaults, `make test` runs every check.
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help venv run test bench lint migrations

help:
	@echo "make run    - install, migrate, load the demo and start web, worker, beat and the simulator"
	@echo "make test   - ruff, import contracts, mypy and the whole test suite (PostgreSQL and Redis when they answer)"
	@echo "make bench  - run the benchmarks under bench/ and print one table"

# Reinstall when the dependency pins change.
$(VENV)/.installed: pyproject.toml constraints.txt
	@python=$$(bin/find-python) || exit 1; \
	  echo "Creating $(VENV) with $$python"; \
	  $$python -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed

run: venv
	$(PY) bin/run-demo

test: venv
	bin/test

bench: venv
	bin/bench $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .

migrations: venv
	DEBUG=1 $(PY) manage.py makemigrations
