"""Events (each id stored once per device), the tickets they describe, counter calls and commands."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from central.store.contract import (
    AddedEvents,
    Command,
    CommandDone,
    Device,
    Effect,
    IncomingEvent,
    StoredEvent,
    TicketIssued,
    TicketRow,
    TicketVoided,
    UpdateResult,
)
from central.store.sqlite.base import SQLiteBase, dumps, iso, parse_time
from central.store.sqlite.rollouts import record_update_result

_TICKET_COLUMNS = "ticket, service, number, priority, issued_at, voided, called_at, counter"
_COMMAND_COLUMNS = "id, device_id, type, args, created_at, done_at, ok, detail"


def _ticket(row: Any) -> TicketRow:
    return TicketRow(
        ticket=row[0],
        service=row[1],
        number=row[2],
        priority=row[3],
        issued_at=row[4],
        voided=bool(row[5]),
        called_at=parse_time(row[6]),
        counter=row[7],
    )


def _command(row: Any) -> Command:
    created = parse_time(row[4])
    assert created is not None
    return Command(
        id=row[0],
        device_id=row[1],
        type=row[2],
        args=json.loads(row[3]),
        created_at=created,
        done_at=parse_time(row[5]),
        ok=None if row[6] is None else bool(row[6]),
        detail=row[7],
    )


def _refusal(db: Any, device: Device, event: IncomingEvent) -> str | None:
    """Why `event` cannot be stored, or None. The same event again is fine (stored once)."""
    row = db.execute(
        "SELECT type, at, data FROM events WHERE device_id = ? AND id = ?", [device.id, event.id]
    ).fetchone()
    if row is not None:
        if (row[0], row[1], json.loads(row[2])) != (event.type, event.at, event.data):
            return f"id {event.id} was already used by this kiosk for another event"
        return None
    effect = event.effect
    if isinstance(effect, TicketIssued | TicketVoided):
        owner = db.execute(
            "SELECT device_id FROM tickets WHERE site_id = ? AND day = ? AND ticket = ?",
            [device.site_id, effect.day, effect.ticket],
        ).fetchone()
        if owner is not None and owner[0] != device.id:
            return f"ticket {effect.ticket} of {effect.day} was issued by another kiosk"
    return None


class EventsPart(SQLiteBase):
    def add_events(self, device: Device, events: list[IncomingEvent], received_at: datetime) -> AddedEvents:
        stored, refused = 0, {}
        with self._tx() as db:
            for event in events:
                problem = _refusal(db, device, event)
                if problem is not None:
                    refused[event.id] = problem
                    continue
                cursor = db.execute(
                    "INSERT INTO events (id, device_id, site_id, type, at, data, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(device_id, id) DO NOTHING",
                    [
                        event.id,
                        device.id,
                        device.site_id,
                        event.type,
                        event.at,
                        dumps(event.data),
                        iso(received_at),
                    ],
                )
                if cursor.rowcount == 1:
                    stored += 1
                    if event.effect is not None:
                        self._apply(db, device, event.effect, received_at)
        return AddedEvents(stored, refused)

    def _apply(self, db: Any, device: Device, effect: Effect, at: datetime) -> None:
        if isinstance(effect, TicketIssued):
            db.execute(
                "INSERT INTO tickets (site_id, day, ticket, service, number, priority, issued_at,"
                " device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    device.site_id,
                    effect.day,
                    effect.ticket,
                    effect.service,
                    effect.number,
                    effect.priority,
                    effect.issued_at,
                    device.id,
                ],
            )
        elif isinstance(effect, TicketVoided):
            db.execute(
                "UPDATE tickets SET voided = 1 WHERE site_id = ? AND day = ? AND ticket = ? "
                "AND device_id = ?",
                [device.site_id, effect.day, effect.ticket, device.id],
            )
        elif isinstance(effect, CommandDone):
            db.execute(
                "UPDATE commands SET done_at = ?, ok = ?, detail = ? "
                "WHERE id = ? AND device_id = ? AND done_at IS NULL",
                [iso(at), int(effect.ok), effect.detail[:1000], effect.command, device.id],
            )
        elif isinstance(effect, UpdateResult):
            record_update_result(db, device.id, effect, at)

    def list_events(
        self, device_id: str | None, type: str | None, after_seq: int, limit: int
    ) -> list[StoredEvent]:
        where: list[str] = ["seq > ?"]
        args: list[Any] = [after_seq]
        if device_id:
            where.append("device_id = ?")
            args.append(device_id)
        if type:
            where.append("type = ?")
            args.append(type)
        rows = self._db().execute(
            "SELECT seq, id, device_id, site_id, type, at, data, received_at FROM events "
            f"WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
            [*args, limit],
        )
        return [
            StoredEvent(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), datetime.fromisoformat(r[7]))
            for r in rows
        ]

    def recent_events(self, device_id: str, limit: int) -> list[StoredEvent]:
        rows = self._db().execute(
            "SELECT seq, id, device_id, site_id, type, at, data, received_at FROM events "
            "WHERE device_id = ? ORDER BY seq DESC LIMIT ?",
            [device_id, limit],
        )
        return [
            StoredEvent(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), datetime.fromisoformat(r[7]))
            for r in rows
        ]

    def tickets_per_device(self, day: str) -> dict[str, int]:
        rows = self._db().execute(
            "SELECT device_id, COUNT(*) FROM tickets WHERE day = ? GROUP BY device_id", [day]
        )
        return {str(device): int(count) for device, count in rows}

    def tickets_of_day(self, site_id: str, day: str) -> list[TicketRow]:
        rows = self._db().execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE site_id = ? AND day = ? ORDER BY issued_at, number",
            [site_id, day],
        )
        return [_ticket(r) for r in rows]

    def call_next(self, site_id: str, day: str, service: str, counter: str, at: datetime) -> TicketRow | None:
        with self._tx() as db:
            # Priority tickets (elderly, disabled, pregnant, merit) are called first.
            row = db.execute(
                "SELECT ticket FROM tickets WHERE site_id = ? AND day = ? AND service = ? "
                "AND voided = 0 AND called_at IS NULL "
                "ORDER BY priority IS NULL, issued_at, number LIMIT 1",
                [site_id, day, service],
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE tickets SET called_at = ?, counter = ? WHERE site_id = ? AND day = ? AND ticket = ?",
                [iso(at), counter, site_id, day, row[0]],
            )
            called = db.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE site_id = ? AND day = ? AND ticket = ?",
                [site_id, day, row[0]],
            ).fetchone()
        return _ticket(called)

    def add_command(self, device_id: str, type: str, args: dict[str, Any], at: datetime) -> Command:
        command = Command(str(uuid.uuid4()), device_id, type, args, at)
        with self._tx() as db:
            db.execute(
                "INSERT INTO commands (id, device_id, type, args, created_at) VALUES (?, ?, ?, ?, ?)",
                [command.id, device_id, type, dumps(args), iso(at)],
            )
        return command

    def pending_commands(self, device_id: str) -> list[Command]:
        rows = self._db().execute(
            f"SELECT {_COMMAND_COLUMNS} FROM commands WHERE device_id = ? AND done_at IS NULL "
            "ORDER BY created_at",
            [device_id],
        )
        return [_command(r) for r in rows]

    def list_commands(self, device_id: str) -> list[Command]:
        rows = self._db().execute(
            f"SELECT {_COMMAND_COLUMNS} FROM commands WHERE device_id = ? ORDER BY created_at",
            [device_id],
        )
        return [_command(r) for r in rows]
