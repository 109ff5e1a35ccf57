"""The real ticket printer: kiosk.drivers.ports.TicketPrinter over a serial URL (a device path or
any pyserial URL: socket://, loop://, spy:// …).

`kiosk.drivers.ports.open_printer(settings.printer)` builds it through `open_serial_printer`.
Every call holds one lock, since a worker thread prints while the status monitor polls.

Printing has three outcomes (docs/printing.md): it returns when the ticket is out; it raises
PaperOut, CoverOpen, PrinterOffline or PrinterError when the ticket was never sent (the check
before it refused, or the port failed before its first byte); it raises PrintUnconfirmed when
bytes went out and the printer did not confirm them. Confirmation is, where the printer answers
it, a GS ( H process ID response (sent by the printer only once everything before it was printed,
recognised by its ID); otherwise two real-time status answers: one queued behind the ticket on the
wire (the printer has every byte), one `finish_s` later (it has printed what its buffer held).
Before every question the line is drained and the answers are counted against the questions
(kiosk.drivers.answers), so a late answer to an earlier question is never taken as fresh.

The bytes, status queries included, come from kiosk.drivers.escpos (the writer); this module and
kiosk.drivers.transport only move them. Imports the port, the escpos package and the transport.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kiosk.drivers.answers import AnswerLedger
from kiosk.drivers.escpos.options import PrintOptions, answers_process_id, options_from_settings
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.escpos.status import StatusStream, status_from_asb, status_from_replies
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.drivers.layout import Layout
from kiosk.drivers.ports import PrinterState, PrinterStatus, StatusListener
from kiosk.drivers.transport import PortSettings, SerialPort
from kiosk.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline, PrintUnconfirmed

log = logging.getLogger(__name__)
STATUS_TIMEOUT_S = 0.5  # a printer answers DLE EOT within milliseconds; 0.5 s is generous
QUIET_S = 0.03  # the drain ends when the line was quiet this long
READ_SLICE_S = 0.05


class SerialTicketPrinter:
    """An ESC/POS printer on a serial URL. Explicit open()/close(); thread-safe."""

    def __init__(self, port: PortSettings, options: PrintOptions) -> None:
        self.port_settings = port
        self.options = options
        self._port = SerialPort(port)
        self._lock = threading.Lock()
        self._last = PrinterStatus(PrinterState.offline, "not asked yet")
        self._listeners: list[StatusListener] = []
        self._book = AnswerLedger()
        self._ledger_of = -1  # the connection (SerialPort.opened) the ledger counts for
        self._process_id: bool | None = None  # answers GS ( H, learnt once per connection

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
            return self._ask(STATUS_TIMEOUT_S, resync=True)[0]

    def _ledger(self) -> AnswerLedger:
        """The ledger of the current connection (answers owed on an older one never come)."""
        if self._ledger_of != self._port.opened:
            self._book, self._ledger_of, self._process_id = AnswerLedger(), self._port.opened, None
        return self._book

    def _drain(self) -> AnswerLedger:
        """Let what was written leave the wire, then read and count whatever is waiting."""
        self._port.wait_for_wire(self.port_settings.write_timeout_s)
        stream = StatusStream()
        stream.feed(self._port.read_until_quiet(QUIET_S, STATUS_TIMEOUT_S))
        book = self._ledger()
        book.settle(stream)
        return book

    def _ask(self, timeout_s: float, *, resync: bool, strict: bool = False) -> tuple[PrinterStatus, bool]:
        """Drain, ask DLE EOT 1–4, read the answers that are this question's. Returns the status
        and whether it is certainly fresh (all four answers came, after exactly the answers owed
        before them, and — when `strict` — nothing extra came right after)."""
        try:
            book = self._drain()
            if resync:
                book.forgive()
            in_step = book.in_step
            stale = book.ask(4)
            self._port.write(EscposWriter.status_query())
            stream = self._read_answers(stale + 4, timeout_s)
            if strict and len(stream.answers) >= stale + 4:
                stream.feed(self._port.read_for(QUIET_S))  # a duplicate shows up right behind
            mine = book.ours(stream, stale, 4)
            status = self._interpret(mine, stream)
            fresh = in_step and len(mine) == 4 and book.in_step
        except PrinterOffline as exc:
            status, fresh = PrinterStatus(PrinterState.offline, str(exc)), False
        self._publish(status)
        return status, fresh

    def _read_answers(self, count: int, timeout_s: float) -> StatusStream:
        stream = StatusStream()
        deadline = time.monotonic() + timeout_s + self.port_settings.seconds_for(12)
        while len(stream.answers) < count and time.monotonic() < deadline:
            left = max(0.0, deadline - time.monotonic())
            stream.feed(self._port.read_for(min(READ_SLICE_S, left), until=count - len(stream.answers)))
        return stream

    def _interpret(self, mine: list[int], stream: StatusStream) -> PrinterStatus:
        if bytes(mine) and bytes(stream.garbage) and bytes(stream.garbage) in EscposWriter.status_query():
            return PrinterStatus(PrinterState.error, "the port echoes what is sent: no printer")
        if mine:
            return status_from_replies(dict(zip((1, 2, 3, 4), mine, strict=False)))
        if stream.asb:
            return status_from_asb(stream.asb[-1])
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
        """Print `layout`: check, send, confirm. Returns only when the printer confirmed the
        ticket is out. PaperOut, CoverOpen, PrinterOffline or PrinterError: it was not sent.
        PrintUnconfirmed: it was sent and not confirmed (it may be out, or come out later)."""
        data = render_escpos(layout, self.options)
        with self._lock:
            before, _ = self._ask(STATUS_TIMEOUT_S, resync=True)
            raise_for(before, "before printing")
            by_id = self._answers_process_id()
            self._send(data)
            if by_id:
                self._confirm_by_process_id()
            else:
                self._confirm_by_status()
        log.info("printed %s (%d bytes, %s)", layout.name, len(data), self.options.mode)

    def _send(self, data: bytes) -> None:
        """The ticket's bytes. The first goes alone: a port that fails on it took nothing (a
        one-byte write is all or nothing), so the ticket was certainly not sent."""
        try:
            self._port.write(data[:1])
        except PrinterOffline as exc:
            raise PrinterOffline(f"{exc} (before the ticket's first byte: nothing was sent)") from None
        try:
            self._port.write(data[1:])
        except PrinterOffline as exc:
            self._publish(PrinterStatus(PrinterState.offline, str(exc)))
            raise PrintUnconfirmed(
                f"the port failed while the ticket was being sent: {exc}", "offline"
            ) from None

    def _answers_process_id(self) -> bool:
        """Whether this ticket is confirmed by process ID: the profile says the printer has it and
        the printer has answered one on this connection (asked before each ticket until it does;
        once it has, it is relied on: no answer is then "unconfirmed", never a fallback)."""
        if not answers_process_id(self.options.profile):
            return False
        if not self._process_id:
            self._process_id = self._wait_for_process_id(self._ledger().new_process_id(), STATUS_TIMEOUT_S)
            if not self._process_id:
                log.warning("the printer did not answer a process ID request: real-time status instead")
        return self._process_id

    def _wait_for_process_id(self, process_id: str, extra_s: float) -> bool:
        """Ask for `process_id` and wait for it: the wire time of what is queued, plus `extra_s`."""
        book = self._ledger()
        self._port.write(EscposWriter.process_id_request(process_id))
        deadline = time.monotonic() + self._port.wire_remaining_s() + extra_s
        stream = StatusStream()
        while time.monotonic() < deadline:
            left = max(0.0, deadline - time.monotonic())
            stream.feed(self._port.read_for(min(READ_SLICE_S, left), until=7))
            if process_id in stream.process_ids:
                break
        book.settle(stream)
        return process_id in book.process_ids

    def _confirm_by_process_id(self) -> None:
        """GS ( H after the ticket: its answer comes only once the ticket was printed and cut."""
        s = self.port_settings
        limit = s.finish_s + s.write_timeout_s
        try:
            if self._wait_for_process_id(self._ledger().new_process_id(), limit):
                return
        except PrinterOffline as exc:
            self._publish(PrinterStatus(PrinterState.offline, str(exc)))
            raise PrintUnconfirmed(
                f"the port failed before the printer confirmed: {exc}", "offline"
            ) from None
        now, _ = self._ask(STATUS_TIMEOUT_S, resync=False)
        raise PrintUnconfirmed(
            f"the printer did not confirm the ticket (process ID) within {limit:g} s after the "
            f"wire time; it says: {now.detail or now.state.value}",
            unconfirmed_reason(now),
        )

    def _confirm_by_status(self) -> None:
        """Two fresh real-time answers: one behind the ticket on the wire (every byte arrived),
        one `finish_s` later (the buffer was printed). Anything less is unconfirmed."""
        s = self.port_settings
        arrived, fresh = self._ask(s.write_timeout_s, resync=False, strict=True)
        if fresh and arrived.can_print:
            time.sleep(s.finish_s)
            after, fresh = self._ask(STATUS_TIMEOUT_S, resync=False, strict=True)
            if fresh and after.can_print:
                return
            arrived = after
        why = "" if fresh else "no answer that could be told apart from older ones; "
        raise PrintUnconfirmed(
            f"the printer did not confirm the ticket: {why}it says: {arrived.detail or arrived.state.value}",
            unconfirmed_reason(arrived)
            if fresh or arrived.state == PrinterState.offline
            else "no_confirmation",
        )


def unconfirmed_reason(status: PrinterStatus) -> str:
    """What a PrintUnconfirmed reports as last known: the printer's fault, else no_confirmation."""
    return "no_confirmation" if status.can_print else status.state.value


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
