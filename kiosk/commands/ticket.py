"""`kiosk ticket issue|list|reprint|void`: the screen's own issuing path, for technicians and tests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from zoneinfo import ZoneInfo

from kiosk.commands import open_db, print_json
from kiosk.config import load_config, state_dir
from kiosk.queue import issuing
from kiosk.queue import numbering as queue
from kiosk.services import Services, SystemClock, build_services


def register(sub: argparse._SubParsersAction) -> None:
    ticket = sub.add_parser("ticket", help="issue, list, reprint or void queue tickets")
    actions = ticket.add_subparsers(dest="ticket_command", required=True, metavar="ACTION")
    issue = actions.add_parser("issue", help="issue and print a ticket, as the screen does")
    issue.add_argument("service", help="service id, e.g. A")
    issue.add_argument("--priority", choices=queue.PRIORITIES)
    issue.add_argument("--lang", choices=["vi", "en"], default="vi")
    issue.add_argument("--printer", help="printer URL, overriding printer.url")
    issue.add_argument("--json", action="store_true")
    issue.set_defaults(handler=issue_ticket)
    listing = actions.add_parser("list", help="tickets of a day (default: today)")
    listing.add_argument("--day", help="YYYY-MM-DD")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_tickets)
    again = actions.add_parser("reprint", help="print a ticket again")
    again.add_argument("ticket", help="e.g. A012")
    again.add_argument("--day", help="YYYY-MM-DD (default: the latest)")
    again.add_argument("--printer", help="printer URL, overriding printer.url")
    again.add_argument("--json", action="store_true")
    again.set_defaults(handler=reprint_ticket)
    void = actions.add_parser("void", help="void a ticket; its number is never reused")
    void.add_argument("ticket")
    void.add_argument("--day")
    void.add_argument("--reason", default="")
    void.set_defaults(handler=void_ticket)


@contextmanager
def _services(args: argparse.Namespace) -> Iterator[Services]:
    """The same services the screen uses, with the configured (or --printer) printer opened."""
    from kiosk.drivers.ports import open_printer

    settings = load_config(args).settings
    url = getattr(args, "printer", None) or settings.printer.url
    printer = open_printer(replace(settings.printer, url=url)) if url else None
    services = build_services(settings, state_dir(args), printer=printer)
    if printer is not None:
        services.closers.append(printer.close)
    try:
        yield services
    finally:
        services.close()


def _report(outcome: issuing.IssueOutcome, as_json: bool) -> int:
    if as_json:
        print_json(outcome.to_json())
    else:
        if outcome.printed:
            status = "printed"
        elif outcome.unknown:
            status = f"UNKNOWN whether printed ({outcome.reason}): {UNKNOWN_ADVICE}"
        else:
            status = f"NOT printed ({outcome.reason})"
        print(f"{outcome.ticket.ticket}  {outcome.ticket.day}  {status}")
    return 0 if outcome.printed else 4 if outcome.unknown else 3


UNKNOWN_ADVICE = "sent to the printer, never confirmed; check for the ticket before reprinting"


def issue_ticket(args: argparse.Namespace) -> int:
    """Exit 0 printed, 3 issued but not printed (kept as print_failed), 4 sent to the printer but
    not confirmed (kept as print_unknown: it may be out)."""
    with _services(args) as services:
        outcome = issuing.issue_and_print(
            services.db,
            services.settings,
            services.printer,
            args.service.upper(),
            services.now(),
            args.priority,
            args.lang,
        )
    return _report(outcome, args.json)


def reprint_ticket(args: argparse.Namespace) -> int:
    with _services(args) as services:
        outcome = issuing.reprint(
            services.db, services.settings, services.printer, args.ticket, services.now(), args.day
        )
    return _report(outcome, args.json)


def list_tickets(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    db = open_db(args)

    now = queue.site_now(SystemClock(), db, ZoneInfo(settings.site.timezone))
    day = args.day or queue.site_day(now, settings.site.day_start).isoformat()
    tickets = queue.tickets_on(db, day)
    if args.json:
        print_json([t.to_json() for t in tickets])
        return 0
    for t in tickets:
        flag = f"  {t.priority}" if t.priority else ""
        reason = f" ({t.reason})" if t.reason else ""
        advice = "  (may be out: check before reprinting)" if t.state == "print_unknown" else ""
        print(f"{t.ticket}  {t.issued_at:%H:%M:%S}  {t.state}{reason}{flag}{advice}")
    print(f"{len(tickets)} ticket(s) on {day}", file=sys.stderr)
    return 0


def void_ticket(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    db = open_db(args)

    ticket = queue.find_ticket(db, args.ticket, args.day)
    now = queue.site_now(SystemClock(), db, ZoneInfo(settings.site.timezone))
    voided = queue.void_ticket(db, ticket, now, args.reason)
    print(f"{voided.ticket}  {voided.day}  voided")
    return 0
