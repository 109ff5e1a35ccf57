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
    finish_s: float = 1.0  # after the last byte arrived: print the buffer and cut

    @classmethod
    def from_config(cls, printer: object) -> PortSettings:
        fields = ("url", "baudrate", "framing", "rtscts", "xonxoff", "write_timeout_s", "finish_s")
        return cls(**{name: getattr(printer, name) for name in fields if hasattr(printer, name)})

    def seconds_for(self, size: int) -> float:
        """Time `size` bytes take on the wire: start bit, data bits, parity, stop bits."""
        bits = 1 + int(self.framing[0]) + (self.framing[1] != "N") + int(self.framing[2])
        return size * bits / self.baudrate


class SerialPort:
    """One printer port. Not thread-safe on its own: the printer serialises calls with a lock."""

    def __init__(self, settings: PortSettings) -> None:
        self.settings = settings
        self._port: serial.SerialBase | None = None
        # When the last byte written is computed to have left the wire, at the configured baud
        # rate (time.monotonic()). write() returns once the OS took the bytes, long before that.
        self.wire_free_at = 0.0
        self.opened = 0  # counts opens: answers owed on an older connection never come on this one

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
        self.opened += 1
        self.wire_free_at = 0.0

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            # The device may be gone already; closing is all we wanted.
            with contextlib.suppress(*PORT_ERRORS):
                port.close()

    def write(self, data: bytes) -> None:
        """Write all of `data` or raise PrinterOffline (closing the port) within write_timeout_s."""
        port = self._require()
        start = max(time.monotonic(), self.wire_free_at)
        self.wire_free_at = start + self.settings.seconds_for(len(data))
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

    def wire_remaining_s(self) -> float:
        """Seconds until what was written has left the wire: the computed time at the baud rate,
        or longer while the OS still holds unsent bytes (flow control held, a slow adapter)."""
        computed = max(0.0, self.wire_free_at - time.monotonic())
        queued = self._out_waiting()
        return max(computed, self.settings.seconds_for(queued))

    def _out_waiting(self) -> int:
        """Bytes the OS has not sent yet, where the port can tell (0 for ptys and sockets)."""
        if self._port is None:
            return 0
        try:
            return int(self._port.out_waiting or 0)
        except (NotImplementedError, AttributeError, *PORT_ERRORS):
            return 0

    def wait_for_wire(self, limit_s: float) -> bool:
        """Wait until what was written has left the wire, at most `limit_s`; True if it has."""
        deadline = time.monotonic() + limit_s
        while (left := self.wire_remaining_s()) > 0:
            if time.monotonic() + min(left, 0.05) > deadline:
                return False
            time.sleep(min(left, 0.05))
        return True

    def read_until_quiet(self, quiet_s: float, limit_s: float) -> bytes:
        """Everything that arrives until the line has been quiet for `quiet_s` (at most
        `limit_s`): the drain before a question, so a stale answer is never read as fresh."""
        deadline = time.monotonic() + limit_s
        got = bytearray()
        while time.monotonic() < deadline:
            chunk = self.read_for(min(quiet_s, max(0.0, deadline - time.monotonic())))
            if not chunk:
                break
            got += chunk
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
