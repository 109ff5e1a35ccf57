"""Durable events for the central server (invariant 2: the outbox loses nothing).

`add` is called inside the transaction of the change it describes, so the change and its event
commit together. The sync agent reads `pending`, posts them, and calls `accepted` / `rejected`
with the server's answer; an event leaves the table only when the server accepted its id.
The event types are the protocol's (kiosk/protocol/events.py).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.protocol.events import EVENT_TYPES


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    at: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "at": self.at, "data": self.data}


def add(db: sqlite3.Connection, type: str, data: dict[str, Any], at: datetime) -> str:
    """Queue one event; returns its id. `at` must be timezone-aware (site local time)."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    if at.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    event_id = str(uuid.uuid4())
    db.execute(
        "INSERT INTO outbox (id, type, at, data) VALUES (?, ?, ?, ?)",
        [event_id, type, at.isoformat(timespec="seconds"), json.dumps(data, ensure_ascii=False)],
    )
    return event_id


def pending(db: sqlite3.Connection, limit: int = 500) -> list[Event]:
    """The oldest events not yet accepted and not rejected, at most `limit`."""
    rows = db.execute(
        "SELECT id, type, at, data FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?",
        [limit],
    ).fetchall()
    return [Event(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def accepted(db: sqlite3.Connection, ids: list[str]) -> int:
    """Remove the events the server accepted; returns how many were removed."""
    removed = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        removed += db.execute(f"DELETE FROM outbox WHERE id IN ({marks})", chunk).rowcount
    return removed


def rejected(db: sqlite3.Connection, event_id: str, reason: str) -> None:
    """Keep a rejected event, marked, so it is reported and never retried blindly."""
    db.execute(
        "UPDATE outbox SET state = 'rejected', reason = ?, attempts = attempts + 1 WHERE id = ?",
        [reason[:500], event_id],
    )


def counts(db: sqlite3.Connection) -> dict[str, int]:
    """{'pending': n, 'rejected': m}."""
    result = {"pending": 0, "rejected": 0}
    for state, n in db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"):
        result[state] = n
    return result
