"""`kiosk config show` and `kiosk version`."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk import __version__, config, store
from kiosk.commands import print_json
from kiosk.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    cfg = sub.add_parser("config", help="show the effective settings")
    cfg_sub = cfg.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    show = cfg_sub.add_parser("show", help="every setting with the layer it came from")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_config)
    check = cfg_sub.add_parser("check", help="validate the settings; exit 2 on an error")
    check.set_defaults(handler=check_config)
    ver = sub.add_parser("version", help="software and schema versions")
    ver.set_defaults(handler=version)


def show_config(args: argparse.Namespace) -> int:
    rows = config.describe(load_config(args))
    if args.json:
        print_json([{"key": k, "value": v, "from": src} for k, v, src in rows])
        return 0
    width = max(len(k) for k, _, _ in rows)
    for key, value, source in rows:
        print(f"{key:<{width}} = {json.dumps(value, ensure_ascii=False)}    # {source}")
    return 0


def check_config(args: argparse.Namespace) -> int:
    loaded = load_config(args)
    for warning in loaded.warnings:  # the kiosk runs without that layer: say so, and fail
        print(f"kiosk: config warning: {warning}", file=sys.stderr)
    if loaded.warnings:
        return 1
    print("config ok")
    return 0


def version(args: argparse.Namespace) -> int:
    print(f"kiosk {__version__} (database schema {store.latest_version()})")
    return 0
