"""Checks of the hardware: the ticket printer and the scanner, through the real drivers.

While the UI runs, the ports are its own: a status query from here could take the answer to
the UI's own query (a ticket printed would look failed) and a read could swallow a scanned
code. Then the printer's state is the one the UI recorded, and the scanner's device is only
looked for."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from kiosk import config
from kiosk.doctor.base import Check, failed, passed, skipped
from kiosk.drivers.ports import PrinterState, PrinterStatus, open_printer
from kiosk.drivers.scanner import Scanner
from kiosk.sync.heartbeat import printer_status, ui_running

PRINTER_FIXES = {
    PrinterState.offline: "check the printer's power and USB cable, `ls -l {url}`, that the kiosk user "
    "is in dialout; `kiosk printer detect` finds the port",
    PrinterState.paper_out: "load a new paper roll",
    PrinterState.cover_open: "close the printer's cover",
    PrinterState.error: "switch the printer off and on; if it persists check printer.baudrate with "
    "`kiosk printer detect`",
}


def check_printer(settings: config.Printer, db: sqlite3.Connection | None) -> Check:
    """The printer answers a status query and can print (ready or paper low)."""
    if not settings.url:
        return skipped("printer", "no printer configured (printer.url is empty)")
    if db is not None and ui_running(db):
        recorded = printer_status(db)
        if recorded is None or recorded["state"] not in PrinterState.__members__:
            return skipped("printer", "the running UI has not reported the printer's state yet")
        status = PrinterStatus(PrinterState(recorded["state"]), recorded["detail"])
        source = "as the running UI reported it"
    else:
        printer = open_printer(settings)
        try:
            status = printer.status()
        finally:
            printer.close()
        source = f"asked at {settings.url}"
    detail = f"{status.state.value}{': ' + status.detail if status.detail else ''} ({source})"
    if status.can_print:
        return passed("printer", detail)
    return failed("printer", detail, PRINTER_FIXES[status.state].format(url=settings.url))


def check_scanner(settings: config.Scanner, db: sqlite3.Connection | None, wait_s: float) -> Check:
    """The scanner's port opens (the real driver's reader), or is present while the UI has it."""
    if not settings.url:
        return skipped("scanner", "no scanner configured (scanner.url is empty)")
    fix = (
        f"check the scanner's cable and that it is in serial (USB-COM) mode; `ls -l {settings.url}`; "
        "the kiosk user must be in dialout"
    )
    if db is not None and ui_running(db):
        if "://" in settings.url:
            return skipped("scanner", f"{settings.url} is in use by the running UI")
        if Path(settings.url).exists():
            return passed("scanner", f"{settings.url} present (in use by the running UI)")
        return failed("scanner", f"{settings.url} does not exist", fix)
    scanner = Scanner(settings.url, lambda code: None, baudrate=settings.baudrate, reopen_s=wait_s)
    scanner.start()
    try:
        give_up = time.monotonic() + wait_s
        while scanner.status().detail == "not started" and time.monotonic() < give_up:
            time.sleep(0.02)
        status = scanner.status()
    finally:
        scanner.stop()
    if status.online:
        return passed("scanner", f"{settings.url} opens at {settings.baudrate} baud")
    return failed("scanner", status.detail, fix)
