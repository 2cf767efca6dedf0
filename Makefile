# OneWindow: `make run` starts everything, `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 8000
# The simulated departments run as their own web process with their own database, as in
# docker-compose: the outside world, reached only over HTTP.
DEPARTMENTS_PORT ?= $(shell echo $$(($(PORT) + 1)))
DEPARTMENTS_DATABASE_URL ?= sqlite:///$(CURDIR)/var/departments.sqlite3
DEPARTMENTS_ENV := DATABASE_URL=$(DEPARTMENTS_DATABASE_URL) DEPARTMENTS_URL=
VENV := .venv
BIN := $(VENV)/bin
export PYTHONPATH := $(CURDIR)/platform:$(CURDIR)
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install install-dev lint migrate demo clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "OneWindow needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(DEPARTMENTS_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(DEPARTMENTS_ENV) $(BIN)/python manage.py load_demo_citizens
	@# The demo logins' identities go into the departments' own registry, not the platform's database.
	$(BIN)/python manage.py load_demo --citizens-csv var/demo-login-citizens.csv
	$(DEPARTMENTS_ENV) $(BIN)/python manage.py import_library citizens var/demo-login-citizens.csv

run: demo
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@# honcho gives each process its own PORT (base + 100 per line), so ours travels as ONEWINDOW_PORT.
	ONEWINDOW_PORT=$(PORT) DEPARTMENTS_PORT=$(DEPARTMENTS_PORT) DEPARTMENTS_DATABASE_URL=$(DEPARTMENTS_DATABASE_URL) \
	  DEPARTMENTS_URL=http://127.0.0.1:$(DEPARTMENTS_PORT)/departments/ $(BIN)/honcho -f Procfile start

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf var
