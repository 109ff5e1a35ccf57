"""The `kiosk-central` command. One sub-command group per module in COMMAND_MODULES; a module
elsewhere (releases, keys) adds its group by being listed here. Errors print one line."""

from __future__ import annotations

import argparse
import importlib
import sys

from central import __version__
from central.commands import CommandError, close_stores
from central.store.contract import StoreError
from kiosk.protocol.errors import KioskError

COMMAND_MODULES = [
    "central.commands.serve",
    "central.commands.sites",
    "central.commands.catalogue",
    "central.commands.dossiers",
    "central.commands.openapi",
    "central.commands.operators",
    "central.commands.release",
    "central.commands.staff",
    "central.commands.store",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-central", description=__doc__)
    parser.add_argument("--version", action="version", version=f"kiosk-central {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CommandError, StoreError, KioskError, OSError, ValueError) as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        close_stores()


if __name__ == "__main__":
    raise SystemExit(main())
