"""The real ticket printer: kiosk.drivers.ports.TicketPrinter over a serial URL (a device path or
any pyserial URL: socket://, loop://, spy:// …).

`kiosk.drivers.ports.open_printer(settings.printer)` builds it through `open_serial_printer`.
Every call holds one lock, since a worker thread prints while the status monitor polls. Printing
checks the status first, sends the bytes, then asks again and waits for the answer, which comes
back only after the ticket's bytes went down the wire: a printer that stops answering mid-ticket
is PrinterOffline, never a hang.

The bytes, status queries included, come from kiosk.drivers.escpos (the writer); this module and
kiosk.drivers.transport only move them. Imports the port, the escpos package and the transport.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kiosk.drivers.escpos.options import PrintOptions, options_from_settings
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.escpos.status import StatusStream, status_from_asb, status_from_replies
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.drivers.layout import Layout
from kiosk.drivers.ports import PrinterState, PrinterStatus, StatusListener
from kiosk.drivers.transport import PortSettings, SerialPort
from kiosk.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline

log = logging.getLogger(__name__)
STATUS_TIMEOUT_S = 0.5  # a printer answers DLE EOT within milliseconds; 0.5 s is generous


class SerialTicketPrinter:
    """An ESC/POS printer on a serial URL. Explicit open()/close(); thread-safe."""

    def __init__(self, port: PortSettings, options: PrintOptions) -> None:
        self.port_settings = port
        self.options = options
        self._port = SerialPort(port)
        self._lock = threading.Lock()
        self._last = PrinterStatus(PrinterState.offline, "not asked yet")
        self._listeners: list[StatusListener] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def open(self) -> None:
        """Open the port. A printer that cannot be opened is not an error here: it stays closed,
        status() reports it offline and every later call tries again."""
        with self._lock:
            try:
                self._port.open()
            except PrinterOffline as exc:
                self._publish(PrinterStatus(PrinterState.offline, str(exc)))

    def close(self) -> None:
        with self._lock:
            self._port.close()

    def __enter__(self) -> SerialTicketPrinter:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- status --------------------------------------------------------------------------------

    @property
    def last_status(self) -> PrinterStatus:
        """The status from the most recent query, without asking the printer."""
        return self._last

    def add_listener(self, listener: StatusListener) -> None:
        """Call `listener(status)` whenever the state or its detail changes (from any thread)."""
        self._listeners.append(listener)

    def status(self) -> PrinterStatus:
        """Ask the printer now (DLE EOT 1–4)."""
        with self._lock:
            return self._query(STATUS_TIMEOUT_S)

    def _query(self, timeout_s: float) -> PrinterStatus:
        try:
            self._port.discard_input()
            self._port.write(EscposWriter.status_query())
            stream = StatusStream()
            stream.feed(self._port.read_for(timeout_s, until=4))
            if len(stream.replies) < 4 and stream.replies:  # the rest may be a moment behind
                stream.feed(self._port.read_for(STATUS_TIMEOUT_S / 5, until=4 - len(stream.replies)))
            status = self._interpret(stream)
        except PrinterOffline as exc:
            status = PrinterStatus(PrinterState.offline, str(exc))
        self._publish(status)
        return status

    def _interpret(self, stream: StatusStream) -> PrinterStatus:
        if stream.replies:
            return status_from_replies(dict(zip((1, 2, 3, 4), stream.replies, strict=False)))
        if stream.asb:
            return status_from_asb(stream.asb[-1])
        if stream.garbage:
            if bytes(stream.garbage) in EscposWriter.status_query():
                return PrinterStatus(PrinterState.error, "the port echoes what is sent: no printer")
            shown = bytes(stream.garbage[:8]).hex(" ")
            return PrinterStatus(PrinterState.error, f"unreadable answer ({shown}); check baud rate")
        return PrinterStatus(PrinterState.offline, "no answer to a status query")

    def _publish(self, status: PrinterStatus) -> None:
        changed = status != self._last
        self._last = status
        if not changed:
            return
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:  # a listener's bug must not stop printing or polling
                log.exception("printer status listener failed")

    # -- printing ------------------------------------------------------------------------------

    def print_layout(self, layout: Layout) -> None:
        """Print `layout`: check, send, confirm. Raises PaperOut, CoverOpen, PrinterOffline or
        PrinterError; returns only when the printer has answered after the last byte."""
        data = render_escpos(layout, self.options)
        with self._lock:
            raise_for(self._query(STATUS_TIMEOUT_S), "before printing")
            self._port.write(data)
            # The answer queues behind the ticket on the wire: allow its transmission time.
            wire_s = self.port_settings.seconds_for(len(data))
            after = self._query(wire_s + self.port_settings.write_timeout_s)
            if after.state == PrinterState.offline:
                raise PrinterOffline(f"the printer stopped answering while printing: {after.detail}")
            raise_for(after, "while printing")
        log.info("printed %s (%d bytes, %s)", layout.name, len(data), self.options.mode)


def raise_for(status: PrinterStatus, when: str) -> None:
    """The exception for a status that cannot print, if any."""
    if status.can_print:
        return
    message = f"{status.detail or status.state.value} ({when})"
    if status.state == PrinterState.paper_out:
        raise PaperOut(message)
    if status.state == PrinterState.cover_open:
        raise CoverOpen(message)
    if status.state == PrinterState.offline:
        raise PrinterOffline(message)
    raise PrinterError(message)


def open_serial_printer(settings: Any) -> SerialTicketPrinter:
    """The printer described by kiosk.config.Printer settings, opened (the `DRIVERS` row of
    device paths and pyserial URLs in kiosk.drivers.ports). Close it when done."""
    printer = SerialTicketPrinter(PortSettings.from_config(settings), options_from_settings(settings))
    printer.open()
    return printer
