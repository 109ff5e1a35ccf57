"""`kiosk set-pin`: set the technician PIN as a salted scrypt hash in the state directory
(file `technician-pin`, mode 0600), which takes precedence over `technician.pin_hash`."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.config import state_dir
from kiosk.errors import ConfigError
from kiosk.technician import pin as technician


def register(sub: argparse._SubParsersAction) -> None:
    pin = sub.add_parser(
        "set-pin",
        help="set the technician PIN (4–12 digits); stored only as a salted scrypt hash",
    )
    pin.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN from the first line of standard input"
    )
    pin.add_argument(
        "--print-hash",
        action="store_true",
        help="only print the hash (for technician.pin_hash pushed by the server); write nothing",
    )
    pin.add_argument(
        "--clear",
        action="store_true",
        help="remove the PIN file: technician.pin_hash from the settings applies again",
    )
    pin.set_defaults(handler=set_pin)


def read_pin(from_stdin: bool) -> str:
    """The new PIN: one line of stdin, or typed twice at a terminal without echo."""
    if from_stdin:
        return technician.check_pin_format(sys.stdin.readline().strip())
    first = technician.check_pin_format(getpass.getpass("New technician PIN (4–12 digits): "))
    if getpass.getpass("Type it again: ") != first:
        raise ConfigError("the two PINs differ; nothing was changed")
    return first


def set_pin(args: argparse.Namespace) -> int:
    where = state_dir(args)
    if args.clear:
        if args.pin_stdin or args.print_hash:
            raise ConfigError("--clear takes no PIN: use it alone")
        removed = technician.clear_pin_file(where)
        print(f"{technician.pin_file(where)}: {'removed' if removed else 'there was none'}")
        return 0
    encoded = technician.hash_pin(read_pin(args.pin_stdin))
    if args.print_hash:
        # For the fleet: the operator pushes this as technician.pin_hash; nothing is written here.
        print(encoded)
        return 0
    path = technician.write_pin_file(where, encoded)
    print(f"technician PIN set ({path}, mode 0600); it takes precedence over technician.pin_hash")
    return 0
