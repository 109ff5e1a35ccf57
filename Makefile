# The quick start is two commands: `make run` and `make test`. Both set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KIVY_NO_ARGS := 1
export KIVY_NO_CONSOLELOG ?= 1

.PHONY: run test lint bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[central,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m kiosk.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kiosk $(if $(wildcard central/*.py),central) bench

bench: $(STAMP)
	$(BIN)/python -m bench

# The citizen screens at the displays offices buy: one contact sheet per size (docs/screenshots/sizes).
CITIZEN_SHOTS := home queue priority ticket-done ticket-failed ticket-refused rating dossier lookup lookup_list lookup_search-results lookup_detail-top
DISPLAY_SIZES := 800x480 1024x600 720x1280 1280x800 1080x1920 1920x1080

screenshots: $(STAMP)
	$(BIN)/kiosk screenshot --screen all --lang vi --lang en --size 1080x1920 --out docs/screenshots
	$(BIN)/kiosk screenshot --screen all --lang vi --lang en --size 1920x1080 --out docs/screenshots
	for size in $(DISPLAY_SIZES); do \
	  rm -rf var/shots/$$size && \
	  $(BIN)/kiosk screenshot $(foreach s,$(CITIZEN_SHOTS),--screen $(s)) --lang vi --lang en --size $$size --out var/shots/$$size && \
	  $(BIN)/python -m kiosk.screens.contact_sheet docs/screenshots/sizes/$$size.png "$$size" var/shots/$$size/*.png || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
