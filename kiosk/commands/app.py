"""`kiosk run` and `kiosk screenshot`: the Kivy app, imported only when asked for."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="start the kiosk UI")
    run.add_argument("--windowed", action="store_true", help="not full screen (development)")
    run.add_argument("--size", help="window size WIDTHxHEIGHT")
    run.add_argument("--exit-after", type=float, metavar="S", help="exit 0 after S seconds")
    run.set_defaults(handler=run_app)


def run_app(args: argparse.Namespace) -> int:
    from kiosk.app import run

    return run(args)
