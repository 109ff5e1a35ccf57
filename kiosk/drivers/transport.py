"""The printer's port, opened by URL with pyserial's serial_for_url: a device path
(/dev/kiosk-printer, /dev/ttyUSB0, a pty), socket://host:port, loop://, spy://PATH?file=LOG.

Open and close are explicit. Any failure (the adapter unplugged, a write that cannot complete in
write_timeout_s) closes the port and becomes PrinterOffline; the next call opens it again, which
is how a USB-serial adapter that went away and came back is picked up. Nothing here can hang: every
read and write has a deadline.
"""

from __future__ import annotations

import contextlib
import termios
import time
from dataclasses import dataclass

import serial

from kiosk.errors import PrinterOffline

# termios.error is not an OSError: pyserial lets it through when a tty vanishes mid-call.
PORT_ERRORS = (serial.SerialException, OSError, termios.error)
OPEN_ERRORS = (*PORT_ERRORS, ValueError)
PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass(frozen=True)
class PortSettings:
    """How to reach the printer (the transport part of kiosk.config.Printer)."""

    url: str
    baudrate: int = 9600
    framing: str = "8N1"
    rtscts: bool = False
    xonxoff: bool = False
    write_timeout_s: float = 10.0

    @classmethod
    def from_config(cls, printer: object) -> PortSettings:
        fields = ("url", "baudrate", "framing", "rtscts", "xonxoff", "write_timeout_s")
        return cls(**{name: getattr(printer, name) for name in fields})

    def seconds_for(self, size: int) -> float:
        """Time `size` bytes take on the wire: start bit, data bits, parity, stop bits."""
        bits = 1 + int(self.framing[0]) + (self.framing[1] != "N") + int(self.framing[2])
        return size * bits / self.baudrate


class SerialPort:
    """One printer port. Not thread-safe on its own: the printer serialises calls with a lock."""

    def __init__(self, settings: PortSettings) -> None:
        self.settings = settings
        self._port: serial.SerialBase | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        """Open the port (no-op when open); PrinterOffline when it cannot be opened."""
        if self._port is not None:
            return
        s = self.settings
        if not s.url:
            raise PrinterOffline("no printer configured (printer.url is empty)")
        try:
            port = serial.serial_for_url(s.url, do_not_open=True)
            port.baudrate = s.baudrate
            port.bytesize = int(s.framing[0])
            port.parity = PARITIES[s.framing[1]]
            port.stopbits = int(s.framing[2])
            port.rtscts = s.rtscts
            port.xonxoff = s.xonxoff
            port.write_timeout = s.write_timeout_s
            port.timeout = 0
            port.open()
        except OPEN_ERRORS as exc:
            raise PrinterOffline(f"cannot open {s.url}: {exc}") from None
        self._port = port

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            # The device may be gone already; closing is all we wanted.
            with contextlib.suppress(*PORT_ERRORS):
                port.close()

    def write(self, data: bytes) -> None:
        """Write all of `data` or raise PrinterOffline (closing the port) within write_timeout_s."""
        port = self._require()
        try:
            written = port.write(data)
        except serial.SerialTimeoutException:
            self.close()
            raise PrinterOffline(
                f"the printer took no data for {self.settings.write_timeout_s:g} s "
                "(off, jammed, or flow control stuck)"
            ) from None
        except PORT_ERRORS as exc:
            self.close()
            raise PrinterOffline(f"the printer port failed: {exc}") from None
        if written is not None and written != len(data):
            self.close()
            raise PrinterOffline(f"only {written} of {len(data)} bytes could be written")

    def read_for(self, seconds: float, until: int | None = None) -> bytes:
        """Whatever arrives within `seconds` (stops early once `until` bytes came)."""
        port = self._require()
        deadline = time.monotonic() + seconds
        got = bytearray()
        try:
            while time.monotonic() < deadline and (until is None or len(got) < until):
                port.timeout = max(0.0, min(0.05, deadline - time.monotonic()))
                got += port.read(max(1, (until or 64) - len(got)))
        except PORT_ERRORS as exc:
            self.close()
            raise PrinterOffline(f"the printer port failed: {exc}") from None
        return bytes(got)

    def discard_input(self) -> None:
        """Drop stale bytes (late replies) before a query."""
        port = self._require()
        try:
            port.reset_input_buffer()
        except PORT_ERRORS as exc:
            self.close()
            raise PrinterOffline(f"the printer port failed: {exc}") from None

    def _require(self) -> serial.SerialBase:
        self.open()
        assert self._port is not None
        return self._port
