"""Fixtures every feature uses: a state directory, the demo settings, an open database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import config, store

REPO = Path(__file__).resolve().parent.parent
DEMO_CONFIG = REPO / "config" / "demo" / "kiosk.toml"


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state"
    path.mkdir()
    monkeypatch.setenv("KIOSK_STATE_DIR", str(path))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return path


@pytest.fixture
def demo_settings(state_dir: Path) -> config.Settings:
    return config.load(site_file=DEMO_CONFIG, state_dir=state_dir).settings


@pytest.fixture
def db(state_dir: Path) -> Iterator[sqlite3.Connection]:
    database = store.open_state(state_dir)
    yield database
    database.close()
