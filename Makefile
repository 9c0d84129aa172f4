# The handful of commands a newcomer needs. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run install test lint format migrate seed bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install OSM with its development tools

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate ## Load the demo company (only into an empty database)
	$(PY) manage.py seed_demo --if-empty

run: seed ## Serve the app on http://127.0.0.1:8000 (SQLite and inline tasks by default)
	$(PY) manage.py runserver 127.0.0.1:8000

PYTEST_WORKERS ?= 2

test: install ## The whole test suite (DATABASE_URL / REDIS_URL select real services)
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install ## Time the engine on the demo and at scale (PostgreSQL when DATABASE_URL is set)
	$(PY) manage.py bench

lint: install ## ruff, formatting, migrations in step with the models
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles .pytest_cache .ruff_cache
