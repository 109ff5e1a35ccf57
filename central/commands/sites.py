"""`kiosk-central site …`, `enroll-code` and `admin-token`: sites, kiosks joining them, and
operators' credentials."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from central.auth import hash_secret, issue_enrollment_code, new_token
from central.commands import CommandError, add_db_option, open_store, print_json
from central.context import utc_now
from central.store.contract import Site


def register(sub: argparse._SubParsersAction) -> None:
    site = sub.add_parser("site", help="offices with kiosks")
    site_sub = site.add_subparsers(dest="site_command", required=True, metavar="ACTION")
    put = site_sub.add_parser("set", help="create or rename a site")
    put.add_argument("id", help="short id, e.g. me-linh-xa")
    put.add_argument("--name", required=True, help="office name, e.g. 'UBND xã Mê Linh'")
    put.add_argument("--timezone", default="Asia/Ho_Chi_Minh")
    put.set_defaults(handler=set_site)
    show = site_sub.add_parser("list", help="every site")
    show.set_defaults(handler=list_sites)
    code = sub.add_parser("enroll-code", help="a single-use code for a new kiosk at a site")
    code.add_argument("--site", required=True)
    code.add_argument("--ttl-hours", type=float, default=24.0, help="valid for (default 24 h)")
    code.set_defaults(handler=enroll_code)
    admin = sub.add_parser("admin-token", help="a new operator token for the admin API")
    admin.add_argument("--name", required=True, help="who or what uses it, e.g. 'console'")
    admin.set_defaults(handler=admin_token)
    for parser in (put, show, code, admin):
        add_db_option(parser)


def set_site(args: argparse.Namespace) -> int:
    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"{args.timezone!r} is not a timezone; use e.g. Asia/Ho_Chi_Minh") from None
    open_store(args).put_site(Site(args.id, args.name, args.timezone))
    print(f"site {args.id}: {args.name} ({args.timezone})")
    return 0


def list_sites(args: argparse.Namespace) -> int:
    print_json([vars(s) for s in open_store(args).list_sites()])
    return 0


def enroll_code(args: argparse.Namespace) -> int:
    store = open_store(args)
    if store.get_site(args.site) is None:
        raise CommandError(f"no site {args.site!r}; create it with `kiosk-central site set`")
    if not 0 < args.ttl_hours <= 720:
        raise CommandError("--ttl-hours must be more than 0 and at most 720")
    code, expires = issue_enrollment_code(store, args.site, int(args.ttl_hours * 3600), utc_now())
    print(code)
    print(
        f"valid once, until {expires.isoformat(timespec='minutes')}; on the kiosk: "
        f"kiosk enroll {code} --server URL"
    )
    return 0


def admin_token(args: argparse.Namespace) -> int:
    token = new_token()
    open_store(args).add_admin_token(hash_secret(token), args.name, utc_now())
    # Shown once: only its hash is kept.
    print(token)
    return 0
