"""Counter actions on SQLite: each press one BEGIN IMMEDIATE transaction (the store's single
writer lock is the row lock: two counters pressing "call next" at once are serialised, and the
second sees the first's ticket already called). See central/store/calling.py for the shape a
PostgreSQL store follows."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from central.store.calling import (
    ActionOutcome,
    CallEvent,
    CallingRefused,
    CallingTicket,
    CounterAction,
)
from central.store.sqlite.base import SQLiteBase, dumps, iso
from central.store.sqlite.calling_reads import TICKET_COLUMNS, call_event, calling_ticket

_EVENT_COLUMNS = "seq, key, site_id, day, counter, staff, action, ticket, service, data, at"
_ORDER = "ORDER BY priority IS NULL, issued_at, number"


class CallingPart(SQLiteBase):
    def counter_action(self, action: CounterAction) -> ActionOutcome:
        with self._tx() as db:
            seen = db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM calling_events WHERE key = ?", [action.key]
            ).fetchone()
            if seen is not None:
                event = call_event(seen)
                ticket = _ticket(db, event.site_id, event.day, event.ticket) if event.ticket else None
                return ActionOutcome(event, ticket, repeated=True)
            ticket_id, data = _DO[action.action](db, action)
            ticket = _ticket(db, action.site_id, action.day, ticket_id) if ticket_id else None
            if ticket is not None:
                data.setdefault("priority", ticket.priority)
            event = _store_event(db, action, ticket, data)
        return ActionOutcome(event, ticket)


def _ticket(db: sqlite3.Connection, site_id: str, day: str, ticket: str) -> CallingTicket | None:
    row = db.execute(
        f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = ? AND day = ? AND ticket = ?",
        [site_id, day, ticket],
    ).fetchone()
    return calling_ticket(row) if row else None


def _store_event(
    db: sqlite3.Connection, action: CounterAction, ticket: CallingTicket | None, data: dict[str, Any]
) -> CallEvent:
    """Insert the action's event and answer it as a later read would (times in UTC to the
    millisecond, data through JSON), without reading the row back."""
    event = CallEvent(
        seq=0,
        key=action.key,
        site_id=action.site_id,
        day=action.day,
        counter=action.counter,
        staff=action.staff,
        action=action.action,
        ticket=ticket.ticket if ticket else None,
        service=ticket.queue_service if ticket else None,
        data=json.loads(dumps(data)),
        at=datetime.fromisoformat(iso(action.at)),
    )
    cursor = db.execute(
        "INSERT INTO calling_events (key, site_id, day, counter, staff, action, ticket, service, data, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            event.key,
            event.site_id,
            event.day,
            event.counter,
            event.staff,
            event.action,
            event.ticket,
            event.service,
            dumps(event.data),
            iso(event.at),
        ],
    )
    return replace(event, seq=int(cursor.lastrowid or 0))


def _set_counter(db: sqlite3.Connection, action: CounterAction, mode: str) -> None:
    db.execute(
        "INSERT INTO counters (site_id, counter, state, staff, services, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (site_id, counter) DO UPDATE SET state = excluded.state, staff = excluded.staff, "
        "services = excluded.services, updated_at = excluded.updated_at",
        [
            action.site_id,
            action.counter,
            mode,
            action.staff,
            json.dumps(list(action.services)),
            iso(action.at),
        ],
    )


def _counter_mode(db: sqlite3.Connection, action: CounterAction) -> str:
    row = db.execute(
        "SELECT state FROM counters WHERE site_id = ? AND counter = ?", [action.site_id, action.counter]
    ).fetchone()
    return str(row[0]) if row else "open"


def _finish_current(db: sqlite3.Connection, action: CounterAction) -> list[str]:
    """Calling the next citizen means the one at the counter was served."""
    rows = db.execute(
        "SELECT ticket FROM tickets WHERE site_id = ? AND day = ? AND state = 'called' AND counter = ?",
        [action.site_id, action.day, action.counter],
    ).fetchall()
    db.execute(
        "UPDATE tickets SET state = 'served', finished_at = ? "
        "WHERE site_id = ? AND day = ? AND state = 'called' AND counter = ?",
        [iso(action.at), action.site_id, action.day, action.counter],
    )
    return [str(r[0]) for r in rows]


def _call_next(db: sqlite3.Connection, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    mode = _counter_mode(db, action)
    if mode != "open":
        raise CallingRefused(f"counter_{mode}", f"counter {action.counter} is {mode}")
    if not action.services:
        raise CallingRefused("no_services", "the counter serves no service")
    found = _next_waiting(db, action)
    data: dict[str, Any] = {"auto_served": _finish_current(db, action)}
    _set_counter(db, action, "open")
    if found is None:
        data["empty"] = True
        return None, data
    _mark_called(db, action, found)
    return found, data


_FIRST_WAITING = (
    "SELECT priority IS NULL, issued_at, number, ticket FROM tickets "
    "WHERE site_id = ? AND day = ? AND state = 'waiting' AND voided = 0 AND {where} {order} LIMIT 1"
)
_FIRST_OF_SERVICE = _FIRST_WAITING.format(where="target_counter IS NULL AND queue_service = ?", order=_ORDER)
_FIRST_FOR_COUNTER = _FIRST_WAITING.format(
    where="target_counter IS NOT NULL AND target_counter = ?", order=_ORDER
)


def _next_waiting(db: sqlite3.Connection, action: CounterAction) -> str | None:
    """The first priority ticket, else the oldest, of the counter's services and of those
    transferred to it. One lookup per service, each the first entry of a partial index in queue
    order (migration 0010), then the first of those: a single query with `queue_service IN (…)
    OR target_counter = ?` sorted every waiting ticket of the day inside the write lock."""
    lookups = [(_FIRST_OF_SERVICE, service) for service in dict.fromkeys(action.services)]
    lookups.append((_FIRST_FOR_COUNTER, action.counter))
    heads = [db.execute(sql, [action.site_id, action.day, key]).fetchone() for sql, key in lookups]
    first = min((tuple(h) for h in heads if h is not None), default=None)
    return str(first[3]) if first else None


def _mark_called(db: sqlite3.Connection, action: CounterAction, ticket: str) -> None:
    db.execute(
        "UPDATE tickets SET state = 'called', called_at = ?, counter = ?, calls = calls + 1, "
        "target_counter = NULL, finished_at = NULL WHERE site_id = ? AND day = ? AND ticket = ?",
        [iso(action.at), action.counter, action.site_id, action.day, ticket],
    )


def _named(db: sqlite3.Connection, action: CounterAction) -> CallingTicket:
    """The ticket an action names, or the one called at this counter now."""
    if action.ticket is None:
        row = db.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = ? AND day = ? AND state = 'called' "
            "AND counter = ? ORDER BY called_at DESC LIMIT 1",
            [action.site_id, action.day, action.counter],
        ).fetchone()
        if row is None:
            raise CallingRefused("nothing_called", "no ticket is called at this counter")
        return calling_ticket(row)
    found = _ticket(db, action.site_id, action.day, action.ticket)
    if found is None:
        raise CallingRefused("ticket_unknown", f"no ticket {action.ticket} today")
    if found.voided:
        raise CallingRefused("ticket_voided", f"ticket {found.ticket} was voided")
    return found


def _called_here(db: sqlite3.Connection, action: CounterAction) -> CallingTicket:
    ticket = _named(db, action)
    if ticket.state == "served":
        raise CallingRefused("ticket_served", f"ticket {ticket.ticket} was already served")
    if ticket.state != "called" or ticket.counter != action.counter:
        raise CallingRefused(
            "ticket_not_called_here", f"ticket {ticket.ticket} is not called at this counter"
        )
    return ticket


def _recall(db: sqlite3.Connection, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    ticket = _called_here(db, action)
    db.execute(
        "UPDATE tickets SET calls = calls + 1 WHERE site_id = ? AND day = ? AND ticket = ?",
        [action.site_id, action.day, ticket.ticket],
    )
    return ticket.ticket, {}


def _finish(state: str) -> Any:
    def finish(db: sqlite3.Connection, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
        ticket = _called_here(db, action)
        db.execute(
            "UPDATE tickets SET state = ?, finished_at = ? WHERE site_id = ? AND day = ? AND ticket = ?",
            [state, iso(action.at), action.site_id, action.day, ticket.ticket],
        )
        return ticket.ticket, {}

    return finish


def _call_back(db: sqlite3.Connection, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    ticket = _named(db, action)
    if ticket.state != "no_show":
        code = "ticket_served" if ticket.state == "served" else "ticket_not_no_show"
        raise CallingRefused(code, f"ticket {ticket.ticket} is not marked no-show")
    if ticket.counter != action.counter and ticket.queue_service not in action.services:
        raise CallingRefused("not_serving", f"this counter does not serve {ticket.queue_service}")
    assert ticket.finished_at is not None
    if (action.at - ticket.finished_at).total_seconds() > action.no_show_window_s:
        raise CallingRefused("no_show_expired", f"ticket {ticket.ticket} can no longer be called back")
    auto = _finish_current(db, action)
    _mark_called(db, action, ticket.ticket)
    return ticket.ticket, {"auto_served": auto}


def _transfer(db: sqlite3.Connection, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    if not action.to_service and not action.to_counter:
        raise CallingRefused("transfer_target_missing", "a transfer names a service or a counter")
    ticket = _called_here(db, action)
    to_service = action.to_service or ticket.queue_service
    db.execute(
        "UPDATE tickets SET state = 'waiting', queue_service = ?, target_counter = ? "
        "WHERE site_id = ? AND day = ? AND ticket = ?",
        [to_service, action.to_counter, action.site_id, action.day, ticket.ticket],
    )
    return ticket.ticket, {"to_service": to_service, "to_counter": action.to_counter}


def _mode(mode: str) -> Any:
    def set_mode(db: sqlite3.Connection, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
        _set_counter(db, action, mode)
        return None, {"mode": mode}

    return set_mode


_DO: dict[str, Any] = {
    "call_next": _call_next,
    "recall": _recall,
    "no_show": _finish("no_show"),
    "served": _finish("served"),
    "call_back": _call_back,
    "transfer": _transfer,
    "pause": _mode("paused"),
    "close": _mode("closed"),
    "open": _mode("open"),
}
