"""The printer port: what the core needs from a ticket printer (`TicketPrinter`), what a printer
says about itself (`PrinterStatus`), and `open_printer`, which picks a driver by the scheme of
`printer.url` from one table.

A new driver is one module with a function `open_…(settings) -> PrinterDevice` and one row in
`DRIVERS`. Drivers are imported only when a URL needs them, so a lookup-only kiosk (empty
printer.url) never loads python-escpos.

The core (queue, catalogue, technician) may import this module and kiosk.drivers.layout, and
nothing else of kiosk/drivers/. Imports only the standard library, kiosk.errors and the layout.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol

from kiosk.drivers.layout import Layout
from kiosk.errors import PrinterOffline

# How Vietnamese is printed (printer.vietnamese, once `auto` is resolved; docs/printing.md). Named
# here because the technician's room switches a printer between them for a sample.
Mode = Literal["tcvn3", "cp1258", "raster", "ascii"]
MODES: tuple[Mode, ...] = ("tcvn3", "cp1258", "raster", "ascii")


class PrinterState(StrEnum):
    ready = "ready"
    paper_near_end = "paper_near_end"
    paper_out = "paper_out"
    cover_open = "cover_open"
    offline = "offline"
    error = "error"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer last said about itself; `detail` is one line for people."""

    state: PrinterState
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """A ticket can be printed now (ready, or paper near its end)."""
        return self.state in (PrinterState.ready, PrinterState.paper_near_end)


StatusListener = Callable[[PrinterStatus], None]


class TicketPrinter(Protocol):
    """What the core needs from a ticket printer (kiosk.drivers implements it)."""

    def print_layout(self, layout: Layout) -> None:
        """Check the status, then print. Raises kiosk.errors.PaperOut, CoverOpen,
        PrinterOffline or PrinterError; never hangs."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer now; a printer that does not answer is offline."""
        ...


class PrinterDevice(TicketPrinter, Protocol):
    """A TicketPrinter as a composition root holds it: opened by open_printer, closed when done,
    telling listeners of every change of its status."""

    @property
    def last_status(self) -> PrinterStatus:
        """The status from the most recent query, without asking the printer."""
        ...

    def add_listener(self, listener: StatusListener) -> None:
        """Call `listener(status)` whenever the state or its detail changes (from any thread)."""
        ...

    def close(self) -> None: ...


class NoPrinter:
    """printer.url is empty: nothing to print to, said plainly (the UI disables tickets)."""

    def __init__(self) -> None:
        self.last_status = PrinterStatus(PrinterState.offline, "no printer configured")

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def add_listener(self, listener: StatusListener) -> None:
        pass

    def status(self) -> PrinterStatus:
        return self.last_status

    def print_layout(self, layout: Layout) -> None:
        raise PrinterOffline("no printer configured (printer.url is empty)")


SERIAL = "kiosk.drivers.serial_printer:open_serial_printer"

# URL scheme → "module:function" that opens a printer for kiosk.config.Printer settings. The
# empty scheme is a device path (/dev/kiosk-printer, /dev/ttyUSB0, a pty). The serial driver
# opens the URL with pyserial's serial_for_url, which knows the other schemes listed here.
DRIVERS: dict[str, str] = {
    "": SERIAL,
    "socket": SERIAL,  # socket://host:port: a network printer, or the virtual printer's --listen
    "loop": SERIAL,
    "spy": SERIAL,  # spy://PATH?file=LOG: a serial port with a log of every byte
    "rfc2217": SERIAL,
    "hwgrep": SERIAL,
    "alt": SERIAL,
    "cp2110": SERIAL,
}
# A scheme not in the table goes to pyserial too (packages may register handlers with it); it
# says which schemes it does not know, and the printer then reports offline with that reason.
FALLBACK = SERIAL


def url_scheme(url: str) -> str:
    """'socket' for socket://host:9100; '' for a device path."""
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else ""


def open_printer(settings: Any) -> PrinterDevice:
    """The printer described by kiosk.config.Printer settings, opened (NoPrinter when printer.url
    is empty). A printer that cannot be reached is not an error here: it reports itself offline
    and tries again at the next call. Close it when done."""
    url = getattr(settings, "url", "")
    if not url:
        return NoPrinter()
    module, _, function = DRIVERS.get(url_scheme(url), FALLBACK).partition(":")
    opener: Callable[[Any], PrinterDevice] = getattr(importlib.import_module(module), function)
    return opener(settings)
