"""`kiosk-central catalogue publish FILE`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from central.api import catalogue
from central.commands import CommandError, add_db_option, open_store
from central.context import utc_now


def register(sub: argparse._SubParsersAction) -> None:
    cat = sub.add_parser("catalogue", help="procedure catalogues for the kiosks")
    cat_sub = cat.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")
    pub = cat_sub.add_parser("publish", help="publish a kiosk-catalogue/1 JSON file as a new version")
    pub.add_argument("file", type=Path)
    add_db_option(pub)
    pub.set_defaults(handler=publish)


def publish(args: argparse.Namespace) -> int:
    try:
        doc = json.loads(args.file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CommandError(f"{args.file}: not valid JSON: {exc}") from None
    try:
        outcome = catalogue.publish(open_store(args), doc, utc_now())
    except catalogue.InvalidCatalogue as exc:
        for path, problem in exc.problems:
            print(f"{args.file}: {path}: {problem}", file=sys.stderr)
        raise CommandError(f"{args.file}: not published; {len(exc.problems)} problem(s)") from None
    print(
        f"published version {outcome.version}: {outcome.procedures} procedures, "
        f"{outcome.changed} changed, {outcome.deleted} deleted"
    )
    return 0
