"""The Kivy App of the kiosk (`kiosk run`): builds the screens once from the services it is
handed, locks the kiosk down, returns home when idle, restarts at a quiet moment when the agent
or new settings ask, and tells systemd it is alive.

Imported by kiosk/app.py only once Kivy is configured (Kivy reads its settings when first
imported). What a screen does is in its own module here; what the kiosk does is in the core.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk import __version__
from kiosk.device import health, sdnotify, ui_commands
from kiosk.i18n import translate
from kiosk.screens import KioskScreenManager, load_screens
from kiosk.screens.idle import IdleWatch
from kiosk.screens.metrics import LARGER_TEXT_ZOOM, layout_for
from kiosk.services import Services

log = logging.getLogger("kiosk.app")
REST_BEFORE_EXIT_S = 5.0


class KioskApp(App):
    """The whole UI: one screen manager over the screens, the language, the layout unit, and
    the shell's jobs, grouped below (building, lock-down and idle, systemd)."""

    lang = StringProperty("vi")
    # The layout unit (kiosk/screens/metrics.py): 1 px at a 1080-px short side, never so small
    # that text or targets fall under their millimetre minimums; larger with "Chữ lớn".
    u = NumericProperty(1.0)
    px_per_mm = NumericProperty(4.0)
    portrait = NumericProperty(1)
    short = BooleanProperty(False)  # under 1000 units tall: the compact header
    narrow = BooleanProperty(False)  # under 1000 units wide: one tile a row
    large_text = BooleanProperty(False)  # the citizen's "Chữ lớn", until the idle reset
    clock_text = StringProperty("")
    date_text = StringProperty("")

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.title = services.settings.site.name
        self.lang = services.settings.ui.default_language
        self.last_touch = time.monotonic()
        self.first_frame_at: float | None = None
        self._commands_running = False
        self.on_first_frame: list[Callable[[KioskApp], None]] = []
        self.use_kivy_settings = False
        self._events: list[Any] = []
        self.display: Any = None  # kiosk.device.display_size.DisplaySize, once the window exists

    # --- building -------------------------------------------------------------------
    def build(self) -> Any:
        from kiosk.device import log_ring
        from kiosk.screens.tech_gesture import CornerGesture

        health.report_ui_started(self.services.db, __version__)
        self.settings_stamp = _settings_stamp(self.services)
        self.built_with = self.services.settings  # the technician's screen replaces services'
        log_ring.install()  # the technician log screen's last lines
        load_screens()
        self.sm = KioskScreenManager(self.services)
        self.tech_gesture = CornerGesture(self).attach()
        self.idle = IdleWatch(self)
        self.sm.bind(current=self._screen_changed)
        Window.bind(size=self._resized)
        self._resized(Window, Window.size)
        self._tick(0)
        self._lock_down()
        self._events += [
            Clock.schedule_interval(self._tick, 1.0),
            Clock.schedule_interval(self._check_idle, 1.0),
        ]
        Window.bind(on_draw=self._drawn)
        return self.sm

    def open_settings(self, *_args: Any) -> bool:
        return False  # Kivy opens its settings panel on F1; a citizen must never see it

    def tr(self, key: str, lang: str | None = None, **values: Any) -> str:
        """A UI string; kv rules pass app.lang so they update on a language switch."""
        return translate(lang or self.lang, key, **values)

    def _resized(self, _window: Any, size: tuple[int, int]) -> None:
        from kiosk.device.display_size import display_size

        width, height = size
        if self.display is None or self.display.source == "guess":
            self.display = display_size(width, height, self.services.settings.ui.display_diagonal_in)
        self.px_per_mm = self.display.px_per_mm(width, height)
        layout = layout_for(width, height, self.px_per_mm, LARGER_TEXT_ZOOM if self.large_text else 1.0)
        self.u = layout.u
        self.portrait = 1 if layout.portrait else 0
        self.short = layout.short
        self.narrow = layout.narrow

    def on_large_text(self, _app: Any, _large: bool) -> None:
        if Window is not None:
            self._resized(Window, Window.size)

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text

    def _tick(self, _dt: float) -> None:
        from kiosk.i18n import format_date, format_time

        now = self.services.now()
        self.clock_text = format_time(now)
        self.date_text = format_date(now, self.lang)

    def on_lang(self, _app: Any, _lang: str) -> None:
        self._tick(0)

    def toggle_language(self) -> None:
        languages = list(self.services.settings.ui.languages)
        index = languages.index(self.lang) if self.lang in languages else -1
        self.lang = languages[(index + 1) % len(languages)]

    # --- lock-down and idle -------------------------------------------------------------
    def _lock_down(self) -> None:
        Window.bind(on_request_close=lambda *_a, **_k: True)  # refuse every close request
        Window.bind(on_keyboard=self._on_keyboard)
        Window.bind(on_touch_down=self._touched)
        Window.bind(on_key_down=self._touched)

    def _on_keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        self._touched()
        return bool(key == 27)  # Esc (and Android back): swallowed, never leaves the app

    def _touched(self, *_args: Any) -> bool:
        self.last_touch = time.monotonic()
        return self.idle.touched()

    def at_rest(self) -> bool:
        """Home, in the default language, normal text: nothing of a citizen's left to clear."""
        default = self.sm.current == "home" and self.lang == self.services.settings.ui.default_language
        return default and not self.large_text

    def _check_idle(self, _dt: float) -> None:
        idle = time.monotonic() - self.last_touch
        at_rest = self.at_rest()
        if at_rest and idle >= REST_BEFORE_EXIT_S and not self.sm.busy():
            self._server_commands()  # nobody at the kiosk for a while: a quiet moment to print
        if at_rest:
            # Nobody touched the home screen for a few seconds: a moment to restart if needed.
            reason = self.restart_reason() if idle >= REST_BEFORE_EXIT_S else None
            if reason:
                log.info("exiting at an idle moment (%s); systemd starts the UI again", reason)
                self.stop()
        elif not self.sm.busy():
            self.idle.check(idle)  # a warning with a countdown, then home with every input cleared

    def _server_commands(self) -> None:
        """Run what the agent handed over from the server (a test page, a reprint) on the
        worker thread, while the home screen is idle (kiosk/device/ui_commands.py)."""
        services = self.services
        if self._commands_running or services.worker is None:
            return
        self._commands_running = True
        moment = services.now()  # on this thread: it reads the clock offset through services.db

        def job(db: Any) -> Any:
            return ui_commands.run_pending(db, services.settings, services.printer, moment)

        def done(ran: Any, _error: BaseException | None) -> None:
            self._commands_running = False
            for command_id, ok, detail in ran or []:
                log.info("server command %s: %s (%s)", command_id, "done" if ok else "failed", detail)

        services.worker.submit(job, done)

    def restart_reason(self) -> str | None:
        """Why the UI should restart now: the agent asked (an update), or the settings the
        server pushed changed (screens are built from the settings once)."""
        asked = health.exit_requested(self.services.db)
        if asked:
            return f"as the agent asked: {asked}"
        stamp = _settings_stamp(self.services)
        if stamp == self.settings_stamp:
            return None
        if not _settings_differ(self.services, self.built_with):
            # Rewritten to the same effect (the agent's first pass writes version 0 with no
            # settings): nothing to rebuild, and a restart would cost a citizen a second.
            self.settings_stamp = stamp
            return None
        if stamp[0] != self.settings_stamp[0]:
            return "the server pushed new settings"
        return "the technician saved printer settings"

    def _screen_changed(self, _sm: Any, current: str) -> None:
        """Tell the agent whether a citizen is mid-flow (no update restarts the UI then)."""
        if current == "home":
            self._in_background(lambda db: health.clear_busy(db))
        else:
            self._in_background(lambda db: health.set_busy(db, f"screen {current}"))

    def _in_background(self, job: Callable[[Any], None]) -> None:
        """Small writes go to the worker thread: an fsync on an SD card can take 50 ms."""
        if self.services.worker is not None:
            self.services.worker.submit(job, lambda *_: None)

    def scanned(self, code: str) -> None:
        """A code from the QR/barcode scanner: to the screen that wants it, else the dossier."""
        self._touched()
        screen = self.sm.current_screen
        if hasattr(screen, "scanned"):
            screen.scanned(code)
        elif self.sm.available("dossier"):
            self.sm.go("dossier", code=code)

    def go_home(self, reset: bool = False) -> None:
        """Back to the home screen; with reset, every input cleared and the default language."""
        if reset:
            self.idle.dismiss()
            self.sm.reset_all()
            self.lang = self.services.settings.ui.default_language
            self.large_text = False
        self.sm.go("home")

    # --- systemd ------------------------------------------------------------------------
    def _drawn(self, *_args: Any) -> None:
        Window.unbind(on_draw=self._drawn)
        self.first_frame_at = time.monotonic()
        log.info("first frame drawn")
        driver_up = self.services.printer is not None or not self.services.settings.printer.url
        self._in_background(lambda db: health.report_ui_healthy(db, __version__, printer_driver_up=driver_up))
        sdnotify.notify("READY=1")
        interval = sdnotify.watchdog_interval_s()
        if interval:
            self._events.append(Clock.schedule_interval(lambda _dt: sdnotify.notify("WATCHDOG=1"), interval))
        for callback in self.on_first_frame:
            Clock.schedule_once(lambda _dt, cb=callback: cb(self), 0)

    def shutdown(self) -> None:
        """Cancel this app's clock events (tests build several apps in one process)."""
        for event in self._events:
            event.cancel()
        self._events.clear()
        Window.unbind(on_keyboard=self._on_keyboard)
        Window.unbind(on_touch_down=self._touched)
        Window.unbind(on_key_down=self._touched)
        Window.unbind(size=self._resized)
        self.tech_gesture.detach()
        self.idle.dismiss()
        self.sm.shutdown()


def _settings_stamp(services: Services) -> tuple[float | None, float | None]:
    """When the server's and the technician's settings files last changed."""
    from kiosk.technician.settings import settings_stamp

    return settings_stamp(services.state_dir)


def _settings_differ(services: Services, built_with: Any) -> bool:
    """Whether the settings files now add up to other settings than the screens were built with
    (read only when a file changed; a layer that does not load counts as a change: restarting
    is the safe side, and this runs in the UI's idle check, which must not raise)."""
    from kiosk import config

    try:
        now = config.load(site_file=services.site_file, state_dir=services.state_dir).settings
    except Exception as exc:  # noqa: BLE001 - any failure: restart, as before this check
        log.warning("settings files changed and do not load (%s); restarting to read them", exc)
        return True
    return bool(now != built_with)
