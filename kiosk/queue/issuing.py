"""Allocate → print → record: the one path a ticket takes, from the screen and from
`kiosk ticket issue` alike. The number is committed before the printer is touched, and how
printing ended is recorded with its event, so a failed print is never silent (invariant 1)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from kiosk import store
from kiosk.config import Settings
from kiosk.drivers.ports import TicketPrinter
from kiosk.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline, PrintUnconfirmed, QueueError
from kiosk.protocol.ticket_link import ticket_token
from kiosk.queue import numbering as queue
from kiosk.queue import waiting
from kiosk.queue.numbering import Ticket
from kiosk.queue.ticket_layout import Priority, QueueTicket, queue_ticket_layout


@dataclass(frozen=True)
class IssueOutcome:
    """How printing ended: printed (confirmed out), not printed (never sent) or unknown (sent,
    never confirmed: it may be out; staff check before reprinting)."""

    ticket: Ticket
    printed: bool
    reason: str | None  # paper_out | cover_open | offline | no_printer | error | no_confirmation
    waiting: waiting.Waiting
    outcome: str = queue.PRINTED  # printed | not_printed | unknown

    @property
    def unknown(self) -> bool:
        return self.outcome == queue.UNKNOWN

    def to_json(self) -> dict[str, object]:
        return {
            **self.ticket.to_json(),
            "printed": self.printed,
            "outcome": self.outcome,
            "reason": self.reason,
            "people_ahead": self.waiting.people_ahead,
            "wait_minutes": self.waiting.wait_minutes,
        }


def print_failure_reason(exc: PrinterError) -> str:
    if isinstance(exc, PrintUnconfirmed):
        return exc.reason
    if isinstance(exc, PaperOut):
        return "paper_out"
    if isinstance(exc, CoverOpen):
        return "cover_open"
    if isinstance(exc, PrinterOffline):
        return "offline"
    return "error"


def qr_url(settings: Settings, ticket: Ticket, link_key: str | None) -> str | None:
    """The ticket's QR link: `{token}` is its phone-page token (kiosk/protocol/ticket_link.py),
    made only with the key of an enrolled kiosk; without it a link needing one is left out."""
    qr = settings.queue.ticket_qr_url
    if not qr or ("{token}" in qr and not link_key):
        return None
    token = ticket_token(link_key, ticket.day, ticket.ticket) if link_key else ""
    return qr.format(ticket=ticket.ticket, day=ticket.day, site=settings.site.name, token=token)


def print_outcome(exc: PrinterError | None) -> str:
    """printed, not_printed or unknown, from what print_layout raised."""
    if exc is None:
        return queue.PRINTED
    return queue.UNKNOWN if isinstance(exc, PrintUnconfirmed) else queue.NOT_PRINTED


# A reprint of a ticket in one of these states may be a second copy: it says "IN LẠI".
MAY_BE_OUT = ("printed", "reprinted", "print_unknown")


def ticket_view(
    settings: Settings,
    ticket: Ticket,
    wait: waiting.Waiting,
    link_key: str | None = None,
    reprint: bool = False,
) -> QueueTicket:
    """What the printed ticket says, in the language the citizen was using."""
    service = queue.find_service(settings, ticket.service)
    english = ticket.language == "en"
    return QueueTicket(
        header=settings.site.header,
        office=settings.site.name,
        ticket=ticket.ticket,
        service_name=(service.name_en or service.name) if english else service.name,
        counters=service.counters,
        issued_at=ticket.issued_at,
        people_ahead=wait.people_ahead,
        wait_minutes=wait.wait_minutes,
        priority=cast(Priority | None, ticket.priority),
        qr_url=qr_url(settings, ticket, link_key),
        footer=settings.queue.ticket_footer_en if english else settings.queue.ticket_footer,
        language="en" if english else "vi",
        reprint=reprint,
    )


def print_and_record(
    db: sqlite3.Connection,
    settings: Settings,
    printer: TicketPrinter | None,
    ticket: Ticket,
    moment: datetime,
    wait: waiting.Waiting,
) -> IssueOutcome:
    """Print a committed ticket and record the outcome with its event. A ticket that may be out
    already is printed marked "IN LẠI"."""
    outcome, error = queue.NOT_PRINTED, cast(str | None, "no_printer")
    if printer is not None:
        key = store.get_state(db, "ticket_link.key")  # kept by the agent (kiosk/sync/queue_status.py)
        view = ticket_view(settings, ticket, wait, key, reprint=ticket.state in MAY_BE_OUT)
        try:
            printer.print_layout(queue_ticket_layout(view))
            outcome, error = queue.PRINTED, None
        except PrinterError as exc:
            outcome, error = print_outcome(exc), print_failure_reason(exc)
    recorded = queue.record_print(db, ticket, moment, error, outcome)
    return IssueOutcome(recorded, outcome == queue.PRINTED, error, wait, outcome)


def issue_and_print(
    db: sqlite3.Connection,
    settings: Settings,
    printer: TicketPrinter | None,
    service_id: str,
    moment: datetime,
    priority: str | None = None,
    language: str = "vi",
) -> IssueOutcome:
    """Allocate the next number (committed), print it, record how printing ended."""
    ticket = queue.issue_ticket(db, settings, service_id, moment, priority, language)
    service = queue.find_service(settings, service_id)
    wait = waiting.estimate(db, service, moment, ticket.day, before_number=ticket.number)
    return print_and_record(db, settings, printer, ticket, moment, wait)


def reprint(
    db: sqlite3.Connection,
    settings: Settings,
    printer: TicketPrinter | None,
    code: str,
    moment: datetime,
    day: str | None = None,
) -> IssueOutcome:
    """Print a ticket again (after paper was refilled, or one the citizen lost): a staff action
    (technician screen, `kiosk ticket reprint`, the console's reprint command), never offered to
    the citizen. A ticket that may be out already is printed marked "IN LẠI"."""
    ticket = queue.find_ticket(db, code, day)
    if ticket.state == "voided":
        raise QueueError(f"ticket {ticket.ticket} of {ticket.day} is voided", reason="voided")
    return print_and_record(db, settings, printer, ticket, moment, waiting.UNKNOWN)
