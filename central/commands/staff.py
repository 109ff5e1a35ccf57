"""`kiosk-central staff set|list|remove` (counter officers of a site, who sign in at /counter/)
and `kiosk-central voice build|check` (the announcements' voice pack)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import cast

from central.calling.voice.pack import DEFAULT_PACK, check_pack
from central.commands import CommandError, add_db_option, open_store, print_json
from central.commands.operators import _password
from central.console.passwords import WeakPassword, hash_password
from central.context import utc_now
from central.store.calling import CallingStore

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def register(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="counter officers of a site (name, role, password)")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    put = staff_sub.add_parser("set", help="add an officer or change their role or password (signs them out)")
    put.add_argument("name", help="login name, e.g. hoa.tran")
    put.add_argument("--site", required=True, help="the office, e.g. me-linh-xa")
    put.add_argument("--role", choices=["officer", "supervisor"], default="officer")
    put.add_argument(
        "--password-file", help="read the password from this file's first line (else asked twice)"
    )
    put.set_defaults(handler=set_staff)
    show = staff_sub.add_parser("list", help="officers, of one site or all")
    show.add_argument("--site")
    show.set_defaults(handler=list_staff)
    remove = staff_sub.add_parser("remove", help="remove an officer and end their sessions")
    remove.add_argument("name")
    remove.add_argument("--site", required=True)
    remove.set_defaults(handler=remove_staff)
    for parser in (put, show, remove):
        add_db_option(parser)
    services = sub.add_parser("services", help="set a site's services and counters from a kiosk.toml")
    services.add_argument("site")
    services.add_argument(
        "--from", dest="source", type=Path, required=True, help="a kiosk.toml with [[queue.services]]"
    )
    services.add_argument("--ticket-qr-url", help="e.g. https://SERVER/p/{day}/{ticket}/{token}")
    services.set_defaults(handler=set_services)
    add_db_option(services)
    voice = sub.add_parser("voice", help="the voice pack the lobby display announces calls with")
    voice_sub = voice.add_subparsers(dest="voice_command", required=True, metavar="ACTION")
    build = voice_sub.add_parser("build", help="make the default pack offline (espeak-ng and sox)")
    build.add_argument("--out", type=Path, default=DEFAULT_PACK)
    build.set_defaults(handler=build_voice)
    check = voice_sub.add_parser("check", help="say what a pack lacks (missing segments, wrong format)")
    check.add_argument("dir", type=Path, nargs="?", default=DEFAULT_PACK)
    check.set_defaults(handler=check_voice)


def _staff_store(args: argparse.Namespace) -> CallingStore:
    """The store's calling part, where staff accounts live (central/store/calling.py)."""
    return cast(CallingStore, open_store(args))


def set_staff(args: argparse.Namespace) -> int:
    if not _NAME.match(args.name):
        raise CommandError(f"{args.name!r}: use lower-case letters, digits, '.', '_' or '-'")
    try:
        hashed = hash_password(_password(args))
    except WeakPassword as exc:
        raise CommandError(str(exc)) from None
    _staff_store(args).set_staff(args.site, args.name, args.role, hashed, utc_now())
    print(f"{args.role} {args.name} of {args.site} may sign in at /counter/")
    return 0


def list_staff(args: argparse.Namespace) -> int:
    members = _staff_store(args).list_staff(args.site)
    print_json([{"site": m.site_id, "name": m.name, "role": m.role} for m in members])
    return 0


def remove_staff(args: argparse.Namespace) -> int:
    if not _staff_store(args).remove_staff(args.site, args.name):
        raise CommandError(f"no officer {args.name!r} at {args.site!r}")
    print(f"{args.name} removed from {args.site}; their sessions ended")
    return 0


def set_services(args: argparse.Namespace) -> int:
    """The site's settings layer gets `queue.services` (and the QR link): the kiosks print from
    it, the counters and the display call from it."""
    import tomllib

    try:
        services = tomllib.loads(args.source.read_text(encoding="utf-8"))["queue"]["services"]
    except (KeyError, tomllib.TOMLDecodeError) as exc:
        raise CommandError(f"{args.source}: no [[queue.services]] ({exc})") from None
    store = open_store(args)
    layer, _ = store.config_layers(args.site, "")
    settings = dict(layer.settings) if layer else {}
    queue = dict(settings.get("queue", {}))
    queue["services"] = services
    if args.ticket_qr_url:
        queue["ticket_qr_url"] = args.ticket_qr_url
    settings["queue"] = queue
    version = store.set_config("site", args.site, settings)
    print(f"site {args.site}: {len(services)} services, settings version {version}")
    return 0


def build_voice(args: argparse.Namespace) -> int:
    from central.calling.voice.generate import ToolMissing, build_pack

    try:
        written = build_pack(args.out)
    except ToolMissing as exc:
        raise CommandError(str(exc)) from None
    print(f"{len(written)} segments written to {args.out}")
    return 0


def check_voice(args: argparse.Namespace) -> int:
    problems = check_pack(args.dir)
    for problem in problems:
        print(problem)
    if problems:
        raise CommandError(f"{args.dir}: {len(problems)} problems")
    print(f"{args.dir}: every segment is there")
    return 0
