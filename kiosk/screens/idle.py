"""The idle timeout, with a warning first: "Quý khách cần thêm thời gian?" and a countdown,
over whatever the citizen was doing, before the kiosk clears every input and goes home
(invariant 6, privacy). A touch anywhere keeps everything as it was."""

from __future__ import annotations

import math
from typing import Any

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView


class IdleWarning(ModalView):
    """The warning itself (its look is in widgets.kv); `seconds` counts down."""

    seconds = NumericProperty(0)


class IdleWatch:
    """Decides, once a second from the app's idle check, whether to warn, clear, or do nothing."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.warning: IdleWarning | None = None

    def warning_s(self) -> int:
        """How long the warning counts down: the setting, but never more than half the timeout."""
        ui = self.app.services.settings.ui
        return min(ui.idle_warning_s, ui.idle_timeout_s // 2)

    def check(self, idle_s: float) -> None:
        """`idle_s` seconds since the last touch, away from the resting home screen."""
        timeout = self.app.services.settings.ui.idle_timeout_s
        if idle_s >= timeout:
            self.app.go_home(reset=True)
        elif idle_s >= timeout - self.warning_s() and self.app.sm.current != "home":
            self.show(math.ceil(timeout - idle_s))

    def show(self, seconds: int) -> None:
        if self.warning is None:
            self.warning = IdleWarning()
            self.warning.open(animation=False)
        self.warning.seconds = seconds

    def touched(self) -> bool:
        """Any touch or key: the citizen is still here. True when that touch only took the
        warning away (it must not also press what lies under the warning)."""
        was_showing = self.showing
        self.dismiss()
        return was_showing

    def dismiss(self) -> None:
        if self.warning is not None:
            warning, self.warning = self.warning, None
            warning.dismiss(animation=False)

    @property
    def showing(self) -> bool:
        return self.warning is not None
