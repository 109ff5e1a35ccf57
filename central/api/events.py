"""Checks each incoming event and says what it changes besides being stored.

A bad event is rejected on its own with a reason; the rest of the batch is still accepted.
The kiosk keeps rejected events, marked, and reports them (docs/protocol.md). The event types and
priorities are the protocol's (kiosk/protocol/events.py)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from central.api.models import EventIn
from central.store.contract import (
    CommandDone,
    Effect,
    IncomingEvent,
    TicketIssued,
    TicketVoided,
    UpdateResult,
)
from kiosk.protocol.events import EVENT_TYPES, PRIORITIES

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TICKET = re.compile(r"^[A-Z]{1,2}\d{1,4}$")


class Rejected(Exception):
    """An event that cannot be stored; the message is the reason the kiosk reports."""


def check_event(event: EventIn) -> IncomingEvent:
    """The event ready to store, or `Rejected` with the reason."""
    if event.type not in EVENT_TYPES:
        raise Rejected(f"unknown event type {event.type!r}")
    try:
        at = datetime.fromisoformat(event.at)
    except ValueError:
        raise Rejected(f"at: {event.at!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise Rejected("at: the time has no UTC offset")
    return IncomingEvent(event.id, event.type, event.at, event.data, _effect(event.type, event.data))


def _effect(type: str, data: dict[str, Any]) -> Effect | None:
    if type == "ticket.issued":
        return TicketIssued(
            day=_day(data),
            ticket=_ticket(data),
            service=_require(data, "service", str),
            number=_require(data, "number", int),
            priority=_priority(data),
            issued_at=_require(data, "issued_at", str),
        )
    if type == "ticket.voided":
        return TicketVoided(day=_day(data), ticket=_ticket(data))
    if type == "command.done":
        return CommandDone(
            command=_require(data, "command", str),
            ok=_require(data, "ok", bool),
            detail=_text(data, "detail"),
        )
    if type == "update.result":
        return UpdateResult(
            to=_require(data, "to", str),
            ok=_require(data, "ok", bool),
            stage=_text(data, "stage"),
            detail=_text(data, "detail"),
            retrying=data.get("retrying") is True,
        )
    if type == "rating.submitted" and data.get("score") not in (1, 2, 3):
        raise Rejected("data.score must be 3, 2 or 1")
    return None


def _require(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Rejected(f"data.{key} is required and must be {kind.__name__}")
    return value


def _text(data: dict[str, Any], key: str) -> str:
    """An optional free-text field, as text whatever the kiosk sent."""
    value = data.get(key)
    return "" if value is None else value if isinstance(value, str) else str(value)


def _day(data: dict[str, Any]) -> str:
    day = _require(data, "day", str)
    if not _DAY.match(day):
        raise Rejected(f"data.day {day!r} must be YYYY-MM-DD")
    return str(day)


def _ticket(data: dict[str, Any]) -> str:
    ticket = _require(data, "ticket", str)
    if not _TICKET.match(ticket):
        raise Rejected(f"data.ticket {ticket!r} must be a service letter and a number, e.g. A012")
    return str(ticket)


def _priority(data: dict[str, Any]) -> str | None:
    priority = data.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise Rejected(f"data.priority {priority!r} must be null or one of {sorted(PRIORITIES)}")
    return priority
