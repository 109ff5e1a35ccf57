"""Polls a printer's status on its own thread while idle and tells listeners of every change.

The UI listens to grey out the ticket button (on its own thread: a Kivy listener reschedules with
Clock.schedule_once); the agent listens to report printer health. Printing needs no monitor: it
checks the status itself before and after each ticket.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.drivers.ports import PrinterState, PrinterStatus, TicketPrinter

log = logging.getLogger(__name__)


class PrinterStatusMonitor:
    """`start()` polls `printer.status()` every `interval_s`; `poll_now()` asks at once (after
    a print, or when a technician presses "retry"); `stop()` ends the thread."""

    def __init__(self, printer: TicketPrinter, interval_s: float) -> None:
        self.printer = printer
        self.interval_s = interval_s
        self._listeners: list[Callable[[PrinterStatus], None]] = []
        self._current = PrinterStatus(PrinterState.offline, "not asked yet")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def current(self) -> PrinterStatus:
        return self._current

    def add_listener(self, listener: Callable[[PrinterStatus], None]) -> None:
        """Called with each new status (state or detail changed), on the monitor's thread."""
        self._listeners.append(listener)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="printer-status", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def poll_now(self) -> None:
        self._wake.set()

    def check(self) -> PrinterStatus:
        """Ask once on the caller's thread and publish the answer."""
        try:
            status = self.printer.status()
        except Exception as exc:  # a driver bug must not kill the monitor; show it as an error
            log.exception("printer status query failed")
            status = PrinterStatus(PrinterState.error, f"status query failed: {exc}")
        if status != self._current:
            self._current = status
            for listener in list(self._listeners):
                try:
                    listener(status)
                except Exception:
                    log.exception("printer status listener failed")
        return status

    def _run(self) -> None:
        while not self._stop.is_set():
            self.check()
            self._wake.wait(self.interval_s)
            self._wake.clear()
