"""What displays, phones, counters and kiosks read of the calling state on PostgreSQL (each one
statement; a display's feed reads a site's events by their per-site number, which numbers them
in commit order: see migrations/0003_calling.sql)."""

from __future__ import annotations

from typing import Any

from central.store.calling import CallEvent, CallingTicket, CounterState
from central.store.postgres.base import PostgresBase

TICKET_COLUMNS = (
    "ticket, service, COALESCE(queue_service, service), number, priority, issued_at, state, voided, "
    "called_at, counter, target_counter, finished_at, calls, device_id"
)
EVENT_COLUMNS = "seq, key, site_id, day, counter, staff, action, ticket, service, data, at"


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
        called_at=row[8],
        counter=row[9],
        target_counter=row[10],
        finished_at=row[11],
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
        data=dict(row[9]),
        at=row[10],
    )


class CallingReadsPart(PostgresBase):
    def calling_events(self, site_id: str, after_seq: int, limit: int) -> list[CallEvent]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {EVENT_COLUMNS} FROM calling_events WHERE site_id = %s AND seq > %s "
                "ORDER BY seq LIMIT %s",
                [site_id, after_seq, limit],
            ).fetchall()
        return [call_event(r) for r in rows]

    def last_calling_seq(self, site_id: str) -> int:
        with self._read() as db:
            row = db.execute("SELECT seq FROM calling_seq WHERE site_id = %s", [site_id]).fetchone()
        return int(row[0]) if row else 0

    def recent_calls(self, site_id: str, day: str, limit: int, counter: str | None = None) -> list[CallEvent]:
        sql = (
            f"SELECT {EVENT_COLUMNS} FROM calling_events WHERE site_id = %s AND day = %s "
            "AND action IN ('call_next', 'recall', 'call_back') AND ticket IS NOT NULL"
        )
        args: list[Any] = [site_id, day]
        if counter is not None:
            sql += " AND counter = %s"
            args.append(counter)
        with self._read() as db:
            rows = db.execute(f"{sql} ORDER BY seq DESC LIMIT %s", [*args, limit]).fetchall()
        return [call_event(r) for r in rows]

    def calling_tickets(self, site_id: str, day: str) -> list[CallingTicket]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = %s AND day = %s "
                "ORDER BY priority IS NULL, issued_at, number",
                [site_id, day],
            ).fetchall()
        return [calling_ticket(r) for r in rows]

    def calling_ticket(self, site_id: str, day: str, ticket: str) -> CallingTicket | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {TICKET_COLUMNS} FROM tickets WHERE site_id = %s AND day = %s AND ticket = %s",
                [site_id, day, ticket],
            ).fetchone()
        return calling_ticket(row) if row else None

    def services_of_day(self, site_id: str, day: str) -> list[str]:
        with self._read() as db:
            rows = db.execute(
                "SELECT DISTINCT queue_service FROM tickets WHERE site_id = %s AND day = %s "
                "AND queue_service IS NOT NULL ORDER BY 1",
                [site_id, day],
            ).fetchall()
        return [str(r[0]) for r in rows]

    def find_tickets(self, day: str, ticket: str) -> list[tuple[str, CallingTicket, str | None]]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT site_id, link_key, {TICKET_COLUMNS} FROM tickets WHERE day = %s AND ticket = %s",
                [day, ticket],
            ).fetchall()
        return [(str(r[0]), calling_ticket(r[2:]), r[1]) for r in rows]

    def counter_states(self, site_id: str) -> list[CounterState]:
        with self._read() as db:
            rows = db.execute(
                "SELECT site_id, counter, state, staff, services, updated_at FROM counters "
                "WHERE site_id = %s ORDER BY length(counter), counter",
                [site_id],
            ).fetchall()
        return [CounterState(r[0], r[1], r[2], r[3], tuple(r[4]), r[5]) for r in rows]
