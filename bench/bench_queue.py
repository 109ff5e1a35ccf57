"""Queue figures: allocating and committing a ticket (synchronous=FULL, a real file), and the
time from a citizen's tap on a service to the last byte of the ticket reaching the printer —
the real app headless, the real driver, a pty to the virtual printer with no baud limit."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import Figure, median, percentile

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "config" / "demo" / "kiosk.toml"
SITE = '[[queue.services]]\nid = "A"\nname = "Hộ tịch"\nseries_start = 1\nseries_end = 9999\n'
ALLOCATIONS = 1000
TAPS = 15


def allocation_ms() -> list[float]:
    from kiosk import config, store
    from kiosk.queue import numbering as queue

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site.toml"
        site.write_text(SITE, encoding="utf-8")
        settings = config.load(site_file=site).settings
        db = store.connect(Path(tmp) / "kiosk.db")
        tz = ZoneInfo(settings.site.timezone)
        times = []
        for _ in range(ALLOCATIONS):
            started = time.perf_counter()
            queue.issue_ticket(db, settings, "A", datetime.now(tz))
            times.append((time.perf_counter() - started) * 1000)
        db.close()
        return times


def tap_to_last_byte_ms() -> list[float]:
    from kiosk import config
    from kiosk.app import attach_printer, configure_kivy, create_app
    from kiosk.drivers.virtual.printer import VirtualPrinter
    from kiosk.services import build_services

    class StampingPrinter(VirtualPrinter):
        last_cut: float | None = None

        def _receive(self, chunk: bytes) -> None:
            super()._receive(chunk)
            if b"\x1dV" in chunk:  # GS V: the cut, the ticket's last command
                self.last_cut = time.perf_counter()

    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        os.environ["KIOSK_STATE_DIR"] = str(state)
        printer = StampingPrinter(Path(tmp) / "printed")
        device = printer.start_pty()
        settings = config.load(
            site_file=DEMO, state_dir=state, overrides={"ui.idle_timeout_s": 3600}
        ).settings
        configure_kivy(settings, state, windowed=True, size="1080x1920")
        from kivy.base import EventLoop

        services = build_services(settings, state)
        app = create_app(services)
        app._run_prepare()
        attach_printer(app, services, device)

        def pump_until(cond: Any, limit_s: float = 20) -> None:
            end = time.monotonic() + limit_s
            while not cond():
                if time.monotonic() > end:
                    raise RuntimeError("bench: the ticket never reached the printer")
                EventLoop.idle()

        pump_until(lambda: services.printer_status.can_print)
        for _ in range(TAPS):
            tapped = _tap_service_b(app, printer)
            pump_until(lambda: printer.last_cut is not None)
            times.append((printer.last_cut - tapped) * 1000)  # type: ignore[operator]
            pump_until(lambda: app.sm.get_screen("ticket").state == "done")
        app.dispatch("on_stop")
        app.shutdown()
        services.close()
        printer.stop()
    return times


def _tap_service_b(app: Any, printer: Any) -> float:
    """Open the queue screen and tap service B's big button; the moment the finger lifts."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    app.sm.go("queue")
    for _frame in range(3):
        EventLoop.idle()
    row = next(w for w in app.sm.current_screen.walk() if getattr(w, "service_id", "") == "B")
    button = row.children[-1]  # the service's big button
    x, y = button.to_window(*button.center)
    printer.last_cut = None
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    EventLoop.idle()
    tapped = time.perf_counter()
    touch.touch_up()
    return tapped


def run() -> list[Figure]:
    allocation = allocation_ms()
    taps = tap_to_last_byte_ms()
    return [
        Figure(f"allocate + commit a ticket, median of {ALLOCATIONS}", median(allocation), "ms"),
        Figure(f"allocate + commit a ticket, p99 of {ALLOCATIONS}", percentile(allocation, 99), "ms", "≤ 10"),
        Figure(f"tap to last byte at the printer, median of {TAPS}", median(taps), "ms", "≤ 250"),
        Figure(f"tap to last byte at the printer, max of {TAPS}", max(taps), "ms"),
    ]
