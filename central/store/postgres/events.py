"""Events (each id stored once per device), the tickets they describe, counter calls and commands.

A batch is a handful of statements whatever its size: the ids this kiosk already used are read
in one query, the new events inserted in one `INSERT … SELECT FROM unnest(…) ON CONFLICT
(device_id, id) DO NOTHING RETURNING id`, and the effects of those actually inserted applied
in batch order. When the same batch reaches two instances at once, the second insert waits on
the first's unique-index entries and then inserts nothing, so effects apply once and both
instances answer `accepted` (after comparing bodies, as for any repeat)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from itertools import groupby
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
from central.store.postgres.base import PostgresBase, jsonb, ts
from central.store.postgres.rollouts import UPDATE_RESULT_SQL, update_result_args

_TICKET_COLUMNS = "ticket, service, number, priority, issued_at, voided, called_at, counter"
_COMMAND_COLUMNS = "id, device_id, type, args, created_at, done_at, ok, detail"
_EVENT_COLUMNS = "seq, id, device_id, site_id, type, at, data, received_at"
_INSERT = (
    "INSERT INTO events (id, device_id, site_id, type, at, data, received_at) "
    "SELECT e.id, %s, %s, e.type, e.at, e.data, %s "
    "FROM unnest(%s::text[], %s::text[], %s::text[], %s::jsonb[]) "
    "WITH ORDINALITY AS e(id, type, at, data, n) "
    "ORDER BY e.n ON CONFLICT (device_id, id) DO NOTHING RETURNING id"
)


def _same(stored: tuple[str, str, Any], event: IncomingEvent) -> bool:
    return stored == (event.type, event.at, event.data)


def _unstorable(event: IncomingEvent) -> bool:
    # PostgreSQL text and JSONB cannot hold U+0000; SQLite can. Refuse such an event alone
    # rather than fail its whole batch (the kiosk would send it again forever).
    return "\x00" in event.id + event.type + event.at or "\\u0000" in json.dumps(event.data)


class EventsPart(PostgresBase):
    def add_events(self, device: Device, events: list[IncomingEvent], received_at: datetime) -> AddedEvents:
        refused = {e.id: "the event contains a NUL character" for e in events if _unstorable(e)}
        events = [e for e in events if e.id not in refused]
        with self._tx() as db:
            stored = self._stored(db, device, [e.id for e in events])
            owners = self._ticket_owners(db, device, events)
            new: list[IncomingEvent] = []
            for event in events:
                problem = self._refusal(device, event, stored.get(event.id), owners)
                if problem is not None:
                    refused[event.id] = problem
                elif event.id not in stored:
                    new.append(event)
                    stored[event.id] = (event.type, event.at, event.data)  # a repeat in the batch
            inserted = self._insert(db, device, new, received_at)
            raced = [e for e in new if e.id not in inserted]
            if raced:  # stored meanwhile by another instance: accepted only if the same event
                again = self._stored(db, device, [e.id for e in raced])
                for event in raced:
                    if event.id in again and not _same(again[event.id], event):
                        refused[event.id] = f"id {event.id} was already used by this kiosk for another event"
            effects = [e.effect for e in new if e.id in inserted and e.effect is not None]
            self._apply(db, device, effects, received_at)
        return AddedEvents(len(inserted), refused)

    def _stored(self, db: Any, device: Device, ids: list[str]) -> dict[str, tuple[str, str, Any]]:
        if not ids:
            return {}
        rows = db.execute(
            "SELECT id, type, at, data FROM events WHERE device_id = %s AND id = ANY(%s)", [device.id, ids]
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def _ticket_owners(
        self, db: Any, device: Device, events: list[IncomingEvent]
    ) -> dict[tuple[str, str], str]:
        keys = [
            (e.effect.day, e.effect.ticket)
            for e in events
            if isinstance(e.effect, TicketIssued | TicketVoided)
        ]
        if not keys:
            return {}
        rows = db.execute(
            "SELECT t.day, t.ticket, t.device_id FROM tickets t "
            "JOIN unnest(%s::text[], %s::text[]) AS k(day, ticket) ON t.day = k.day AND t.ticket = k.ticket "
            "WHERE t.site_id = %s",
            [[d for d, _ in keys], [t for _, t in keys], device.site_id],
        )
        return {(r[0], r[1]): r[2] for r in rows}

    @staticmethod
    def _refusal(
        device: Device,
        event: IncomingEvent,
        stored: tuple[str, str, Any] | None,
        owners: dict[tuple[str, str], str],
    ) -> str | None:
        """Why `event` cannot be stored, or None. The same event again is fine (stored once)."""
        if stored is not None:
            return (
                None
                if _same(stored, event)
                else f"id {event.id} was already used by this kiosk for another event"
            )
        effect = event.effect
        if isinstance(effect, TicketIssued | TicketVoided):
            owner = owners.get((effect.day, effect.ticket))
            if owner is not None and owner != device.id:
                return f"ticket {effect.ticket} of {effect.day} was issued by another kiosk"
        return None

    def _insert(self, db: Any, device: Device, new: list[IncomingEvent], at: datetime) -> set[str]:
        if not new:
            return set()
        rows = db.execute(
            _INSERT,
            [
                device.id,
                device.site_id,
                ts(at),
                [e.id for e in new],
                [e.type for e in new],
                [e.at for e in new],
                [jsonb(e.data) for e in new],
            ],
        )
        return {r[0] for r in rows}

    def _apply(self, db: Any, device: Device, effects: list[Effect], at: datetime) -> None:
        """Each run of effects of one kind in one pipelined executemany, runs in batch order."""
        for _, run in groupby(effects, key=type):
            sql, rows = _effect_rows(device, list(run), at)
            with db.cursor() as cursor:
                cursor.executemany(sql, rows)

    def list_events(
        self, device_id: str | None, type: str | None, after_seq: int, limit: int
    ) -> list[StoredEvent]:
        where: list[str] = ["seq > %s"]
        args: list[Any] = [after_seq]
        if device_id:
            where.append("device_id = %s")
            args.append(device_id)
        if type:
            where.append("type = %s")
            args.append(type)
        with self._tx() as db:
            # Sequence numbers are taken when a row is inserted, not when it commits: with several
            # instances, a batch that commits late can hold a lower number than one already read,
            # and a reader paging by `after` would skip it. SHARE waits for every insert in
            # flight to end (and holds new ones back for the few milliseconds of this read), so
            # every number below the highest one read is final.
            db.execute("LOCK TABLE events IN SHARE MODE")
            rows = db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE {' AND '.join(where)} ORDER BY seq LIMIT %s",
                [*args, limit],
            ).fetchall()
        return [StoredEvent(*r) for r in rows]

    def recent_events(self, device_id: str, limit: int) -> list[StoredEvent]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE device_id = %s ORDER BY seq DESC LIMIT %s",
                [device_id, limit],
            ).fetchall()
        return [StoredEvent(*r) for r in rows]

    def tickets_per_device(self, day: str) -> dict[str, int]:
        with self._read() as db:
            rows = db.execute(
                "SELECT device_id, COUNT(*) FROM tickets WHERE day = %s GROUP BY device_id", [day]
            ).fetchall()
        return {str(device): int(count) for device, count in rows}

    def tickets_of_day(self, site_id: str, day: str) -> list[TicketRow]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE site_id = %s AND day = %s "
                "ORDER BY issued_at, number",
                [site_id, day],
            ).fetchall()
        return [TicketRow(*r) for r in rows]

    def call_next(self, site_id: str, day: str, service: str, counter: str, at: datetime) -> TicketRow | None:
        # One statement: the first waiting ticket, locked; a counter on another instance calling
        # at the same moment skips the locked row and takes the next one (never the same).
        with self._tx() as db:
            row = db.execute(
                "UPDATE tickets SET called_at = %s, counter = %s, state = 'called', calls = calls + 1 "
                "WHERE site_id = %s AND day = %s AND ticket = (SELECT ticket FROM tickets WHERE site_id = %s "
                "AND day = %s AND service = %s AND NOT voided AND called_at IS NULL AND state = 'waiting' "
                "ORDER BY priority IS NULL, issued_at, number LIMIT 1 FOR UPDATE SKIP LOCKED) "
                f"AND called_at IS NULL RETURNING {_TICKET_COLUMNS}",
                [ts(at), counter, site_id, day, site_id, day, service],
            ).fetchone()
        return TicketRow(*row) if row else None

    def add_command(self, device_id: str, type: str, args: dict[str, Any], at: datetime) -> Command:
        command = Command(str(uuid.uuid4()), device_id, type, args, ts(at))
        with self._tx() as db:
            db.execute(
                "INSERT INTO commands (id, device_id, type, args, created_at) VALUES (%s, %s, %s, %s, %s)",
                [command.id, device_id, type, jsonb(args), ts(at)],
            )
        return command

    def pending_commands(self, device_id: str) -> list[Command]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COMMAND_COLUMNS} FROM commands WHERE device_id = %s AND done_at IS NULL "
                "ORDER BY created_at, id",
                [device_id],
            ).fetchall()
        return [Command(*r) for r in rows]

    def list_commands(self, device_id: str) -> list[Command]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COMMAND_COLUMNS} FROM commands WHERE device_id = %s ORDER BY created_at, id",
                [device_id],
            ).fetchall()
        return [Command(*r) for r in rows]


def _effect_rows(device: Device, run: list[Effect], at: datetime) -> tuple[str, list[tuple[Any, ...]]]:
    """The statement for a run of effects of one kind, and its rows."""
    site = device.site_id
    if isinstance(run[0], TicketIssued):
        issued = [e for e in run if isinstance(e, TicketIssued)]
        return (
            # Each ticket starts waiting in its own service, keyed for its phone link by its
            # kiosk's token (kept, so a later re-enrolment does not break today's links).
            "INSERT INTO tickets (site_id, day, ticket, service, number, priority, issued_at, device_id,"
            " queue_service, link_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " (SELECT token_hash FROM devices WHERE id = %s)) ON CONFLICT DO NOTHING",
            [
                (site, e.day, e.ticket, e.service, e.number, e.priority, e.issued_at, device.id)
                + (e.service, device.id)
                for e in issued
            ],
        )
    if isinstance(run[0], TicketVoided):
        voided = [e for e in run if isinstance(e, TicketVoided)]
        return (
            "UPDATE tickets SET voided = TRUE "
            "WHERE site_id = %s AND day = %s AND ticket = %s AND device_id = %s",
            [(site, e.day, e.ticket, device.id) for e in voided],
        )
    if isinstance(run[0], CommandDone):
        done = [e for e in run if isinstance(e, CommandDone)]
        return (
            "UPDATE commands SET done_at = %s, ok = %s, detail = %s "
            "WHERE id = %s AND device_id = %s AND done_at IS NULL",
            [(ts(at), e.ok, e.detail[:1000], e.command, device.id) for e in done],
        )
    results = [e for e in run if isinstance(e, UpdateResult)]
    return UPDATE_RESULT_SQL, [update_result_args(device.id, e, at) for e in results]
