"""Queue figures from the calling state: people waiting, the ticket being served and the
average service time per service (GET /api/v1/queue for kiosks, the display, the counters), and
the people ahead of one ticket (the phone page).

The estimate (docs/calling.md, "Waiting estimate"): `avg_service_s` of a service is the mean
time from a ticket's call to its end (served or no-show, or the counter's next call) over the
last 20 tickets of the service that ended today; before any ended, the mean gap between its
calls; before two calls, none. A kiosk turns it into minutes as people ahead × avg_service_s ÷
the counters that serve the service. It improves as counters call: every ended ticket is a
measurement of today's pace at this office."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from central.store.calling import CallingTicket

RECENT_ENDED = 20


def _order(t: CallingTicket) -> tuple[bool, str, int]:
    return (t.priority is None, t.issued_at, t.number)


def waiting_in(tickets: Sequence[CallingTicket], service: str) -> list[CallingTicket]:
    """Tickets waiting to be called from `service`, in the order they will be called (those
    transferred to one counter wait for that counter, and count for their service)."""
    found = [t for t in tickets if t.state == "waiting" and not t.voided and t.queue_service == service]
    return sorted(found, key=_order)


def serving(tickets: Sequence[CallingTicket], service: str) -> CallingTicket | None:
    """The ticket of the service called last (the one the office is serving now)."""
    called = [
        t
        for t in tickets
        if t.queue_service == service and t.called_at and t.state != "waiting" and not t.voided
    ]
    return max(called, key=lambda t: t.called_at or datetime.min, default=None)


def avg_service_s(tickets: Sequence[CallingTicket], service: str) -> int | None:
    mine = [t for t in tickets if t.queue_service == service and t.called_at is not None]
    ended = sorted(
        (t for t in mine if t.finished_at is not None and t.called_at is not None),
        key=lambda t: t.finished_at or datetime.min,
    )[-RECENT_ENDED:]
    spans = [(t.finished_at - t.called_at).total_seconds() for t in ended if t.finished_at and t.called_at]
    spans = [s for s in spans if s > 0]
    if spans:
        return round(sum(spans) / len(spans))
    calls = sorted(t.called_at for t in mine if t.called_at is not None)
    gaps = [(b - a).total_seconds() for a, b in zip(calls, calls[1:], strict=False)]
    return round(sum(gaps) / len(gaps)) if gaps else None


def service_figures(tickets: Sequence[CallingTicket], service: str) -> dict[str, Any]:
    now = serving(tickets, service)
    return {
        "id": service,
        "waiting": len(waiting_in(tickets, service)),
        "serving": now.ticket if now else None,
        "avg_service_s": avg_service_s(tickets, service),
    }


def queue_answer(tickets: Sequence[CallingTicket], services: Sequence[str], at: datetime) -> dict[str, Any]:
    """The GET /queue answer for one site's tickets of the day (`at` in the site's time)."""
    ids = list(dict.fromkeys([*services, *(t.queue_service for t in tickets)]))
    return {"at": at.isoformat(timespec="seconds"), "services": [service_figures(tickets, s) for s in ids]}


def people_ahead(tickets: Sequence[CallingTicket], ticket: CallingTicket) -> int | None:
    """Waiting tickets that will be called before `ticket`; None once it is no longer waiting."""
    if ticket.state != "waiting" or ticket.voided:
        return None
    queue = waiting_in(tickets, ticket.queue_service)
    mine = _order(ticket)
    return sum(1 for t in queue if _order(t) < mine)
