"""Sub-commands of the `kiosk` command, one module per group. Each module has
`register(subparsers)`; kiosk/cli.py lists the modules. Helpers here turn the global options
into the objects the commands need, the same way for every command; reading the settings and the
state directory from them is kiosk/config.py's (`load_config`, `state_dir`)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import Any

from kiosk import store
from kiosk.catalogue.store import ensure_search_index
from kiosk.config import state_dir


def open_db(args: argparse.Namespace) -> sqlite3.Connection:
    db = store.open_state(state_dir(args))
    ensure_search_index(db)  # search rows written by an older release are refilled once
    return db


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
