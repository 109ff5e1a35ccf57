"""`kiosk doctor`'s checks, for a technician on SSH (no Kivy here).

Each check is a small function returning `Check(name, ok, detail, fix)`; `run_checks` runs them
all in order and never stops at a failure: settings, state directory, database, printer,
scanner, server (TLS), token, clock, disk, systemd units, current and previous release. Nothing
is changed on the kiosk, and ports the running UI owns are left alone."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from kiosk import config
from kiosk.doctor.base import Check, DoctorOptions, failed, skipped
from kiosk.doctor.devices import check_printer, check_scanner
from kiosk.doctor.local import check_config, check_disk, check_state_dir, open_database
from kiosk.doctor.server import check_server_side
from kiosk.doctor.system import check_releases, check_units

__all__ = ["Check", "DoctorOptions", "run_checks"]
log = logging.getLogger("kiosk.doctor")
NEEDS_SETTINGS = ("printer", "scanner", "server", "token", "clock")


def run_checks(
    state_dir: Path, site_file: Path | None = None, options: DoctorOptions | None = None
) -> list[Check]:
    """Every check, in the order a technician reads them."""
    options = options or DoctorOptions()
    config_check, loaded = check_config(site_file, state_dir)
    checks = [config_check, _guarded("state dir", lambda: [check_state_dir(state_dir)])[0]]
    database, db = open_database(state_dir)
    checks.append(database)
    try:
        if loaded is None:
            checks += [skipped(name, "the settings do not load (see config)") for name in NEEDS_SETTINGS]
        else:
            checks += _device_and_server(loaded.settings, db, state_dir, options)
        backups = state_dir / "backups"
        places = [("disk", state_dir), ("disk (releases)", options.layout.root)]
        checks += _guarded("disk", lambda: check_disk(places, options.min_free_mb, backups))
        checks += _guarded("units", lambda: check_units(options))
        checks += _guarded("releases", lambda: check_releases(options.layout, db))
    finally:
        if db is not None:
            db.close()
    return checks


def _device_and_server(
    settings: config.Settings, db: sqlite3.Connection | None, state_dir: Path, options: DoctorOptions
) -> list[Check]:
    return [
        *_guarded("printer", lambda: [check_printer(settings.printer, db)]),
        *_guarded("scanner", lambda: [check_scanner(settings.scanner, db, options.scanner_wait_s)]),
        *_guarded("server", lambda: check_server_side(settings, db, state_dir, options)),
    ]


def _guarded(name: str, run: Callable[[], list[Check]]) -> list[Check]:
    """A check that breaks in a way nobody foresaw is a failed check, never a traceback: the
    technician still sees every other result."""
    try:
        return run()
    except Exception as exc:  # the boundary of one check
        log.debug("check %s raised", name, exc_info=True)
        return [
            failed(
                name,
                f"the check itself failed: {type(exc).__name__}: {exc}",
                "send the output of `kiosk doctor --json` to support",
            )
        ]
