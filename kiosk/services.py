"""What the UI and the CLI are built from: settings, the state database, the clock, the printer,
and a worker thread for slow work. Built once (by kiosk/app.py or kiosk/cli.py, which choose the
concrete drivers) and handed to whoever needs them."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from kiosk import outbox, store
from kiosk.catalogue.store import ensure_search_index
from kiosk.config import Settings
from kiosk.drivers.ports import PrinterState, PrinterStatus, TicketPrinter
from kiosk.queue import numbering as queue

log = logging.getLogger(__name__)
T = TypeVar("T")
PRINTER_STATE_KEY = "printer.status"


class SystemClock:
    def now(self) -> datetime:
        return datetime.now().astimezone()


class Worker:
    """One background thread for work that may be slow (printing, large queries). Each job gets
    the thread's own database connection; `done(result, error)` is called on that thread, so a
    screen hands it to Kivy's clock."""

    def __init__(self, state_dir: Path) -> None:
        self._state_dir = state_dir
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-worker")
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        if getattr(self._local, "db", None) is None:
            self._local.db = store.open_state(self._state_dir)
        return self._local.db

    def submit(
        self,
        job: Callable[[sqlite3.Connection], T],
        done: Callable[[T | None, BaseException | None], None],
    ) -> None:
        def run() -> None:
            try:
                result = job(self._db())
            except Exception as exc:  # a thread boundary: report, never die silently
                log.exception("worker job failed")
                done(None, exc)
                return
            done(result, None)

        self._pool.submit(run)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Services:
    settings: Settings
    state_dir: Path
    db: sqlite3.Connection
    site_file: Path | None = None  # where the site settings came from (technician saves beside)
    printer: TicketPrinter | None = None
    clock: queue.Clock = field(default_factory=SystemClock)
    worker: Worker | None = None
    printer_status: PrinterStatus = field(
        default_factory=lambda: PrinterStatus(PrinterState.offline, "not started")
    )
    features: dict[str, Any] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.site.timezone)

    def now(self) -> datetime:
        """The site's local time, corrected by the server's clock offset when known."""
        return queue.site_now(self.clock, self.db, self.timezone)

    def feature_enabled(self, name: str) -> bool:
        return bool(getattr(self.settings.features, name, False))

    def queue_blocked(self) -> str | None:
        """An i18n key when taking a number is impossible now (no printer, paper out, …)."""
        if self.printer is None:
            return "printer.reason.none"
        if self.printer_status.can_print:
            return None
        state = self.printer_status.state.value
        return f"printer.reason.{state if state in ('offline', 'paper_out', 'cover_open') else 'error'}"

    def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception:  # closing is best effort; one failure must not keep others open
                log.exception("closing a service failed")
        if self.worker is not None:
            self.worker.close()
        self.db.close()


def record_printer_status(db: sqlite3.Connection, status: PrinterStatus, moment: datetime) -> None:
    """Remember the printer's state for the agent's heartbeat and tell the server of a change."""
    import json

    previous = store.get_state(db, PRINTER_STATE_KEY)
    current = json.dumps({"state": status.state.value, "detail": status.detail}, ensure_ascii=False)
    if previous == current:
        return
    with store.transaction(db):
        store.set_state(db, PRINTER_STATE_KEY, current)
        outbox.add(db, "printer.status", {"state": status.state.value, "detail": status.detail}, moment)


def build_services(
    settings: Settings,
    state_dir: Path,
    printer: TicketPrinter | None = None,
    clock: queue.Clock | None = None,
) -> Services:
    """Open the database and put the services together around the given drivers."""
    db = store.open_state(state_dir)
    # After an upgrade that changed the search rows, refill them before the first search.
    ensure_search_index(db)
    services = Services(
        settings=settings, state_dir=state_dir, db=db, printer=printer, worker=Worker(state_dir)
    )
    if clock is not None:
        services.clock = clock
    return services
