"""Fixtures for the printer: a virtual printer on a real pty, the driver connected to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.drivers.escpos.options import PrintOptions
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.transport import PortSettings
from kiosk.drivers.virtual.printer import VirtualPrinter

# Short deadlines keep fault tests quick; they are limits, never asserted timings.
TEST_WRITE_TIMEOUT_S = 0.5
TEST_FINISH_S = 0.05  # the virtual printer prints what it has at once unless told to be slow


@pytest.fixture
def virtual_printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    """A virtual printer (default profile, 80 mm) serving a pty; its tickets go to tmp_path."""
    printer = VirtualPrinter(tmp_path / "printed", slow_bytes_per_s=100, unplug_after_bytes=60)
    printer.start_pty()
    yield printer
    printer.stop()


def connect(device: str, mode: str = "tcvn3", **port: object) -> SerialTicketPrinter:
    """The real driver on `device` (a pty path, a symlink or socket://)."""
    port.setdefault("finish_s", TEST_FINISH_S)
    port.setdefault("baudrate", 115200)  # the driver waits the wire time at this speed
    settings = PortSettings(url=device, write_timeout_s=TEST_WRITE_TIMEOUT_S, **port)  # type: ignore[arg-type]
    printer = SerialTicketPrinter(settings, PrintOptions(mode=mode))  # type: ignore[arg-type]
    printer.open()
    return printer


@pytest.fixture
def pty_printer(virtual_printer: VirtualPrinter) -> Iterator[SerialTicketPrinter]:
    """The driver, in tcvn3 mode, on the virtual printer's pty."""
    printer = connect(virtual_printer.device)
    yield printer
    printer.close()
