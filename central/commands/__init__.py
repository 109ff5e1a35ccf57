"""Sub-commands of `kiosk-central`, one module per group, each with `register(subparsers)`;
central/cli.py lists the modules (COMMAND_MODULES), so a new group is one new module."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from central.store.contract import CentralStore
from central.store.open import is_postgres, sqlite_path
from central.store.open import open_store as open_url

DEFAULT_DB = "central.db"
DB_HELP = (
    "the store: sqlite:///path/central.db (or a path) or postgresql://user@host:port/database "
    "(default $KIOSK_CENTRAL_DB, else ./central.db; a PostgreSQL password may come from "
    "$KIOSK_CENTRAL_DB_PASSWORD)"
)
RELEASES_HELP = (
    "releases directory, shared by every instance (default $KIOSK_CENTRAL_RELEASES, else releases/ "
    "beside a SQLite database; required with PostgreSQL)"
)


class CommandError(Exception):
    """A command that cannot do what was asked; the message is shown as is."""


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("KIOSK_CENTRAL_DB", DEFAULT_DB),
        help=DB_HELP,
    )


_opened: list[CentralStore] = []


def open_store(args: argparse.Namespace, *, migrate: bool = True) -> CentralStore:
    """The store `--db` names (a bad URL or an unreachable database: StoreError, one line);
    closed by `close_stores` when the command ends."""
    store = open_url(args.db, migrate=migrate)
    _opened.append(store)
    return store


def close_stores() -> None:
    while _opened:
        _opened.pop().close()


def releases_dir(args: argparse.Namespace) -> Path:
    """Where release bundles are: `--releases`, $KIOSK_CENTRAL_RELEASES, else beside a SQLite
    database. Several instances on PostgreSQL must all read one directory (NFS or the like),
    so there it has to be named."""
    chosen = getattr(args, "releases", None) or os.environ.get("KIOSK_CENTRAL_RELEASES")
    if chosen:
        return Path(chosen)
    if is_postgres(args.db):
        raise CommandError("--releases (or $KIOSK_CENTRAL_RELEASES) is needed with a PostgreSQL store")
    return sqlite_path(args.db).resolve().parent / "releases"


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
