"""`kiosk printer detect`: which serial ports there are, their stable names, and which one has a
printer that answers a status query at which baud rate."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

from kiosk.drivers.escpos.writer import PrintOptions
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.transport import PortSettings
from kiosk.queue.tickets import PrinterState, PrinterStatus

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
