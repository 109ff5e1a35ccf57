"""The `kiosk-central` command: one sub-command group per module in COMMAND_MODULES, each with
`register(subparsers)`. Errors raised on purpose print one line and exit non-zero."""

from __future__ import annotations

import argparse
import importlib
import sys

from kiosk.errors import KioskError

COMMAND_MODULES = ["central.release_commands"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-central", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KioskError as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
