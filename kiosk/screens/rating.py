"""Rate the service: optionally the counter that served, then one of three big answers; thanks,
and back home. The rating goes to the outbox (rating.submitted) on the worker thread."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import ListProperty, OptionProperty, StringProperty

from kiosk.queue.ratings import record_rating
from kiosk.screens import KioskScreen


class RatingScreen(KioskScreen):
    state = OptionProperty("asking", options=["asking", "saving", "thanks", "failed"])
    counter = StringProperty("")
    counters = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._home_event: Any = None

    def _all_counters(self) -> list[str]:
        seen: list[str] = []
        for service in self.services.settings.queue.services:
            seen += [c for c in service.counters if c not in seen]
        return seen

    def service_of(self, counter: str) -> str | None:
        for service in self.services.settings.queue.services:
            if counter in service.counters:
                return service.id
        return None

    def on_kv_post(self, _base: Any) -> None:
        from kivy.factory import Factory

        self.counters = self._all_counters()
        for counter in self.counters:
            chip = Factory.CounterChip(group=f"rating-counter-{id(self)}")
            chip.counter = counter  # a kv-declared property: set after construction
            chip.bind(on_release=lambda c: self.toggle_counter(c.counter))
            self.ids.chips.add_widget(chip)

    def on_counter(self, *_args: Any) -> None:
        for chip in self.ids.chips.children:
            chip.state = "down" if chip.counter == self.counter else "normal"

    def toggle_counter(self, counter: str) -> None:
        self.counter = "" if self.counter == counter else counter

    def rate(self, score: int) -> None:
        if self.state != "asking":
            return
        self.state = "saving"
        services, counter = self.services, self.counter or None
        service = self.service_of(counter) if counter else None

        def job(db: Any) -> str:
            return record_rating(db, score, service, counter, services.now())

        def done(_event_id: Any, error: BaseException | None) -> None:
            Clock.schedule_once(lambda _dt: self._saved(error is None), 0)

        if services.worker is not None:
            services.worker.submit(job, done)

    def _saved(self, ok: bool) -> None:
        if self.state != "saving":
            return
        self.state = "thanks" if ok else "failed"
        if ok:
            self._cancel_home()
            self._home_event = Clock.schedule_once(
                lambda _dt: self._go_home(), self.services.settings.ui.done_return_s
            )
        else:
            Clock.schedule_once(lambda _dt: setattr(self, "state", "asking"), 3)

    def _go_home(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.manager.go("home")

    def _cancel_home(self) -> None:
        if self._home_event is not None:
            self._home_event.cancel()
            self._home_event = None

    def on_pre_enter(self, *_args: Any) -> None:
        self.reset()

    def reset(self) -> None:
        self._cancel_home()
        self.state = "asking"
        self.counter = ""

    def shutdown(self) -> None:
        self._cancel_home()

    def shots(self) -> dict[str, Any]:
        def chosen() -> None:
            self.counter = self.counters[0] if self.counters else ""

        def thanks() -> None:
            self.state = "thanks"

        return {"": chosen, "thanks": thanks}
