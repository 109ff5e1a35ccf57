"""Sub-commands of the `kiosk` command, one module per group. Each module has
`register(subparsers)`; kiosk/cli.py lists the modules. Helpers here turn the global options
into the objects the commands need, the same way for every command."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from kiosk import config, store
from kiosk.catalogue.store import ensure_search_index


def state_dir(args: argparse.Namespace) -> Path:
    return Path(args.state_dir) if getattr(args, "state_dir", None) else store.default_state_dir()


def load_config(args: argparse.Namespace, overrides: dict[str, Any] | None = None) -> config.Loaded:
    site = Path(args.config) if getattr(args, "config", None) else None
    return config.load(site_file=site, state_dir=state_dir(args), overrides=overrides)


def open_db(args: argparse.Namespace) -> sqlite3.Connection:
    db = store.open_state(state_dir(args))
    ensure_search_index(db)  # search rows written by an older release are refilled once
    return db


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
