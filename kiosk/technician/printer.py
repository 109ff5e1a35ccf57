"""The technician's printer actions without Kivy: a test page, a short sample in a chosen
Vietnamese mode, and finding which serial port and baud rate answer. All of them talk to a
printer and run on the UI's worker thread (the one thread that prints)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from kiosk.drivers.escpos.writer import MODES
from kiosk.drivers.printer_detect import COMMON_BAUDS, PortInfo, list_serial_ports, probe
from kiosk.queue.tickets import Cut, Layout, PrinterState, Rule, Text, printer_test_layout, ticket_words

# A line with the letters that each encoding gets wrong first (ă â đ ê ô ơ ư, stacked tones).
SAMPLE_LETTERS = "ă â đ ê ô ơ ư ắ ầ ẻ ỗ ợ ự ỹ – Ă Đ Ơ Ư Ắ Ầ Ẻ Ỗ Ợ Ự Ỹ"


@dataclass(frozen=True)
class PortFinding:
    """One serial port and what answered on it."""

    device: str
    stable: str  # /dev/serial/by-id/… when there is one
    baudrate: int | None  # the rate it answered at; None when nothing did
    state: str  # the printer's state, or "offline"
    live: bool  # the port the kiosk prints on now


def current_mode(printer: Any) -> str:
    options = getattr(printer, "options", None)
    return str(options.mode) if options is not None else "ascii"


def print_test_page(printer: Any) -> str:
    """The test page (every Vietnamese letter) in the printer's mode; returns the mode."""
    mode = current_mode(printer)
    printer.print_layout(printer_test_layout(mode))
    return mode


def mode_sample_layout(mode: str) -> Layout:
    """A few lines, quick even at 9600 baud, to see whether a mode prints Vietnamese right."""
    words = ticket_words("vi")
    return Layout(
        name=f"sample {mode}",
        blocks=(
            Text(words["test_mode"].format(mode=mode), bold=True),
            Text(words["test_sentence"]),
            Text(SAMPLE_LETTERS, align="left"),
            Rule(),
            Cut(),
        ),
    )


def print_mode_sample(printer: Any, mode: str) -> None:
    """Print the sample in `mode`, whatever the printer is set to. The printer's options are
    swapped for this one print: only the worker thread prints, so no ticket sees the swap."""
    if mode not in MODES:
        raise ValueError(f"unknown Vietnamese mode {mode!r}; one of {MODES}")
    options = getattr(printer, "options", None)
    if options is None:
        printer.print_layout(mode_sample_layout(mode))  # NoPrinter: raises PrinterOffline
        return
    printer.options = replace(options, mode=mode)
    try:
        printer.print_layout(mode_sample_layout(mode))
    finally:
        printer.options = options


def detect(
    live_url: str, live_printer: Any, live_baudrate: int, ports: list[PortInfo] | None = None
) -> list[PortFinding]:
    """Every serial port and whether a printer answers on it. The live port is asked through
    the open printer: a second handle on the same tty would take the answers meant for it."""
    findings = []
    live_path = os.path.realpath(live_url) if live_url and "://" not in live_url else live_url
    if live_url and live_printer is not None:
        status = live_printer.status()
        answered = status.state != PrinterState.offline
        findings.append(
            PortFinding(live_url, "", live_baudrate if answered else None, status.state.value, True)
        )
    for port in list_serial_ports() if ports is None else ports:
        if os.path.realpath(port.device) == live_path:
            continue
        attempts = probe(port.device, COMMON_BAUDS)
        found = next((a for a in attempts if a.answered), None)
        findings.append(
            PortFinding(
                port.device,
                port.stable,
                found.baudrate if found else None,
                found.status.state.value if found else "offline",
                False,
            )
        )
    return findings
