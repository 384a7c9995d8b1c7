# Guanxi: `make demo` to try it, `make test` to check it. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GUANXI := $(BIN)/guanxi
DEMO_CUSTOMERS ?= 2000
PYTEST_ARGS ?=

.PHONY: demo test install assets messages messages-update migrate lint typecheck check serve clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static_vendor/.built: node_modules/.package-lock.json scripts/vendor_assets.py
	$(BIN)/python scripts/vendor_assets.py

assets: $(BIN)/.installed static_vendor/.built

messages: $(BIN)/.installed
	$(BIN)/python scripts/compile_messages.py

messages-update: install
	cd src/guanxi && ../../$(GUANXI) makemessages --no-obsolete --no-location -l zh_Hans -l zh_Hant -l en
	$(BIN)/python scripts/fill_english.py

migrate: install assets messages
	$(GUANXI) migrate --no-input

demo: migrate
	$(GUANXI) seed --customers $(DEMO_CUSTOMERS) --if-empty
	$(GUANXI) demo_logins
	$(GUANXI) runserver 127.0.0.1:8000

test: install assets messages
	$(GUANXI) check --fail-level WARNING
	$(GUANXI) makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install assets
	$(BIN)/mypy

check: test lint typecheck

clean:
	rm -rf $(VENV) node_modules static_vendor staticfiles
