# Interlink developer commands. `make run` and `make test` do all the set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint audit format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/interlink demo

# Two workers (pytest-xdist), a test file to each at a time: every worker has its own
# databases, servers and ports. PYTEST_ARGS="-n 0" runs in one process.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MAKE) audit

# Every installed dependency against PyPI's vulnerability data. --strict: a package that
# cannot be checked (the service unreachable) fails the audit instead of passing unseen.
audit: install
	$(BIN)/pip-audit --skip-editable --strict --progress-spinner off

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info interlink.db interlink.db-wal interlink.db-shm
