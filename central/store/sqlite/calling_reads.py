"""What displays, phones, counters and kiosks read of the calling state (no transaction needed:
each is one statement over WAL)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from central.store.calling import CallEvent, CallingTicket, CounterState
from central.store.sqlite.base import SQLiteBase, parse_time

TICKET_COLUMNS = (
    "ticket, service, COALESCE(queue_service, service), number, priority, issued_at, state, voided, "
    "called_at, counter, target_counter, finished_at, calls, device_id"
)
_EVENT_COLUMNS = "seq, key, site_id, day, counter, staff, action, ticket, service, data, at"
_ANNOUNCED = ("call_next", "recall", "call_back")


def calling_ticket(row: Any) -> CallingTicket:
    return CallingTicket(
        ticket=row[0],
        service=row[1],
        queue_service=row[2],
        number=row[3],
        priority=row[4],
        issued_at=row[5],
        state=row[6],
        voided=bool(row[7]),
        called_at=parse_time(row[8]),
        counter=row[9],
        target_counter=row[10],
        finished_at=parse_time(row[11]),
        calls=row[12],
        device_id=row[13],
    )


def call_event(row: Any) -> CallEvent:
    return CallEvent(
        seq=row[0],
        key=row[1],
        site_id=row[2],
        day=row[3],
        counter=row[4],
        staff=row[5],
        action=row[6],
        ticket=row[7],
        service=row[8],
        data=json.loads(row[9]),
        at=datetime.fromisoformat(row[10]),
    )


class CallingReadsPart(SQLiteBase):
    def calling_events(self, site_id: str, after_seq: int, limit: int) -> list[CallEvent]:
        rows = self._db().execute(
            f"SELECT {_EVENT_COLUMNS} FROM calling_events WHERE site_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [site_id, after_seq, limit],
        )
        return [call_event(r) for r in rows]

    def last_calling_seq(self, site_id: str) -> int:
        row = (
            self._db().execute("SELECT MAX(seq) FROM calling_events WHERE site_id = ?", [site_id]).fetchone()
        )
        return int(row[0] or 0)

    def recent_calls(self, site_id: str, day: str, limit: int, counter: str | None = None) -> list[CallEvent]:
        marks = ", ".join("?" for _ in _ANNOUNCED)
        sql = (
            f"SELECT {_EVENT_COLUMNS} FROM calling_events WHERE site_id = ? AND day = ? "
            f"AND action IN ({marks}) AND ticket IS NOT NULL"
        )
        args: list[Any] = [site_id, day, *_ANNOUNCED]
        if counter is not None:
            sql += " AND counter = ?"
            args.append(counter)
        rows = self._db().execute(f"{sql} ORDER BY seq DESC LIMIT ?", [*args, limit])
        return [call_event(r) for r in rows]

    def calling_tickets(self, site_id: str, day: str) -> list[CallingTicket]:
        rows = self._db().execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = ? AND day = ? "
            "ORDER BY priority IS NULL, issued_at, number",
            [site_id, day],
        )
        return [calling_ticket(r) for r in rows]

    def calling_ticket(self, site_id: str, day: str, ticket: str) -> CallingTicket | None:
        row = (
            self._db()
            .execute(
                f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = ? AND day = ? AND ticket = ?",
                [site_id, day, ticket],
            )
            .fetchone()
        )
        return calling_ticket(row) if row else None

    def services_of_day(self, site_id: str, day: str) -> list[str]:
        rows = self._db().execute(
            "SELECT DISTINCT queue_service FROM tickets WHERE site_id = ? AND day = ? ORDER BY 1",
            [site_id, day],
        )
        return [str(r[0]) for r in rows if r[0] is not None]

    def find_tickets(self, day: str, ticket: str) -> list[tuple[str, CallingTicket, str | None]]:
        rows = self._db().execute(
            f"SELECT site_id, link_key, {TICKET_COLUMNS} FROM tickets WHERE day = ? AND ticket = ?",
            [day, ticket],
        )
        return [(str(r[0]), calling_ticket(r[2:]), r[1]) for r in rows]

    def counter_states(self, site_id: str) -> list[CounterState]:
        rows = self._db().execute(
            "SELECT site_id, counter, state, staff, services, updated_at FROM counters WHERE site_id = ? "
            "ORDER BY length(counter), counter",
            [site_id],
        )
        return [
            CounterState(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), datetime.fromisoformat(r[5]))
            for r in rows
        ]
