"""Procedure lookup: one procedure in full (what to bring, where, how long, how much), a QR code
to carry on from a phone, and "In danh mục hồ sơ", which prints the document checklist on the
ticket printer from the worker thread while the screen says what is happening."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kivy.clock import Clock
from kivy.properties import OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.catalogue.checklist import checklist_layout
from kiosk.catalogue.detail import Block, detail_blocks
from kiosk.catalogue.popular import record_view
from kiosk.catalogue.store import get_field, get_procedure
from kiosk.errors import PrinterError, PrintUnconfirmed
from kiosk.i18n import Language
from kiosk.queue import numbering as queue
from kiosk.queue.issuing import print_failure_reason
from kiosk.screens import KioskScreen
from kiosk.screens.lookup_widgets import Loader, QRCodeView, current_language

__all__ = ["LookupDetailScreen", "QRCodeView"]  # QRCodeView: used by lookup_detail.kv

# The procedure shown by `kiosk screenshot` (Đăng ký khai sinh) when the catalogue has it.
SHOT_CODE = "1.001193"


@dataclass(frozen=True)
class ProcedureRead:
    procedure: dict[str, Any] | None
    field: dict[str, str] | None


def read_procedure(db: sqlite3.Connection, code: str) -> ProcedureRead:
    procedure = get_procedure(db, code)
    field = get_field(db, procedure["field"]) if procedure else None
    return ProcedureRead(procedure, field)


def printer_reason(error: BaseException | None) -> str:
    """The i18n key of why a print failed, in the words the queue screens use."""
    reason = print_failure_reason(error) if isinstance(error, PrinterError) else "error"
    return f"printer.reason.{reason}"


class DetailText(Label):
    """A paragraph of the detail; `style` (a Block style) sets its size, weight and colour."""

    style = StringProperty("text")


class DetailItem(BoxLayout):
    """A numbered or bulleted item: the number in its own column, the text wrapping beside it."""

    number = StringProperty("")
    text = StringProperty("")


class DetailQR(BoxLayout):
    """The QR code of the online link with what to do with it."""

    url = StringProperty("")


def block_widget(block: Block) -> Widget:
    """The label (or QR code) for one block of the detail."""
    if block.style == "qr":
        return DetailQR(url=block.text)
    if block.style in ("item", "bullet"):
        return DetailItem(number=block.number, text=block.text)
    return DetailText(text=block.text, style=block.style)


class LookupDetailScreen(KioskScreen):
    lang = StringProperty("vi")
    code = StringProperty("")
    state = OptionProperty("loading", options=["loading", "ready", "missing", "failed"])
    print_state = OptionProperty("idle", options=["idle", "printing", "done", "failed", "unknown"])
    print_reason = StringProperty("")
    blocked_reason = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loader = Loader(self.services)
        # Prints have their own loader: opening another procedure must not drop a print's answer.
        self.print_loader = Loader(self.services)
        self.views_loader = Loader(self.services)
        self.back = "lookup_list"
        self.read: ProcedureRead | None = None
        self._print_job = 0
        self._pinned: Callable[..., None] | None = None

    # --- showing ---------------------------------------------------------------------------
    def prepare(self, code: str, back: str = "lookup_list") -> None:
        """Show the procedure `code`; "Quay lại" goes to `back`."""
        self.back = back
        self.code = code
        self.read = None
        self.state = "loading"
        self.print_state = "idle"
        self.ids.content.clear_widgets()
        self.loader.load(lambda db: read_procedure(db, code), self.show)

    def on_pre_enter(self, *_args: Any) -> None:
        self.check_printer()

    def on_lang(self, *_args: Any) -> None:
        if not self.constructed:
            return  # a screen built after the language switched: its own prepare() renders it
        if self.read is not None:
            self.render()

    def show(self, read: ProcedureRead | None, error: BaseException | None) -> None:
        """Put the procedure on screen (UI thread)."""
        self.read = read
        if error is not None or read is None:
            self.state = "failed"
        elif read.procedure is None:
            self.state = "missing"
        else:
            self.state = "ready"
            self._count_view(read.procedure["code"])
        self.render()
        self.ids.scroll.scroll_y = 1

    def render(self) -> None:
        content = self.ids.content
        content.clear_widgets()
        if self.read is None or self.read.procedure is None:
            return
        for block in detail_blocks(self.read.procedure, self.read.field, current_language()):
            content.add_widget(block_widget(block))

    def _count_view(self, code: str) -> None:
        """One more look at this procedure, for the "Thủ tục hay dùng" strip (worker thread)."""
        moment = self.services.clock.now()
        self.views_loader.load(lambda db: record_view(db, code, moment), lambda *_: None)

    def check_printer(self) -> None:
        """Disable printing, with the reason, when the printer cannot print now."""
        self.blocked_reason = self.services.queue_blocked() or ""

    # --- printing --------------------------------------------------------------------------
    def print_checklist(self) -> None:
        """Print the document checklist on the worker thread; the screen shows progress, then
        success or why it failed."""
        self.check_printer()
        procedure = self.read.procedure if self.read else None
        printer = self.services.printer
        if procedure is None or printer is None or self.blocked_reason or self.print_state == "printing":
            return
        services = self.services
        language: Language = "en" if current_language() == "en" else "vi"
        office = services.settings.site.name

        def job(db: sqlite3.Connection) -> None:
            now = queue.site_now(services.clock, db, services.timezone)
            printer.print_layout(checklist_layout(procedure, office, now, language))

        self._print_job += 1
        job_id = self._print_job
        self.print_state = "printing"
        self.print_reason = ""
        self.print_loader.load(job, lambda _result, error: self.printed(job_id, error))

    def printed(self, job_id: int, error: BaseException | None) -> None:
        if job_id != self._print_job:
            return
        if error is None:
            self.print_state = "done"
            return
        self.print_reason = printer_reason(error)
        # Sent but not confirmed: it may be out, so the citizen is asked to look, not to retry.
        self.print_state = "unknown" if isinstance(error, PrintUnconfirmed) else "failed"

    def busy(self) -> bool:
        return self.print_state == "printing"

    # --- leaving ---------------------------------------------------------------------------
    def go_back(self) -> None:
        if self.manager is not None:
            self.manager.go(self.back)

    def reset(self) -> None:
        self._unpin_scroll()
        self.loader.cancel()
        self.read = None
        self.code = ""
        self.print_state = "idle"
        self.print_reason = ""
        self.ids.content.clear_widgets()

    def _pin_scroll(self, scroll_y: float) -> None:
        """Hold the scroll at `scroll_y` while new content is laid out (for shots; a scroll
        set before the layout settles is lost). reset() lets go."""

        def pin(*_args: Any) -> None:
            self.ids.scroll.scroll_y = scroll_y

        self._unpin_scroll()
        self.ids.content.bind(height=pin)
        self._pinned = pin
        Clock.schedule_once(pin, 0)

    def _unpin_scroll(self) -> None:
        if self._pinned is not None:
            self.ids.content.unbind(height=self._pinned)
            self._pinned = None

    def shots(self) -> dict[str, Any]:
        def pose(
            scroll_y: float = 1.0, print_state: str = "idle", reason: str = "", blocked: str = ""
        ) -> Any:
            def setup() -> None:
                self.loader.cancel()
                db = self.services.db
                code = SHOT_CODE if get_procedure(db, SHOT_CODE) else ""
                if not code:
                    row = db.execute(
                        "SELECT code FROM catalogue_procedure ORDER BY position LIMIT 1"
                    ).fetchone()
                    code = row[0] if row else ""
                self.code = code
                self.show(read_procedure(db, code), None)
                self.print_state, self.print_reason = print_state, reason
                # The demo has no printer; the shots show the states a kiosk with one goes through.
                self.blocked_reason = blocked
                self._pin_scroll(scroll_y)

            return setup

        return {
            "top": pose(),
            "scrolled": pose(scroll_y=0.0),
            "printing": pose(print_state="printing"),
            "printed": pose(print_state="done"),
            "print-failed": pose(print_state="failed", reason="printer.reason.paper_out"),
            "print-unknown": pose(print_state="unknown", reason="printer.reason.no_confirmation"),
            "print-blocked": pose(blocked="printer.reason.cover_open"),
        }
