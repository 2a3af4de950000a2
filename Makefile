# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint migrate demo worker messages fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed messages

messages: $(VENV)/.installed
	$(BIN)/python manage.py compilemessages -v 0 --ignore=.venv

migrate: setup
	$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(BIN)/python manage.py demo_data

# The web server and a local Celery worker (no broker server needed on the embedded default).
run: demo
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A crm worker --beat --loglevel=info --concurrency=1 & \
	$(BIN)/python manage.py runserver $${PORT:-8000}

test: setup
	$(BIN)/pytest

# schemathesis against the generated schema, on FUZZ_PORT (8100); see README "Fuzzing".
fuzz: setup
	.ci/fuzz

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
