"""The `kiosk` command. Global options, then one sub-command group per module in kiosk/commands/.
Errors the kiosk raises on purpose print one line and exit non-zero, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from kiosk.errors import ConfigError, KioskError

COMMAND_MODULES = (
    "kiosk.commands.app",
    "kiosk.commands.settings",
    "kiosk.commands.ticket",
    "kiosk.commands.catalogue",
    "kiosk.commands.printer",
    "kiosk.commands.release",
    "kiosk.commands.sync",
    "kiosk.commands.doctor",
    "kiosk.commands.technician",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument("--config", help="site settings file (default /etc/kiosk/kiosk.toml)")
    parser.add_argument("--state-dir", help="state directory (default $KIOSK_STATE_DIR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("KIOSK_LOG_LEVEL", "INFO").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"kiosk: config error: {exc}", file=sys.stderr)
        return 2
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
