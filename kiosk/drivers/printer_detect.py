"""`kiosk printer detect` and the technician's "find the printer": which serial ports there are,
their stable names, and which one has a printer that answers a status query at which baud rate.
Imports the printer port and the serial driver."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

from kiosk.drivers.escpos.options import PrintOptions
from kiosk.drivers.ports import PrinterState, PrinterStatus, TicketPrinter
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.transport import PortSettings

COMMON_BAUDS = (9600, 19200, 38400, 115200)
BY_ID = Path("/dev/serial/by-id")


@dataclass(frozen=True)
class PortInfo:
    device: str
    stable: str  # /dev/serial/by-id/… when udev made one: use it as printer.url
    description: str


@dataclass(frozen=True)
class Probe:
    baudrate: int
    status: PrinterStatus

    @property
    def answered(self) -> bool:
        """A status byte came back (offline means silence; error with 'unreadable' means noise)."""
        return self.status.state != PrinterState.offline and "unreadable" not in self.status.detail


def stable_names(by_id: Path = BY_ID) -> dict[str, str]:
    """Real device path → its /dev/serial/by-id name (stable across reboots and re-plugs)."""
    if not by_id.is_dir():
        return {}
    return {os.path.realpath(link): str(link) for link in sorted(by_id.iterdir())}


def list_serial_ports(only: list[str] | None = None) -> list[PortInfo]:
    """Every serial port pyserial sees, or only the paths in `only` (ptys, which the system does
    not list, or one port a technician wants tried)."""
    names = stable_names()
    if only:
        return [PortInfo(p, names.get(os.path.realpath(p), ""), "given") for p in only]
    return [
        PortInfo(p.device, names.get(os.path.realpath(p.device), ""), p.description or "")
        for p in list_ports.comports()
    ]


def probe(url: str, bauds: tuple[int, ...] = COMMON_BAUDS, write_timeout_s: float = 1.0) -> list[Probe]:
    """Ask for status at each baud rate until one answers; every attempt is returned."""
    tried = []
    for baud in bauds:
        printer = SerialTicketPrinter(
            PortSettings(url=url, baudrate=baud, write_timeout_s=write_timeout_s),
            PrintOptions(mode="ascii"),
        )
        try:
            result = Probe(baud, printer.status())
        finally:
            printer.close()
        tried.append(result)
        if result.answered:
            break
    return tried


@dataclass(frozen=True)
class PortFinding:
    """One serial port and what answered on it."""

    device: str
    stable: str  # /dev/serial/by-id/… when there is one
    baudrate: int | None  # the rate it answered at; None when nothing did
    state: str  # the printer's state, or "offline"
    live: bool  # the port the kiosk prints on now


def detect(
    live_url: str,
    live_printer: TicketPrinter | None,
    live_baudrate: int,
    ports: list[PortInfo] | None = None,
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
