"""Queue numbers: services and their hours, daily numbering, ticket states.

Invariant 1: allocation, the ticket row and its `ticket.issued` event commit in one transaction
(synchronous=FULL), so a ticket is durable before it is printed. Each kiosk issues from its own
series per service, so issuing never needs the network. A number is never issued twice on one
day: (day, service, number) is unique, and the day never goes backwards even when the clock does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from kiosk import outbox, store
from kiosk.config import WEEKDAYS, Service, Settings
from kiosk.errors import QueueError
from kiosk.protocol.events import PRIORITIES

# A clock before this date is certainly wrong (the software did not exist yet).
RELEASE_DATE = date(2026, 11, 1)
LAST_DAY_KEY = "queue.last_day"
CLOCK_OFFSET_KEY = "clock.offset_s"


class Clock(Protocol):
    """Where the time comes from: the system clock on a device, a settable one in tests."""

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Ticket:
    id: int
    day: str
    service: str
    number: int
    ticket: str
    priority: str | None
    language: str
    issued_at: datetime
    state: str
    reason: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "ticket": self.ticket,
            "number": self.number,
            "service": self.service,
            "day": self.day,
            "priority": self.priority,
            "issued_at": self.issued_at.isoformat(timespec="seconds"),
            "state": self.state,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Availability:
    """Whether a service issues tickets now; `reason` is closed | daily_limit |
    series_exhausted | clock_wrong, and `hours_today` the open spans shown beside it."""

    open: bool
    reason: str | None
    hours_today: tuple[str, ...]


def ticket_code(service: str, number: int) -> str:
    """'A' and 12 → 'A012': at least three digits, as queue displays call them."""
    return f"{service}{number:03d}"


def site_now(clock: Clock, db: sqlite3.Connection, timezone: ZoneInfo) -> datetime:
    """The clock corrected by the offset the agent learnt from the server's Date header."""
    offset = float(store.get_state(db, CLOCK_OFFSET_KEY, "0") or 0)
    return (clock.now() + timedelta(seconds=offset)).astimezone(timezone)


def site_day(moment: datetime, day_start: str) -> date:
    """The numbering day a moment belongs to: the local date, shifted back before day_start."""
    hours, minutes = (int(v) for v in day_start.split(":"))
    local_time = moment.time()
    if local_time < time(hours, minutes):
        return moment.date() - timedelta(days=1)
    return moment.date()


def find_service(settings: Settings, service_id: str) -> Service:
    for service in settings.queue.services:
        if service.id == service_id:
            return service
    known = ", ".join(s.id for s in settings.queue.services) or "none configured"
    raise QueueError(f"unknown service {service_id!r}; known: {known}", reason="unknown_service")


def open_spans(service: Service, moment: datetime) -> tuple[str, ...]:
    """Today's opening spans ('07:30-11:30', …); empty when closed all day."""
    if not service.hours:
        return ("00:00-24:00",)
    return tuple(service.hours.get(WEEKDAYS[moment.weekday()], ()))


def is_open(service: Service, moment: datetime) -> bool:
    now = moment.strftime("%H:%M")
    return any(span[:5] <= now < span[6:] for span in open_spans(service, moment))


def availability(
    db: sqlite3.Connection, settings: Settings, service: Service, moment: datetime
) -> Availability:
    """Can this service issue a ticket at `moment` (site-local)? Cheap: one indexed query."""
    spans = open_spans(service, moment)
    if moment.date() < RELEASE_DATE:
        return Availability(False, "clock_wrong", spans)
    if not is_open(service, moment):
        return Availability(False, "closed", spans)
    day = _numbering_day(db, settings, moment)
    issued, last = db.execute(
        "SELECT COUNT(*), MAX(number) FROM tickets WHERE day = ? AND service = ?", [day, service.id]
    ).fetchone()
    if service.daily_limit and issued >= service.daily_limit:
        return Availability(False, "daily_limit", spans)
    if last is not None and last >= service.series_end:
        return Availability(False, "series_exhausted", spans)
    return Availability(True, None, spans)


def _numbering_day(db: sqlite3.Connection, settings: Settings, moment: datetime) -> str:
    """Today's day, or the last day a number was issued if the clock went back before it."""
    today = site_day(moment, settings.site.day_start).isoformat()
    last = store.get_state(db, LAST_DAY_KEY)
    return max(today, last) if last else today


def issue_ticket(
    db: sqlite3.Connection,
    settings: Settings,
    service_id: str,
    moment: datetime,
    priority: str | None = None,
    language: str = "vi",
) -> Ticket:
    """Allocate the next number and commit it with its `ticket.issued` event (one transaction).

    Raises QueueError (with `.reason`) when the service is unknown, closed, full, exhausted, or
    the clock is obviously wrong; nothing is written then."""
    service = find_service(settings, service_id)
    if priority is not None and (priority not in PRIORITIES or not service.priority):
        raise QueueError(f"service {service.id} does not take priority {priority!r}", reason="priority")
    with store.transaction(db):
        state = availability(db, settings, service, moment)
        if not state.open:
            raise QueueError(f"service {service.id} cannot issue now: {state.reason}", reason=state.reason)
        day = _numbering_day(db, settings, moment)
        last = db.execute(
            "SELECT MAX(number) FROM tickets WHERE day = ? AND service = ?", [day, service.id]
        ).fetchone()[0]
        number = service.series_start if last is None else last + 1
        code = ticket_code(service.id, number)
        issued_at = moment.isoformat(timespec="seconds")
        cursor = db.execute(
            "INSERT INTO tickets (day, service, number, ticket, priority, language, issued_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [day, service.id, number, code, priority, language, issued_at],
        )
        event = {
            "ticket": code,
            "service": service.id,
            "number": number,
            "day": day,
            "priority": priority,
            "issued_at": issued_at,
        }
        outbox.add(db, "ticket.issued", event, moment)
        store.set_state(db, LAST_DAY_KEY, day)
    return Ticket(
        int(cursor.lastrowid or 0), day, service.id, number, code, priority, language, moment, "issued"
    )


def _row_to_ticket(row: Any) -> Ticket:
    id_, day, service, number, code, priority, language, issued_at, state, reason = row
    return Ticket(
        id_, day, service, number, code, priority, language, datetime.fromisoformat(issued_at), state, reason
    )


_COLUMNS = "id, day, service, number, ticket, priority, language, issued_at, state, reason"


def tickets_on(db: sqlite3.Connection, day: str) -> list[Ticket]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM tickets WHERE day = ? ORDER BY id", [day]).fetchall()
    return [_row_to_ticket(r) for r in rows]


def find_ticket(db: sqlite3.Connection, code: str, day: str | None = None) -> Ticket:
    """A ticket by its code ('A012'), on `day` or the latest day it was issued."""
    sql = f"SELECT {_COLUMNS} FROM tickets WHERE ticket = ?"
    args: list[object] = [code.upper()]
    if day:
        sql += " AND day = ?"
        args.append(day)
    row = db.execute(sql + " ORDER BY day DESC LIMIT 1", args).fetchone()
    if row is None:
        raise QueueError(f"no ticket {code}" + (f" on {day}" if day else ""), reason="unknown_ticket")
    return _row_to_ticket(row)


# Where a ticket goes after a print attempt, by outcome (issue 18). A ticket that may be out
# already (printed, reprinted, print_unknown) never becomes print_failed; a confirmed print after
# any earlier attempt is a reprint.
PRINTED, NOT_PRINTED, UNKNOWN = "printed", "not_printed", "unknown"


def record_print(
    db: sqlite3.Connection, ticket: Ticket, moment: datetime, error: str | None, outcome: str | None = None
) -> Ticket:
    """Record how printing ended, with its event, in one transaction: printed (or reprinted) when
    `error` is None; print_failed with the reason when it was never sent (outcome not_printed);
    print_unknown with the reason when it was sent and never confirmed (outcome unknown)."""
    outcome = outcome or (PRINTED if error is None else NOT_PRINTED)
    if outcome == PRINTED:
        new_state = "printed" if ticket.state == "issued" else "reprinted"
        event_type = "ticket.printed"
    elif outcome == UNKNOWN:
        new_state = (
            "print_unknown" if ticket.state in ("issued", "print_failed", "print_unknown") else ticket.state
        )
        event_type = "ticket.print_unknown"
    else:
        new_state = "print_failed" if ticket.state in ("issued", "print_failed") else ticket.state
        event_type = "ticket.print_failed"
    printed_at = moment.isoformat(timespec="seconds") if outcome == PRINTED else None
    reason = None if outcome == PRINTED else error
    with store.transaction(db):
        db.execute(
            "UPDATE tickets SET state = ?, reason = ?, printed_at = COALESCE(?, printed_at) WHERE id = ?",
            [new_state, reason, printed_at, ticket.id],
        )
        data: dict[str, object] = {"ticket": ticket.ticket, "day": ticket.day}
        if reason is not None:
            data["reason"] = reason
        if ticket.state != "issued" and outcome == PRINTED:
            data["reprint"] = True
        outbox.add(db, event_type, data, moment)
    return _replace_state(ticket, new_state, reason)


def void_ticket(db: sqlite3.Connection, ticket: Ticket, moment: datetime, reason: str = "") -> Ticket:
    """Void a ticket (staff action); its number is never reused."""
    if ticket.state == "voided":
        return ticket
    with store.transaction(db):
        db.execute(
            "UPDATE tickets SET state = 'voided', reason = ? WHERE id = ?", [reason or None, ticket.id]
        )
        outbox.add(
            db, "ticket.voided", {"ticket": ticket.ticket, "day": ticket.day, "reason": reason}, moment
        )
    return _replace_state(ticket, "voided", reason or None)


def _replace_state(ticket: Ticket, state: str, reason: str | None) -> Ticket:
    from dataclasses import replace

    return replace(ticket, state=state, reason=reason)
