"""Printer settings a technician saves on the kiosk (kiosk/technician/settings.py): merged,
validated before anything is written, replaced whole, private to the kiosk user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk import config
from kiosk.errors import ConfigError
from kiosk.technician import settings as technician_settings
from tests.fixtures_core import DEMO_CONFIG


def test_saves_merge_and_the_settings_load_with_them(state_dir: Path) -> None:
    before = technician_settings.settings_stamp(state_dir)
    technician_settings.save_printer(state_dir, DEMO_CONFIG, url="/dev/ttyUSB1", baudrate=19200)
    loaded = technician_settings.save_printer(state_dir, DEMO_CONFIG, vietnamese="raster")
    assert technician_settings.saved(state_dir) == {
        "url": "/dev/ttyUSB1",
        "baudrate": 19200,
        "vietnamese": "raster",
    }
    assert (loaded.settings.printer.url, loaded.settings.printer.vietnamese) == ("/dev/ttyUSB1", "raster")
    path = state_dir / config.TECHNICIAN_SETTINGS_FILE
    assert path.stat().st_mode & 0o777 == technician_settings.FILE_MODE
    assert json.loads(path.read_text(encoding="utf-8"))["printer"]["baudrate"] == 19200
    assert technician_settings.settings_stamp(state_dir)[1] != before[1]
    assert [p.name for p in state_dir.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_a_value_that_does_not_validate_writes_nothing(state_dir: Path) -> None:
    technician_settings.save_printer(state_dir, DEMO_CONFIG, vietnamese="cp1258")
    with pytest.raises(ConfigError, match=r"printer\.baudrate = 1234"):
        technician_settings.save_printer(state_dir, DEMO_CONFIG, baudrate=1234)
    with pytest.raises(ConfigError, match=r"printer\.profile: a technician may not set this key"):
        technician_settings.save_printer(state_dir, DEMO_CONFIG, profile="TM-T20")
    assert technician_settings.saved(state_dir) == {"vietnamese": "cp1258"}
