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

screenshots: $(STAMP)
	$(BIN)/kiosk screenshot --screen all --lang vi --lang en --size 1080x1920 --out docs/screenshots
	$(BIN)/kiosk screenshot --screen all --lang vi --lang en --size 1920x1080 --out docs/screenshots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
