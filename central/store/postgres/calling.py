"""Counter actions on PostgreSQL: each press one READ COMMITTED transaction, whichever instance
it reaches (the shape is in central/store/calling.py).

1. `INSERT INTO calling_events … ON CONFLICT (key) DO NOTHING`, in one statement with the
   upsert of the site's row in `calling_seq` that numbers the event. That row stays locked
   until the press commits, so a site's presses are numbered in commit order without gaps
   (a display reading `seq > N` never misses one), and they take tickets in that order: within
   a service, tickets are called in issue order, as on SQLite. Sites run in parallel. A second
   press with the same key waits for the first, finds its key stored, and answers the stored
   outcome (its own transaction rolled back: nothing changed, no number used).
2. The counter's row, then tickets: the next one with `… ORDER BY priority IS NULL, issued_at,
   number LIMIT 1 FOR UPDATE SKIP LOCKED` (a ticket held by another path, the admin API's call
   or a kiosk's void, is passed over rather than waited for), a named one `FOR UPDATE`.
3. The event's outcome (ticket, service, data) written into the row inserted in step 1.
A refused action raises `CallingRefused` and the whole transaction rolls back."""

from __future__ import annotations

from typing import Any

import psycopg

from central.store.calling import (
    ActionOutcome,
    CallEvent,
    CallingRefused,
    CallingTicket,
    CounterAction,
)
from central.store.postgres.base import PostgresBase, jsonb, ts
from central.store.postgres.calling_reads import EVENT_COLUMNS, TICKET_COLUMNS, call_event, calling_ticket

Db = psycopg.Connection[Any]

_OPEN = (
    "WITH numbered AS (INSERT INTO calling_seq (site_id, seq) VALUES (%s, 1) "
    "ON CONFLICT (site_id) DO UPDATE SET seq = calling_seq.seq + 1 RETURNING seq) "
    "INSERT INTO calling_events (site_id, seq, key, day, counter, staff, action, data, at) "
    "SELECT %s, numbered.seq, %s, %s, %s, %s, %s, '{}', %s FROM numbered "
    "ON CONFLICT (key) DO NOTHING RETURNING seq"
)
_WHERE_TICKET = "site_id = %s AND day = %s AND ticket = %s"


class _Repeated(Exception):
    """A press whose key was stored: roll back this transaction and answer the stored one."""


class CallingPart(PostgresBase):
    def counter_action(self, action: CounterAction) -> ActionOutcome:
        try:
            with self._tx() as db:
                opened = db.execute(
                    _OPEN,
                    [
                        action.site_id,
                        action.site_id,
                        action.key,
                        action.day,
                        action.counter,
                        action.staff,
                        action.action,
                        ts(action.at),
                    ],
                ).fetchone()
                if opened is None:
                    raise _Repeated
                ticket_id, data = _DO[action.action](db, action)
                ticket = _ticket(db, action.site_id, action.day, ticket_id) if ticket_id else None
                if ticket is not None:
                    data.setdefault("priority", ticket.priority)
                event = _store_outcome(db, action, ticket, data)
            return ActionOutcome(event, ticket)
        except _Repeated:
            return self._stored_outcome(action.key)

    def _stored_outcome(self, key: str) -> ActionOutcome:
        with self._read() as db:
            row = db.execute(f"SELECT {EVENT_COLUMNS} FROM calling_events WHERE key = %s", [key]).fetchone()
            assert row is not None, "a conflicting key is a committed key"
            event = call_event(row)
            ticket = _ticket(db, event.site_id, event.day, event.ticket) if event.ticket else None
        return ActionOutcome(event, ticket, repeated=True)


def _ticket(db: Db, site_id: str, day: str, ticket: str) -> CallingTicket | None:
    row = db.execute(
        f"SELECT {TICKET_COLUMNS} FROM tickets WHERE {_WHERE_TICKET}", [site_id, day, ticket]
    ).fetchone()
    return calling_ticket(row) if row else None


def _store_outcome(
    db: Db, action: CounterAction, ticket: CallingTicket | None, data: dict[str, Any]
) -> CallEvent:
    row = db.execute(
        f"UPDATE calling_events SET ticket = %s, service = %s, data = %s WHERE key = %s "
        f"RETURNING {EVENT_COLUMNS}",
        [
            ticket.ticket if ticket else None,
            ticket.queue_service if ticket else None,
            jsonb(data),
            action.key,
        ],
    ).fetchone()
    assert row is not None
    return call_event(row)


def _set_counter(db: Db, action: CounterAction, mode: str, only_if_open: bool = False) -> bool:
    """Upsert the counter's row; with `only_if_open`, an existing counter that is not open is
    left as it is (False)."""
    row = db.execute(
        "INSERT INTO counters (site_id, counter, state, staff, services, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (site_id, counter) DO UPDATE SET state = excluded.state, staff = excluded.staff, "
        "services = excluded.services, updated_at = excluded.updated_at"
        + (" WHERE counters.state = 'open'" if only_if_open else "")
        + " RETURNING state",
        [action.site_id, action.counter, mode, action.staff, jsonb(list(action.services)), ts(action.at)],
    ).fetchone()
    return row is not None


def _finish_current(db: Db, action: CounterAction) -> list[str]:
    """Calling the next citizen means the one at the counter was served."""
    rows = db.execute(
        "UPDATE tickets SET state = 'served', finished_at = %s "
        "WHERE site_id = %s AND day = %s AND state = 'called' AND counter = %s RETURNING ticket",
        [ts(action.at), action.site_id, action.day, action.counter],
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def _call_next(db: Db, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    if not _set_counter(db, action, "open", only_if_open=True):
        row = db.execute(
            "SELECT state FROM counters WHERE site_id = %s AND counter = %s", [action.site_id, action.counter]
        ).fetchone()
        mode = row[0] if row else "closed"
        raise CallingRefused(f"counter_{mode}", f"counter {action.counter} is {mode}")
    if not action.services:
        raise CallingRefused("no_services", "the counter serves no service")
    data: dict[str, Any] = {"auto_served": _finish_current(db, action)}
    row = db.execute(
        "UPDATE tickets SET state = 'called', called_at = %s, counter = %s, calls = calls + 1, "
        "target_counter = NULL, finished_at = NULL WHERE site_id = %s AND day = %s AND state = 'waiting' "
        "AND ticket = (SELECT ticket FROM tickets WHERE site_id = %s AND day = %s AND state = 'waiting' "
        "AND NOT voided AND ((target_counter IS NULL AND queue_service = ANY(%s)) OR target_counter = %s) "
        "ORDER BY priority IS NULL, issued_at, number LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ticket",
        [
            ts(action.at),
            action.counter,
            action.site_id,
            action.day,
            action.site_id,
            action.day,
            list(action.services),
            action.counter,
        ],
    ).fetchone()
    if row is None:
        data["empty"] = True
        return None, data
    return str(row[0]), data


def _mark_called(db: Db, action: CounterAction, ticket: str) -> None:
    db.execute(
        "UPDATE tickets SET state = 'called', called_at = %s, counter = %s, calls = calls + 1, "
        f"target_counter = NULL, finished_at = NULL WHERE {_WHERE_TICKET}",
        [ts(action.at), action.counter, action.site_id, action.day, ticket],
    )


def _named(db: Db, action: CounterAction) -> CallingTicket:
    """The ticket an action names, or the one called at this counter now; locked."""
    if action.ticket is None:
        row = db.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = %s AND day = %s AND state = 'called' "
            "AND counter = %s ORDER BY called_at DESC LIMIT 1 FOR UPDATE",
            [action.site_id, action.day, action.counter],
        ).fetchone()
        if row is None:
            raise CallingRefused("nothing_called", "no ticket is called at this counter")
        return calling_ticket(row)
    row = db.execute(
        f"SELECT {TICKET_COLUMNS} FROM tickets WHERE {_WHERE_TICKET} FOR UPDATE",
        [action.site_id, action.day, action.ticket],
    ).fetchone()
    if row is None:
        raise CallingRefused("ticket_unknown", f"no ticket {action.ticket} today")
    found = calling_ticket(row)
    if found.voided:
        raise CallingRefused("ticket_voided", f"ticket {found.ticket} was voided")
    return found


def _called_here(db: Db, action: CounterAction) -> CallingTicket:
    ticket = _named(db, action)
    if ticket.state == "served":
        raise CallingRefused("ticket_served", f"ticket {ticket.ticket} was already served")
    if ticket.state != "called" or ticket.counter != action.counter:
        raise CallingRefused(
            "ticket_not_called_here", f"ticket {ticket.ticket} is not called at this counter"
        )
    return ticket


def _recall(db: Db, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    ticket = _called_here(db, action)
    db.execute(
        f"UPDATE tickets SET calls = calls + 1 WHERE {_WHERE_TICKET}",
        [action.site_id, action.day, ticket.ticket],
    )
    return ticket.ticket, {}


def _finish(state: str) -> Any:
    def finish(db: Db, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
        ticket = _called_here(db, action)
        db.execute(
            f"UPDATE tickets SET state = %s, finished_at = %s WHERE {_WHERE_TICKET}",
            [state, ts(action.at), action.site_id, action.day, ticket.ticket],
        )
        return ticket.ticket, {}

    return finish


def _call_back(db: Db, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
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


def _transfer(db: Db, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
    if not action.to_service and not action.to_counter:
        raise CallingRefused("transfer_target_missing", "a transfer names a service or a counter")
    ticket = _called_here(db, action)
    to_service = action.to_service or ticket.queue_service
    db.execute(
        "UPDATE tickets SET state = 'waiting', queue_service = %s, target_counter = %s "
        f"WHERE {_WHERE_TICKET}",
        [to_service, action.to_counter, action.site_id, action.day, ticket.ticket],
    )
    return ticket.ticket, {"to_service": to_service, "to_counter": action.to_counter}


def _mode(mode: str) -> Any:
    def set_mode(db: Db, action: CounterAction) -> tuple[str | None, dict[str, Any]]:
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
