# Every target creates .venv itself, so each works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
BROWSER_DIR := tests/browser
AXE := $(BROWSER_DIR)/node_modules/axe-core/axe.min.js

.PHONY: install demo serve test test-unit test-integration test-browser browser-deps chromium lint fix docs bench clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/pnyx demo --port $(PORT)

serve: $(STAMP)
	$(BIN)/pnyx serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check pnyx tests bench tools
	$(BIN)/ruff format --check pnyx tests bench tools
	$(BIN)/mypy

fix: $(STAMP)
	$(BIN)/ruff check --fix pnyx tests bench tools
	$(BIN)/ruff format pnyx tests bench tools

test: $(STAMP) lint browser-deps
	$(BIN)/pytest

test-unit: $(STAMP)
	$(BIN)/pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest tests/integration

test-browser: $(STAMP) browser-deps
	$(BIN)/pytest tests/browser

# The browser tests drive Debian's Chromium (never a browser build Playwright downloads) and inject axe-core.
browser-deps: chromium $(AXE)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		else \
			echo "Chromium is missing; browser tests skip until you run: sudo apt-get update && sudo apt-get install -y chromium"; \
		fi; \
	fi

$(AXE): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm, then run make test again"; exit 1; }
	cd $(BROWSER_DIR) && npm install --no-audit --no-fund
	touch $(AXE)

# Regenerates the reference pages in docs/ from the code; tests/docs fails when they are stale.
docs: $(STAMP)
	$(BIN)/python tools/gen_docs.py

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache pnyx-demo.db* pnyx-secret.key test-artifacts $(BROWSER_DIR)/node_modules

# Extracts reader-facing strings into messages.pot and merges them into every catalog.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o pnyx/locale/messages.pot --no-location --sort-output \
		--project pnyx --copyright-holder "pnyx contributors" --omit-header pnyx
	$(BIN)/pybabel update -i pnyx/locale/messages.pot -d pnyx/locale --no-fuzzy-matching --ignore-obsolete
