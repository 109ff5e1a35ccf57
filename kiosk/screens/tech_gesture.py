"""The hidden way into technician mode: five taps within three seconds in the top-left corner
(120 × 120 px at 1080p), which is the site's name in the header on every screen, never a control.
Touches pass through untouched, so citizens' screens behave exactly as without it."""

from __future__ import annotations

import time
from typing import Any

from kivy.core.window import Window

from kiosk.technician.pin import CornerTaps

CORNER_PX = 120  # × app.u
PIN_SCREEN = "tech_pin"


class CornerGesture:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.taps = CornerTaps()

    def attach(self) -> CornerGesture:
        Window.bind(on_touch_down=self._down)
        return self

    def detach(self) -> None:
        Window.unbind(on_touch_down=self._down)

    def _down(self, window: Any, touch: Any) -> bool:
        size = CORNER_PX * self.app.u
        in_corner = touch.x <= size and touch.y >= window.height - size
        manager = self.app.sm
        if (
            self.taps.tap(in_corner, time.monotonic())
            and not manager.current.startswith("tech_")
            and manager.available(PIN_SCREEN)
        ):
            manager.go(PIN_SCREEN)
        return False  # never swallow the touch
