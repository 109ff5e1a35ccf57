"""What the UI reports to the updater (kiosk/device/health.py) and `kiosk selftest`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

import kiosk
from kiosk.cli import main
from kiosk.config import Settings
from kiosk.device import health
from kiosk.errors import UpdateError
from kiosk.update import updater
from kiosk.update.download import session_get
from tests.fixtures_updates import Keys


def test_health_counts_only_for_the_ui_run_that_reported_it(db: sqlite3.Connection) -> None:
    health.report_ui_started(db, "1.0.0")
    health.report_ui_healthy(db, "1.0.0", printer_driver_up=True)
    assert health.read_ui_health(db).healthy_at is not None

    health.report_ui_started(db, "1.1.0")  # a new UI process: not healthy until it says so

    report = health.read_ui_health(db)
    assert (report.version, report.healthy_at, report.printer_driver_up) == ("1.1.0", None, False)


def test_busy_flag_blocks_until_cleared_or_expired(db: sqlite3.Connection) -> None:
    assert health.busy_reason(db) is None
    health.set_busy(db, "printing A012", ttl_s=60)
    assert health.busy_reason(db) == "printing A012"
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert health.busy_reason(db, now=later) is None  # a UI that died mid-flow blocks no update
    health.clear_busy(db)
    assert health.busy_reason(db) is None


def test_exit_request_reaches_the_ui_and_a_new_start_clears_it(db: sqlite3.Connection) -> None:
    health.request_ui_exit(db, "update to 1.1.0")
    assert health.exit_requested(db) == "update to 1.1.0"
    health.report_ui_started(db, "1.1.0")
    assert health.exit_requested(db) is None


def test_selftest_never_imports_the_ui() -> None:
    """Importing kiosk.screens would import Kivy, which may open a window on a kiosk."""
    code = (
        "import importlib, sys\n"
        "from kiosk.commands.release import importable_modules\n"
        "names = importable_modules()\n"
        "for name in names: importlib.import_module(name)\n"
        "print('kivy' in sys.modules, 'kiosk.update.updater' in names, len(names))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    kivy_loaded, updater_listed, count = done.stdout.split()
    assert (kivy_loaded, updater_listed) == ("False", "True") and int(count) > 10, done.stderr


def test_selftest_passes_here_and_reports_every_check(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--state-dir", str(state_dir), "selftest", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    names = [c["name"] for c in report["checks"]]
    assert report["ok"] and "import kiosk.update.updater" in names
    assert "migrations on a copy of the database" in names
    assert not (state_dir / "kiosk.db").exists()  # the live database is never touched


def test_selftest_names_a_broken_site_config(
    state_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("[ui]\nidle_timeout_s = 5\n", encoding="utf-8")

    assert main(["--config", str(site), "--state-dir", str(state_dir), "selftest", "--json"]) == 1

    report = json.loads(capsys.readouterr().out)
    assert any("config loads" in f and "idle_timeout_s" in f for f in report["failed"])


def test_device_updater_needs_pinned_keys(
    state_dir: Path, demo_settings: Settings, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = session_get(requests.Session(), "http://127.0.0.1:9")
    monkeypatch.setattr(updater, "PINNED_KEYS_DIR", state_dir / "no-keys")
    with pytest.raises(UpdateError, match="no release keys"):
        updater.device_updater(state_dir, demo_settings, http)

    monkeypatch.setattr(updater, "PINNED_KEYS_DIR", keys.dir)
    made = updater.device_updater(state_dir, demo_settings, http)
    assert made.current_version == kiosk.__version__
    assert made.keys.ids() == keys.pinned.ids()
    assert made.step().state == "idle"  # nothing offered yet
