"""Check a dossier: the code from the receipt, typed on a keypad or read by the scanner; the
server's masked answer; a clear message when it cannot be had. Cleared on idle (privacy).
The lookup runs on the worker thread with short timeouts; the UI never waits."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, OptionProperty, StringProperty

from kiosk.screens import KioskScreen
from kiosk.sync.lookups import DossierResult, LookupFailure, ServerLookups

MAX_TYPED = 40
DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "0", "-")
LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class DossierScreen(KioskScreen):
    code = StringProperty("")
    state = OptionProperty("typing", options=["typing", "searching", "found", "failed"])
    failure_key = StringProperty("")
    result = DictProperty({})
    letters = BooleanProperty(False)

    def press(self, key: str) -> None:
        if self.state == "searching":
            return
        if self.state in ("found", "failed"):
            self.state = "typing"
        if len(self.code) < MAX_TYPED:
            self.code += key

    def backspace(self) -> None:
        if self.state != "searching":
            self.state = "typing"
            self.code = self.code[:-1]

    def clear(self) -> None:
        if self.state != "searching":
            self.state = "typing"
            self.code = ""

    def on_kv_post(self, _base: Any) -> None:
        self._build_keys()

    def on_letters(self, *_args: Any) -> None:
        self._build_keys()

    def _build_keys(self) -> None:
        from kivy.factory import Factory

        grid = self.ids.keypad
        grid.clear_widgets()
        grid.cols = 7 if self.letters else 3
        for key in LETTERS if self.letters else DIGITS:
            button = Factory.KeypadKey(text=key)
            button.bind(on_release=lambda b: self.press(b.text))
            grid.add_widget(button)

    def scanned(self, code: str) -> None:
        """A code read by the scanner: look it up at once."""
        self.code = code[: MAX_TYPED * 3]
        self.search()

    def prepare(self, code: str = "") -> None:
        if code:
            self.scanned(code)

    def search(self) -> None:
        if self.state == "searching" or not self.code.strip():
            return
        self.state = "searching"
        services, code = self.services, self.code

        def job(db: Any) -> DossierResult | LookupFailure:
            lookups = ServerLookups.from_state(services.settings, db, services.state_dir)
            try:
                return lookups.dossier(code)
            finally:
                lookups.close()

        def done(answer: Any, error: BaseException | None) -> None:
            Clock.schedule_once(
                lambda _dt: self.show(code, answer if error is None else LookupFailure.OFFLINE), 0
            )

        if services.worker is not None:
            services.worker.submit(job, done)

    def show(self, code: str, answer: DossierResult | LookupFailure) -> None:
        if code != self.code or self.state != "searching":
            return  # reset (idle) or a new code since: this answer is for nobody
        if isinstance(answer, LookupFailure):
            self.failure_key = f"dossier.{answer.value}"
            self.state = "failed"
            return
        self.result = {
            "code": answer.code,
            "procedure": answer.procedure,
            "applicant": answer.applicant,
            "received_at": _date(answer.received_at),
            "due_at": _date(answer.due_at or ""),
            "status": answer.status,
            "late": answer.late,
        }
        self.state = "found"

    def reset(self) -> None:
        self.code = ""
        self.result = {}
        self.failure_key = ""
        self.letters = False
        self.state = "typing"

    def shots(self) -> dict[str, Any]:
        def typing() -> None:
            self.code = "000.00.06.H56-2311"

        def found() -> None:
            self.code = "000.00.06.H56-231027-0361"
            self.state = "searching"
            self.show(
                self.code,
                DossierResult(
                    code=self.code,
                    procedure="Đăng ký khai sinh",
                    applicant="Nguyễn V*** A",
                    received_at="2026-11-25T08:10:00+07:00",
                    due_at="2026-11-27T17:00:00+07:00",
                    status="ready",
                    late=False,
                ),
            )

        def failed() -> None:
            self.code = "000.00.06.H56-231027-9999"
            self.state = "searching"
            self.show(self.code, LookupFailure.OFFLINE)

        return {"": typing, "found": found, "failed": failed}


def _date(iso: str) -> str:
    """'2026-11-27T17:00:00+07:00' → '27/11/2026' (as on the receipt)."""
    if len(iso) < 10:
        return iso
    year, month, day = iso[:10].split("-")
    return f"{day}/{month}/{year}"
