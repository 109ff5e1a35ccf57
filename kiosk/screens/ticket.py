"""Take a number, last step: printing, then the number very large with where to go; when the
printer refused the ticket, the number on screen with a clear message (the ticket stays recorded
as unprinted and staff can reprint it); when the ticket went to the printer but was never
confirmed, the number with "check for your ticket; if there is none, tell staff" (it may be out:
only staff reprint it, marked "IN LẠI"). Issuing runs on the worker thread; the UI never waits."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import OptionProperty, StringProperty

from kiosk.errors import QueueError
from kiosk.queue import issuing
from kiosk.queue import numbering as queue
from kiosk.screens import KioskScreen


class TicketScreen(KioskScreen):
    state = OptionProperty("printing", options=["printing", "done", "failed", "unknown", "refused"])
    number = StringProperty("")
    service_name = StringProperty("")
    counters = StringProperty("")
    priority_key = StringProperty("")
    message_key = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._home_event: Any = None
        self.last_outcome: issuing.IssueOutcome | None = None

    def prepare(self, service_id: str, priority: str | None = None) -> None:
        """Start issuing: the number is committed and printed on the worker thread."""
        self._cancel_home()
        self.state = "printing"
        self.number = self.service_name = self.counters = self.priority_key = self.message_key = ""
        services = self.services
        language = self._language()

        def job(db: Any) -> issuing.IssueOutcome:
            now = queue.site_now(services.clock, db, services.timezone)
            return issuing.issue_and_print(
                db, services.settings, services.printer, service_id, now, priority, language
            )

        def done(outcome: issuing.IssueOutcome | None, error: BaseException | None) -> None:
            Clock.schedule_once(lambda _dt: self.show(outcome, error), 0)

        if services.worker is None:
            raise RuntimeError("services were built without a worker")
        services.worker.submit(job, done)

    def show(self, outcome: issuing.IssueOutcome | None, error: BaseException | None) -> None:
        """Put the result on screen (UI thread)."""
        self.last_outcome = outcome
        if outcome is None:
            self.state = "refused"
            reason = error.reason if isinstance(error, QueueError) else ""
            self.message_key = f"queue.reason.{reason}" if reason else "ticket.error"
            self._schedule_home()
            return
        ticket = outcome.ticket
        service = queue.find_service(self.services.settings, ticket.service)
        english = self._language() == "en"
        self.number = ticket.ticket
        self.service_name = (service.name_en or service.name) if english else service.name
        self.counters = ", ".join(service.counters)
        self.priority_key = f"priority.{ticket.priority}" if ticket.priority else ""
        if outcome.printed:
            self.state = "done"
            self._schedule_home()
        else:  # stays until staff come or the idle timeout: the number matters
            self.state = "unknown" if outcome.unknown else "failed"

    def _language(self) -> str:
        from kivy.app import App

        app = App.get_running_app()
        return str(app.lang) if app else "vi"

    def _schedule_home(self) -> None:
        self._cancel_home()
        delay = self.services.settings.ui.done_return_s
        self._home_event = Clock.schedule_once(lambda _dt: self.go_home(), delay)

    def _cancel_home(self) -> None:
        if self._home_event is not None:
            self._home_event.cancel()
            self._home_event = None

    def go_home(self) -> None:
        self._cancel_home()
        if self.manager is not None and self.manager.current == self.name:
            self.manager.go("home")

    def busy(self) -> bool:
        return self.state == "printing" and self.manager is not None and self.manager.current == self.name

    def reset(self) -> None:
        self._cancel_home()
        self.number = self.service_name = self.counters = self.priority_key = self.message_key = ""

    def shutdown(self) -> None:
        self._cancel_home()

    def shots(self) -> dict[str, Any]:
        def pose(state: str, priority: str = "") -> Any:
            def setup() -> None:
                service = self.services.settings.queue.services[0]
                self.state = state
                self.number = f"{service.id}012"
                self.service_name = service.name_en if self._language() == "en" else service.name
                self.counters = ", ".join(service.counters)
                self.priority_key = f"priority.{priority}" if priority else ""
                self.message_key = "queue.reason.daily_limit" if state == "refused" else ""

            return setup

        return {
            "printing": pose("printing"),
            "done": pose("done", "elderly"),
            "failed": pose("failed"),
            "unknown": pose("unknown"),
            "refused": pose("refused"),
        }
