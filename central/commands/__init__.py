"""Sub-commands of `kiosk-central`, one module per group, each with `register(subparsers)`;
central/cli.py lists the modules (COMMAND_MODULES), so a new group is one new module."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from central.store.sqlite import SQLiteStore

DEFAULT_DB = "central.db"


class CommandError(Exception):
    """A command that cannot do what was asked; the message is shown as is."""


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("KIOSK_CENTRAL_DB", DEFAULT_DB),
        help="SQLite database file (default $KIOSK_CENTRAL_DB or ./central.db)",
    )


def open_store(args: argparse.Namespace) -> SQLiteStore:
    return SQLiteStore(args.db)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
