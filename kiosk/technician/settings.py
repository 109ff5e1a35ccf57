"""Printer settings a technician saves on the kiosk itself (the technician printer screen): the
port and baud rate the detection found, the Vietnamese mode whose sample printed right, and
whether the printer takes user-defined characters. Kept in the state directory as
technician-settings.json, a layer between the site file and the server's settings (see
kiosk/config.py); `kiosk config show` names it as the origin of what it sets.

Nothing is written unless the settings with the change load and validate, and the file is
replaced whole (written beside it, synced, renamed). The UI restarts at its next idle moment to
print with them, as after new server settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kiosk import config

FILE_MODE = 0o640


def saved(state_dir: Path) -> dict[str, Any]:
    """The printer keys a technician saved ({} when none)."""
    return dict(config.read_technician_settings(state_dir).get("printer", {}))


def save_printer(state_dir: Path, site_file: Path | None, **changes: Any) -> config.Loaded:
    """Add `changes` (url, baudrate, vietnamese, user_glyphs) to the saved printer settings;
    returns the settings as they load with them. Raises ConfigError, writing nothing, when the
    result does not validate."""
    printer = {**saved(state_dir), **changes}
    candidate = {"printer": printer}
    loaded = config.load(site_file=site_file, state_dir=state_dir, technician_settings=candidate)
    path = state_dir / config.TECHNICIAN_SETTINGS_FILE
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    data = json.dumps(candidate, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    with open(
        os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "w", encoding="utf-8"
    ) as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return loaded


def settings_stamp(state_dir: Path) -> tuple[float | None, float | None]:
    """When the server's and the technician's settings files last changed: the UI restarts
    when either changes (screens and the printer driver are built from the settings once)."""
    stamps: list[float | None] = []
    for name in (config.SERVER_SETTINGS_FILE, config.TECHNICIAN_SETTINGS_FILE):
        try:
            stamps.append((state_dir / name).stat().st_mtime)
        except OSError:
            stamps.append(None)
    return stamps[0], stamps[1]
