# The handful of commands a newcomer needs. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every dependency (the dev tools, pip and the build backend too) at an exact version with
# its hashes, resolved from pyproject.toml by `make lock` (tools/lock.py, uv). The same
# command writes requirements-prod.lock, the Dockerfile's: the same versions, no dev tools.
LOCK := requirements.lock

.PHONY: run install lock test lint format migrate seed bench loadtest mutation clean

# Fails, saying to run `make lock`, when pyproject.toml's dependencies changed since the locks
# were generated (or the production lock's pins are not requirements.lock's). The project
# itself is installed without dependencies or build isolation: everything it needs,
# setuptools included, came from the lock with its hashes checked.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) tools/lock.py check
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The translations: each app's catalogues (<app>/locale/<language>/LC_MESSAGES/django.po,
# committed) compiled into the .mo files Django reads (not committed; only those older than
# their catalogue). Compiled by GNU gettext's msgfmt, as Django's compilemessages runs it:
# Debian's gettext package, installed here when missing (as root, like .ci/run's Chromium).
#
# The PDF report packs are WeasyPrint's, which draws text with Pango (PDF_PACKAGES); the fonts
# cover Latin, Greek, Cyrillic (DejaVu) and Chinese, Japanese and Korean (WenQuanYi Micro
# Hei). Installed the same way when missing; without them the app still runs and its PDF
# downloads answer with what to install (reports/pdf.py).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-microhei

install: $(STAMP) ## Create .venv and install OSM with its development tools, from the lock; compile the translations
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "GNU gettext is missing: sudo apt-get install gettext" >&2; exit 1; fi; }
	@missing=$$(for p in $(PDF_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "For PDF report packs: sudo apt-get install" $$missing >&2; fi; fi
	$(PY) manage.py compilemessages --verbosity 0 --ignore '.*' --ignore mutants --ignore static

# LOCK_ARGS=--upgrade (every package) or LOCK_ARGS="--upgrade-package django" to move pins;
# otherwise the pins already in the lock are kept where pyproject.toml still allows them.
lock: ## Regenerate requirements.lock and requirements-prod.lock (after any dependency change)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) tools/lock.py compile $(LOCK_ARGS)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate ## Load the demo company (only into an empty database)
	$(PY) manage.py seed_demo --if-empty

# The static files collected into staticfiles/ (STATIC_ROOT), so that WhiteNoise serves them
# as in production: compressed, under hashed names cached for a year (osm/settings/dev.py,
# osm/staticfiles.py). Collected again only when a file under static/ or an installed
# package changed since: compressing them all takes about a minute.
STATIC_MANIFEST := $(or $(STATIC_ROOT),staticfiles)/staticfiles.json

$(STATIC_MANIFEST): $(STAMP) $(shell find static -type f)
	$(PY) manage.py collectstatic --noinput -v0

run: seed $(STATIC_MANIFEST) ## Serve the app on http://127.0.0.1:8000 (SQLite and inline tasks by default)
	$(PY) manage.py runserver 127.0.0.1:8000

PYTEST_WORKERS ?= 2

test: install ## The whole test suite (DATABASE_URL / REDIS_URL select real services)
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install ## Time the engine on the demo, at scale and at 5x scale (PostgreSQL when DATABASE_URL is set)
	$(PY) manage.py bench

# wrk is Debian's package; installed here when missing (as root, like .ci/run's Chromium).
loadtest: install ## wrk on gunicorn at scale: /healthz/, dashboard, scorecard, alignment, values, objectives; 60 s each
	command -v wrk >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) manage.py loadtest $(LOADTEST_ARGS)

# mutmut ([tool.mutmut] in pyproject.toml) mutates scorecards/scoring.py, formulas.py and
# periods.py, alignment/metrics.py and testing.py in a copy under mutants/, started afresh so
# that every mutant meets the current tests; tools/mutation_report.py then scores each module.
# `.venv/bin/mutmut results` lists the survivors, `.venv/bin/mutmut show NAME` shows one.
MUTATION_CHILDREN ?= 2

mutation: install ## Mutation-test the pure modules with their database-free tests (15-30 min)
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN)
	$(PY) tools/mutation_report.py

BANDIT_PATHS := osm core scorecards initiatives budgets people communication alignment reviews reports dashboards devtools

lint: install ## ruff, formatting, spelling, migrations in step with the models, bandit
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/codespell
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m bandit --quiet -r $(BANDIT_PATHS) -ll

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles .pytest_cache .ruff_cache mutants
