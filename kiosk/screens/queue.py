"""Take a number, step 1: the services, each a big button with its counters and the wait.
A tap prints at once (two taps from home); "Ưu tiên" beside a service adds one tap."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.config import Service
from kiosk.queue import numbering as queue
from kiosk.queue import waiting
from kiosk.screens import KioskScreen


class ServiceRow(BoxLayout):
    """One service: the big button (name, counters, wait or why it is closed) and, where the
    service takes them, the priority button."""

    service_id = StringProperty("")
    name = StringProperty("")
    counters = StringProperty("")
    info_key = StringProperty("")
    hours = StringProperty("")
    people = StringProperty("")
    minutes = StringProperty("")
    serving = StringProperty("")  # "Đang phục vụ: A012", from the server's fresh figures
    available = BooleanProperty(True)
    priority = BooleanProperty(False)
    screen: Any = None


class QueueScreen(KioskScreen):
    """The service picker."""

    def on_pre_enter(self, *_args: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows: availability and waiting are read now (indexed, milliseconds)."""
        rows = self.ids.rows
        rows.clear_widgets()
        now = self.services.now()
        language = self._language()
        for service in self.services.settings.queue.services:
            rows.add_widget(self._row(service, now, language))
        self.ids.none.opacity = 0 if self.services.settings.queue.services else 1

    def _language(self) -> str:
        from kivy.app import App

        app = App.get_running_app()
        return str(app.lang) if app else "vi"

    def _row(self, service: Service, now: Any, language: str) -> ServiceRow:
        db = self.services.db
        state = queue.availability(db, self.services.settings, service, now)
        row = ServiceRow(
            service_id=service.id,
            name=(service.name_en or service.name) if language == "en" else service.name,
            counters=", ".join(service.counters),
            available=state.open,
            priority=service.priority and state.open,
            hours=", ".join(s.replace("-", "–") for s in state.hours_today),
        )
        row.screen = self
        if not state.open:
            reason = state.reason or "closed"
            row.info_key = (
                "queue.reason.closed_today"
                if reason == "closed" and not state.hours_today
                else f"queue.reason.{reason}"
            )
            return row
        day = queue.site_day(now, self.services.settings.site.day_start).isoformat()
        wait = waiting.estimate(db, service, now, day)
        serving = waiting.serving_now(db, service.id, now)
        row.serving = serving or ""
        if wait.known:
            row.people, row.minutes = str(wait.people_ahead), str(wait.wait_minutes)
            row.info_key = (
                "queue.waiting.none"
                if wait.people_ahead == 0
                else "queue.waiting.people"
                if wait.wait_minutes is None
                else ("queue.waiting.live" if wait.live else "queue.waiting.estimate")
            )
        return row

    def take(self, service_id: str, priority: str | None = None) -> None:
        """Print a ticket for the service: on to the ticket screen, which does the work."""
        if self.manager is not None:
            self.manager.go("ticket", service_id=service_id, priority=priority)

    def choose_priority(self, service_id: str) -> None:
        if self.manager is not None:
            self.manager.go("priority", service_id=service_id)

    def shots(self) -> dict[str, Any]:
        return {"": lambda: None}
