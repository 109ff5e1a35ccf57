"""`kiosk-central dossiers import FILE`: statuses for the default dossier source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from central.api.dossiers import DossierImportError, check_rows, read_file
from central.commands import CommandError, add_db_option, open_store
from central.context import utc_now


def register(sub: argparse._SubParsersAction) -> None:
    dos = sub.add_parser("dossiers", help="dossier statuses citizens look up")
    dos_sub = dos.add_subparsers(dest="dossiers_command", required=True, metavar="ACTION")
    imp = dos_sub.add_parser("import", help="import a JSON or CSV file of dossiers")
    imp.add_argument("file", type=Path)
    imp.add_argument("--replace", action="store_true", help="drop every dossier not in the file")
    add_db_option(imp)
    imp.set_defaults(handler=import_file)


def import_file(args: argparse.Namespace) -> int:
    try:
        records = check_rows(read_file(args.file))
    except DossierImportError as exc:
        for where, problem in exc.errors:
            print(f"{args.file}: {where}: {problem}", file=sys.stderr)
        raise CommandError(f"{args.file}: nothing imported; {exc}") from None
    count = open_store(args).import_dossiers(records, args.replace, utc_now())
    print(f"imported {count} dossiers" + (" (the others were removed)" if args.replace else ""))
    return 0
