"""`kiosk-central operator set|list|remove`: who may log in to the fleet console."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from pathlib import Path

from central.commands import CommandError, add_db_option, open_store
from central.console.passwords import WeakPassword, hash_password
from central.context import utc_now

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def register(sub: argparse._SubParsersAction) -> None:
    op = sub.add_parser("operator", help="fleet console logins (name and password)")
    op_sub = op.add_subparsers(dest="operator_command", required=True, metavar="ACTION")
    put = op_sub.add_parser("set", help="add an operator or change their password (logs them out)")
    put.add_argument("name", help="login name, e.g. lan.nguyen")
    put.add_argument(
        "--password-file",
        help="read the password from this file's first line (else it is asked for, twice)",
    )
    put.set_defaults(handler=set_operator)
    show = op_sub.add_parser("list", help="every operator name")
    show.set_defaults(handler=list_operators)
    remove = op_sub.add_parser("remove", help="remove an operator and end their sessions")
    remove.add_argument("name")
    remove.set_defaults(handler=remove_operator)
    for parser in (put, show, remove):
        add_db_option(parser)


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password; give --password-file")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ; nothing changed")
    return first


def set_operator(args: argparse.Namespace) -> int:
    if not _NAME.match(args.name):
        raise CommandError(f"{args.name!r}: use lower-case letters, digits, '.', '_' or '-'")
    try:
        hashed = hash_password(_password(args))
    except WeakPassword as exc:
        raise CommandError(str(exc)) from None
    open_store(args).set_operator_password(args.name, hashed, utc_now())
    print(f"operator {args.name} may log in to the console at /console/")
    return 0


def list_operators(args: argparse.Namespace) -> int:
    for name in open_store(args).list_operators():
        print(name)
    return 0


def remove_operator(args: argparse.Namespace) -> int:
    if not open_store(args).remove_operator(args.name):
        raise CommandError(f"no operator {args.name!r}")
    print(f"operator {args.name} removed; their sessions ended")
    return 0
