"""`kiosk run` and `kiosk screenshot`: the Kivy app, imported only when asked for."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from kiosk import demo_site


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="start the kiosk UI")
    run.add_argument("--windowed", action="store_true", help="not full screen (development)")
    run.add_argument("--size", help="window size WIDTHxHEIGHT")
    run.add_argument("--exit-after", type=float, metavar="S", help="exit 0 after S seconds")
    run.add_argument("--printer", help="printer URL, overriding printer.url")
    run.set_defaults(handler=run_app)

    shot = sub.add_parser("screenshot", help="render screens to PNG headless, on demo data")
    shot.add_argument(
        "--screen",
        action="append",
        required=True,
        help="screen (or screen-variant) name; repeat, or 'all'",
    )
    shot.add_argument(
        "--lang",
        action="append",
        choices=["vi", "en"],
        help="language; repeat for both (default: vi)",
    )
    shot.add_argument("--size", default="1080x1920", help="WIDTHxHEIGHT (default 1080x1920)")
    shot.add_argument("--out", default="docs/screenshots", help="output directory")
    shot.set_defaults(handler=screenshot)


def run_app(args: argparse.Namespace) -> int:
    from kiosk.app import run

    return run(args)


def screenshot(args: argparse.Namespace) -> int:
    """Same code path as `run`, on the demo site in a fresh state dir with the virtual printer
    (as `make run` has it) unless told otherwise."""
    from kiosk.app import run
    from kiosk.drivers.virtual.printer import VirtualPrinter

    with tempfile.TemporaryDirectory(prefix="kiosk-shot-") as tmp:
        printer = VirtualPrinter(Path(tmp) / "printed")
        args.printer = printer.start_pty()
        if not args.config:
            args.config = str(demo_site.DEMO_CONFIG)
        if not args.state_dir:
            args.state_dir = tmp
            demo_site.seed_state(Path(tmp))
        args.windowed = True
        written: list[Path] = []

        def prepare(app: Any) -> None:
            from kiosk.screens.capture import capture

            def finished(paths: list[Path]) -> None:
                written.extend(paths)
                app.stop()

            app.on_first_frame.append(
                lambda a: capture(a, args.screen, args.lang or ["vi"], Path(args.out), finished)
            )

        try:
            code = run(args, prepare=prepare)
        finally:
            printer.stop()
    for path in written:
        print(path)
    return code
