"""Single checks of `kiosk doctor` with real parts: a running UI's ports are left alone, a
damaged database, the server behind TLS with and without its private CA."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from kiosk import config, store
from kiosk.device import health
from kiosk.doctor import DoctorOptions
from kiosk.doctor.devices import check_printer, check_scanner
from kiosk.doctor.local import check_state_dir, open_database
from kiosk.doctor.server import check_server_side
from kiosk.drivers.ports import PrinterState, PrinterStatus
from kiosk.drivers.virtual.printer import VirtualPrinter
from kiosk.services import record_printer_status
from tests.fixtures_central import start_server
from tests.sync.test_sync_client import _certificates

QUICK = DoctorOptions(server_connect_s=1.0, server_read_s=2.0, server_deadline_s=4.0)


def settings_with(state_dir: Path, **dotted: object) -> config.Settings:
    return config.load(state_dir=state_dir, overrides=dotted).settings


def test_printer_and_scanner_of_a_running_ui_are_not_touched(
    db: sqlite3.Connection, state_dir: Path, virtual_printer: VirtualPrinter
) -> None:
    health.report_ui_started(db, "0.1.0")  # this process stands for the UI: it is alive
    record_printer_status(db, PrinterStatus(PrinterState.paper_out, "hết giấy"), datetime.now().astimezone())
    settings = settings_with(state_dir, **{"printer.url": virtual_printer.device, "scanner.url": "/dev/null"})
    before = virtual_printer.bytes_received

    printer = check_printer(settings.printer, db)
    scanner = check_scanner(settings.scanner, db, 1.0)

    assert virtual_printer.bytes_received == before  # no status query went down the cable
    assert not printer.ok and printer.detail == "paper_out: hết giấy (as the running UI reported it)"
    assert scanner.ok and "in use by the running UI" in scanner.detail


def test_damaged_database_is_reported_and_not_repaired(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    damaged = b"this is not an SQLite database at all " * 200
    (state / store.DB_NAME).write_bytes(damaged)

    check, db = open_database(state)

    assert db is None and not check.ok and "cannot be read" in check.detail
    assert "backups" in check.fix
    assert (state / store.DB_NAME).read_bytes() == damaged  # the doctor changes nothing


def test_missing_state_dir_and_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert not check_state_dir(missing).ok
    check, db = open_database(missing)
    assert db is None and not check.ok and "no database" in check.detail
    assert not missing.exists()  # not created behind the technician's back


def test_server_over_tls_needs_its_private_ca(
    tmp_path: Path, state_dir: Path, db: sqlite3.Connection
) -> None:
    ca, cert, key = _certificates(tmp_path)
    server = start_server(tmp_path, ssl_certfile=str(cert), ssl_keyfile=str(key))
    try:
        untrusted = settings_with(state_dir, **{"server.url": server.url})
        server_check, token, clock = check_server_side(untrusted, db, state_dir, QUICK)
        assert not server_check.ok and "TLS failed" in server_check.detail
        assert "server.ca_file" in server_check.fix
        assert token.skipped and clock.skipped

        trusted = settings_with(state_dir, **{"server.url": server.url, "server.ca_file": str(ca)})
        server_check, token, clock = check_server_side(trusted, db, state_dir, QUICK)
        assert server_check.ok and "TLS verified" in server_check.detail
        assert not token.ok and "not enrolled" in token.detail  # no enrollment on this kiosk yet
        assert clock.ok
    finally:
        server.stop()
