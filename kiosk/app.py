"""The Kivy App: builds the services once, hands them to each screen, locks the kiosk down.

Nothing else lives here: what a screen does is in kiosk/screens/, what the kiosk does is in the
core modules. This module and kiosk/screens/ are the only ones that import Kivy.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.i18n import translate
from kiosk.services import Services, build_services

log = logging.getLogger("kiosk.app")
REST_BEFORE_EXIT_S = 5.0

# Kivy reads its settings when first imported, so the environment is set before any kivy import
# (see configure_kivy); the names below are imported lazily inside functions for that reason.


def configure_kivy(settings: Any, state_dir: Path, windowed: bool, size: str | None) -> tuple[int, int]:
    """Set Kivy's Config from our settings; must run before kivy.core.window is imported."""
    os.environ.setdefault("KIVY_HOME", str(state_dir / "kivy"))  # not ~/.kivy: state stays in one place
    Path(os.environ["KIVY_HOME"]).mkdir(parents=True, exist_ok=True)  # Kivy's own mkdir has no parents
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # Kivy's own mode swallows sys.stderr into its logger; ours logs to stderr (journald).
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")
    if not os.environ.get("SDL_VIDEODRIVER") and not _has_display():
        # No X, no Wayland, no KMS device: render offscreen (CI, SSH, screenshots).
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    width, height = (int(v) for v in (size or settings.ui.size).split("x"))
    fullscreen = settings.ui.fullscreen and not windowed
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "rotation", str(settings.ui.rotation))
    Config.set("graphics", "show_cursor", "1" if settings.ui.show_cursor or windowed else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "multisamples", "0")  # flat UI: MSAA buffers would cost ~50 MB at 1080p
    Config.set("input", "mouse", "mouse,disable_multitouch")
    return width, height


def _has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or any(Path("/dev/dri").glob("card*"))
    )


def build_app_class() -> type:
    """Define KioskApp once Kivy is configured (defining it imports Kivy)."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.properties import NumericProperty, StringProperty

    from kiosk import __version__
    from kiosk.device import health, sdnotify, ui_commands
    from kiosk.screens import KioskScreenManager, load_screens

    class KioskApp(App):
        lang = StringProperty("vi")
        u = NumericProperty(1.0)  # layout unit: 1 px at a 1080-px short side
        portrait = NumericProperty(1)
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
            width, height = size
            self.u = min(width, height) / 1080
            self.portrait = 1 if height >= width else 0

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
            return key == 27  # Esc (and Android back): swallowed, never leaves the app

        def _touched(self, *_args: Any) -> None:
            self.last_touch = time.monotonic()

        def _check_idle(self, _dt: float) -> None:
            idle = time.monotonic() - self.last_touch
            at_rest = self.sm.current == "home" and self.lang == self.services.settings.ui.default_language
            if at_rest and idle >= REST_BEFORE_EXIT_S and not self.sm.busy():
                self._server_commands()  # nobody at the kiosk for a while: a quiet moment to print
            if at_rest:
                # Nobody touched the home screen for a few seconds: a moment to restart if needed.
                reason = self.restart_reason() if idle >= REST_BEFORE_EXIT_S else None
                if reason:
                    log.info("exiting at an idle moment (%s); systemd starts the UI again", reason)
                    self.stop()
            elif idle >= self.services.settings.ui.idle_timeout_s and not self.sm.busy():
                self.go_home(reset=True)

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
                self.sm.reset_all()
                self.lang = self.services.settings.ui.default_language
            self.sm.go("home")

        # --- systemd ------------------------------------------------------------------------
        def _drawn(self, *_args: Any) -> None:
            Window.unbind(on_draw=self._drawn)
            self.first_frame_at = time.monotonic()
            log.info("first frame drawn")
            driver_up = self.services.printer is not None or not self.services.settings.printer.url
            self._in_background(
                lambda db: health.report_ui_healthy(db, __version__, printer_driver_up=driver_up)
            )
            sdnotify.notify("READY=1")
            interval = sdnotify.watchdog_interval_s()
            if interval:
                self._events.append(
                    Clock.schedule_interval(lambda _dt: sdnotify.notify("WATCHDOG=1"), interval)
                )
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
            self.sm.shutdown()

    return KioskApp


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


def create_app(services: Services) -> Any:
    return build_app_class()(services)


def attach_printer(app: Any, services: Services, url: str | None) -> None:
    """Open the ticket printer (when one is configured), watch its status, and tell the screens,
    the database and the server of each change. A printer that is missing at start is a state
    (offline), not a failure: lookup keeps working and tickets resume when it answers."""
    from dataclasses import replace

    settings = services.settings.printer
    if url:
        settings = replace(settings, url=url)
    if not settings.url:
        return  # a lookup-only kiosk: the printer driver and python-escpos stay unloaded (~6 MB)
    from kivy.clock import Clock

    from kiosk.drivers.serial_printer import open_printer
    from kiosk.drivers.status_monitor import PrinterStatusMonitor
    from kiosk.services import record_printer_status

    printer = open_printer(settings)
    monitor = PrinterStatusMonitor(printer, settings.status_poll_s)

    def changed(status: Any) -> None:  # on the monitor's or the worker's thread
        services.printer_status = status
        if services.worker is not None:
            moment = services.clock.now().astimezone(services.timezone)
            services.worker.submit(lambda db: record_printer_status(db, status, moment), lambda *_: None)
        Clock.schedule_once(lambda _dt: app.sm.printer_changed(), 0)

    monitor.add_listener(changed)
    printer.add_listener(changed)
    services.printer = printer
    services.closers += [printer.close, monitor.stop]
    monitor.start()


def attach_scanner(app: Any, services: Services) -> None:
    """Start the serial QR/barcode scanner when one is configured; codes go to the app."""
    if not services.settings.scanner.url:
        return
    from kivy.clock import Clock

    from kiosk.drivers.scanner import Scanner

    scanner = Scanner(
        services.settings.scanner.url,
        lambda code: Clock.schedule_once(lambda _dt: app.scanned(code), 0),
        baudrate=services.settings.scanner.baudrate,
    )
    services.closers.append(scanner.stop)
    scanner.start()


def run(args: argparse.Namespace, prepare: Callable[[Any], None] | None = None) -> int:
    """`kiosk run`: load settings, configure Kivy, build the services and the app, run it."""
    from kiosk.commands import load_config, state_dir

    loaded = load_config(args)
    configure_kivy(
        loaded.settings,
        state_dir(args),
        getattr(args, "windowed", False),
        getattr(args, "size", None),
    )
    services = build_services(loaded.settings, state_dir(args))
    services.site_file = loaded.site_file
    app = create_app(services)
    attach_printer(app, services, getattr(args, "printer", None))
    attach_scanner(app, services)
    from kivy.clock import Clock

    # systemd stops us with SIGTERM; close requests from the window are refused, this is not.
    signal.signal(signal.SIGTERM, lambda *_a: Clock.schedule_once(lambda _dt: app.stop(), 0))
    if getattr(args, "exit_after", None):
        Clock.schedule_once(lambda _dt: app.stop(), args.exit_after)
    if prepare is not None:
        prepare(app)
    try:
        app.run()
    finally:
        services.close()
    return int(getattr(app, "exit_code", 0))
