"""The UI's composition root (`kiosk run`, `kiosk screenshot`): configures Kivy from the
settings, builds the services once, chooses the concrete printer and scanner drivers, and runs
the App (kiosk/screens/kiosk_app.py, imported once Kivy is configured).

What a screen does is in kiosk/screens/, what the kiosk does is in the core modules. This module
and kiosk/screens/ are the only ones that import Kivy.
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.services import Services, build_services

# Kivy reads its settings when first imported, so the environment is set before any kivy import
# (see configure_kivy); Kivy and the App are imported lazily inside functions for that reason.


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


def create_app(services: Services) -> Any:
    """The KioskApp for these services; call after configure_kivy (defining it imports Kivy)."""
    from kiosk.screens.kiosk_app import KioskApp

    return KioskApp(services)


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

    from kiosk.drivers.ports import open_printer
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
    from kiosk.config import load_config, state_dir

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
