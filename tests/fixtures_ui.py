"""The real Kivy app, headless, in this process, driven by touch events through Kivy's own input
queue. Kivy allows one window per process: it is created once and each test gets a fresh app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import config
from tests.fixtures_core import DEMO_CONFIG


class UIDriver:
    """Taps, keys and frames for one app under test."""

    def __init__(self, app: Any) -> None:
        from kivy.base import EventLoop

        self.app = app
        self.loop = EventLoop
        self.window = EventLoop.window

    def pump(self, seconds: float = 0.0, frames: int = 2) -> None:
        """Run the event loop for at least `frames` frames and `seconds` seconds."""
        end = time.monotonic() + seconds
        for _ in range(frames):
            self.loop.idle()
        while time.monotonic() < end:
            self.loop.idle()

    def until(self, condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
        """Pump frames until `condition()` holds; fail with a clear message after the timeout."""
        end = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > end:
                raise AssertionError(f"condition not met within {timeout_s} s: {condition}")
            self.loop.idle()

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(frames=1)
        touch.touch_up()
        self.pump(frames=2)

    def tap(self, widget: Any) -> None:
        """Touch the centre of a widget, as a finger would (through the window)."""
        assert widget.get_root_window() is not None, f"{widget} is not on screen"
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y)

    def key(self, keycode: int, text: str | None = None) -> bool:
        """A physical key press; returns True when something consumed it."""
        handled = self.window.dispatch("on_key_down", keycode, 0, text, [])
        handled = self.window.dispatch("on_keyboard", keycode, 0, text, []) or handled
        self.window.dispatch("on_key_up", keycode, 0)
        self.pump(frames=1)
        return bool(handled)

    def find(self, predicate: Callable[[Any], bool], root: Any = None) -> list[Any]:
        root = root or self.app.sm.current_screen
        return [w for w in root.walk(restrict=True) if predicate(w)]

    def find_text(self, text: str) -> Any:
        """The widget showing exactly this text on the current screen (labels and tiles)."""
        hits = self.find(lambda w: getattr(w, "text", None) == text)
        assert hits, f"nothing shows {text!r} on {self.app.sm.current}"
        return hits[0]

    def texts(self) -> list[str]:
        return [w.text for w in self.find(lambda w: isinstance(getattr(w, "text", None), str)) if w.text]


@pytest.fixture
def app_factory(state_dir: Path) -> Iterator[Callable[..., UIDriver]]:
    """Build the app on the demo site (or given settings) and return a driver for it."""
    from kiosk.app import configure_kivy, create_app
    from kiosk.services import build_services

    made: list[Any] = []

    def make(
        settings: config.Settings | None = None,
        services: Any = None,
        size: str = "1080x1920",
        printer_url: str | None = None,
    ) -> UIDriver:
        settings = settings or config.load(site_file=DEMO_CONFIG, state_dir=state_dir).settings
        configure_kivy(settings, state_dir, windowed=True, size=size)
        from kivy.core.window import Window

        Window.size = tuple(int(v) for v in size.split("x"))
        if services is None:
            services = build_services(settings, state_dir)
            services.site_file = (
                DEMO_CONFIG  # as `kiosk run --config` records it: every app here is the demo site
            )
        app = create_app(services)
        if settings.ui.display_diagonal_in == 0:
            # A small test window (540×960 is fast) stands for a 21.5-inch 1080×1920 monitor
            # drawn smaller, not for a 7-inch panel: tests of physical sizes say their display.
            from kiosk.device.display_size import DisplaySize

            width, height = (int(v) for v in size.split("x"))
            app.display = DisplaySize(21.5 * min(width, height) / 1080, "test window")
        app._run_prepare()
        made.append(app)
        if printer_url:
            from kiosk.app import attach_printer

            attach_printer(app, services, printer_url)
        driver = UIDriver(app)
        driver.pump(frames=3)
        return driver

    yield make
    from kivy.core.window import Window

    for app in made:
        app.dispatch("on_stop")  # kv's `app` proxy caches the running app until on_stop
        app.shutdown()
        Window.remove_widget(app.root)
        app.services.close()
