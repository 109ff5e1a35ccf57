"""Lookup fixtures: the real app on a small catalogue (tests/fixtures_catalogue.py) imported into
the state database, with a printer that records what it is asked to print.

The printer is a stand-in for the ticket printer driver, which comes with the printing branch:
it keeps the layouts it receives, can be told to fail with a PrinterError, and can be held so a
test sees the screen while a print is in progress."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kiosk import config, store
from kiosk.catalogue.store import import_catalogue
from kiosk.drivers.layout import Layout, Text
from kiosk.drivers.ports import PrinterState, PrinterStatus
from tests.fixtures_catalogue import catalogue_document
from tests.fixtures_core import DEMO_CONFIG
from tests.fixtures_ui import UIDriver


@dataclass
class RecordingPrinter:
    """A TicketPrinter that keeps each layout; `fail_with` is raised instead of printing, and
    while `hold` is set, printing waits (at most 10 s) until the test releases it."""

    layouts: list[Layout] = field(default_factory=list)
    fail_with: Exception | None = None
    hold: threading.Event | None = None

    def print_layout(self, layout: Layout) -> None:
        if self.hold is not None:
            self.hold.wait(timeout=10)
        if self.fail_with is not None:
            raise self.fail_with
        self.layouts.append(layout)

    def status(self) -> PrinterStatus:
        return PrinterStatus(PrinterState.ready)

    def printed_text(self) -> list[str]:
        """The text lines of everything printed, in order."""
        return [b.text for layout in self.layouts for b in layout.blocks if isinstance(b, Text)]


class LookupUI:
    """The driver plus the moves every lookup test makes."""

    def __init__(self, ui: UIDriver, printer: RecordingPrinter) -> None:
        self.ui = ui
        self.app = ui.app
        self.printer = printer

    def screen(self, name: str | None = None) -> Any:
        return self.app.sm.get_screen(name) if name else self.app.sm.current_screen

    def open_lookup(self) -> None:
        """From home, by touch, to the field grid with its fields loaded."""
        self.ui.pump(frames=2)  # home rebuilds its tiles on entering: let them be laid out
        self.ui.tap(self.ui.find_text("Tra cứu thủ tục"))
        self.ui.until(lambda: self.app.sm.current == "lookup" and self.screen().state == "ready")

    def open_search(self) -> None:
        self.open_lookup()
        self.ui.tap(self.ui.find_text("Tìm thủ tục"))
        assert self.app.sm.current == "lookup_search"

    def row(self, title: str) -> Any:
        """The list row showing `title` (it must be on screen: RecycleView builds only those)."""
        from kiosk.screens.lookup_widgets import ListRow

        rows = self.ui.find(lambda w: isinstance(w, ListRow) and w.title == title)
        assert rows, f"no row {title!r} on screen; rows: {self.row_titles()}"
        return rows[0]

    def row_titles(self) -> list[str]:
        """Titles of every row of the current screen's list, in order (also those off screen)."""
        return [r["title"] for r in self.screen().ids.rows.rows if r.get("viewclass") == "ListRow"]

    def key(self, kind: str, value: str = "") -> None:
        """Tap one key of the on-screen keyboard."""
        self.ui.tap(self.screen().keyboard.key(kind, value))

    def type(self, keys: str) -> None:
        """Tap the keys for these characters: a space is the space bar; ă â ê ô ơ ư đ are on the
        "Chữ có dấu" page (which goes back to the letters by itself after one key)."""
        for char in keys:
            if char == " ":
                self.key("space")
            elif char in "ăâêôơưđ":
                self.key("page", "tones")
                self.key("letter", char)
            else:
                self.key("letter", char)

    def tone(self, name: str) -> None:
        self.key("page", "tones")
        self.key("tone", name)


@pytest.fixture
def lookup_app(app_factory: Callable[..., UIDriver], state_dir: Path) -> Callable[..., LookupUI]:
    """Build the app on the demo site with the small catalogue and a recording printer."""
    from kiosk.services import build_services

    def make(
        procedures: list[dict[str, Any]] | None = None,
        printer: RecordingPrinter | None = None,
        printer_state: PrinterState = PrinterState.ready,
        size: str = "540x960",
        document: dict[str, Any] | None = None,
    ) -> LookupUI:
        db = store.open_state(state_dir)
        import_catalogue(db, document or catalogue_document(procedures))
        db.close()
        printer = printer or RecordingPrinter()
        settings = config.load(site_file=DEMO_CONFIG, state_dir=state_dir).settings
        services = build_services(settings, state_dir, printer=printer)
        services.printer_status = PrinterStatus(printer_state, "test")
        return LookupUI(app_factory(settings=settings, services=services, size=size), printer)

    return make
