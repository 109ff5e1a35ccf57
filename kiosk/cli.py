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


# `kiosk run` starts the UI on a small device: it imports only its own command module, not the
# printer, release and sync tooling the other commands pull in (about 15 MB and 0.2 s).
UI_COMMANDS = {"run": "kiosk.commands.app", "screenshot": "kiosk.commands.app"}
# `kiosk selftest` imports every module itself, one check each: a module that fails to import
# must fail its check, not the command (the updater reports the failed checks by name).
SELFTEST_COMMANDS = {"selftest": "kiosk.commands.release"}
GLOBAL_OPTIONS_WITH_VALUE = ("--config", "--state-dir")


def command_word(argv: list[str]) -> str | None:
    """The sub-command named on the command line, skipping the global options."""
    words = iter(argv)
    for word in words:
        if word in GLOBAL_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument("--config", help="site settings file (default /etc/kiosk/kiosk.toml)")
    parser.add_argument("--state-dir", help="state directory (default $KIOSK_STATE_DIR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in (only,) if only else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("KIOSK_LOG_LEVEL", "INFO").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    words = sys.argv[1:] if argv is None else argv
    only = {**UI_COMMANDS, **SELFTEST_COMMANDS}.get(command_word(words) or "")
    args = build_parser(only).parse_args(words)
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
