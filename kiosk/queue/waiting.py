"""People ahead and the estimated wait printed on a ticket and shown on the service buttons.

Live figures come from the server's queue status (GET /api/v1/queue, stored by the agent) when it
is fresh. Otherwise the kiosk estimates from its own tickets and the last known average service
time, and says it is an estimate. With no average service time ever learnt, nothing is shown:
a stale figure is never shown as live, and a figure resting on nothing is not shown at all."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk import store
from kiosk.config import Service

QUEUE_STATUS_KEY = "queue.status"
FRESH_S = 120


@dataclass(frozen=True)
class Waiting:
    people_ahead: int | None
    wait_minutes: int | None
    live: bool

    @property
    def known(self) -> bool:
        return self.people_ahead is not None


UNKNOWN = Waiting(None, None, False)


def save_server_status(db: sqlite3.Connection, status: dict[str, object]) -> None:
    """Store the server's queue status (the agent calls this after GET /queue)."""
    store.set_state(db, QUEUE_STATUS_KEY, json.dumps(status, ensure_ascii=False))


def _server_entry(db: sqlite3.Connection, service_id: str) -> tuple[dict[str, object], datetime] | None:
    raw = store.get_state(db, QUEUE_STATUS_KEY)
    if not raw:
        return None
    try:
        status = json.loads(raw)
        at = datetime.fromisoformat(status["at"])
        entry = next(s for s in status["services"] if s.get("id") == service_id)
    except (ValueError, KeyError, TypeError, StopIteration):
        return None
    return entry, at


def _minutes(people: int, avg_service_s: float, counters: int) -> int:
    return math.ceil(people * avg_service_s / max(1, counters) / 60)


def estimate(
    db: sqlite3.Connection, service: Service, moment: datetime, day: str, before_number: int | None = None
) -> Waiting:
    """Who is ahead of the next ticket (or of ticket `before_number`) for `service` at `moment`."""
    found = _server_entry(db, service.id)
    if found is None:
        return UNKNOWN
    entry, at = found
    try:
        avg = float(entry["avg_service_s"] or 0)  # type: ignore[arg-type]
        waiting = int(entry["waiting"])  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        return UNKNOWN
    fresh = abs((moment - at).total_seconds()) <= FRESH_S
    if avg <= 0:
        # No call ended yet today: the people ahead are known, the minutes are not.
        return Waiting(waiting, None, live=True) if fresh else UNKNOWN
    counters = len(service.counters)
    if fresh:
        return Waiting(waiting, _minutes(waiting, avg, counters), live=True)
    return _local_estimate(db, service, moment, day, avg, before_number)


def serving_now(db: sqlite3.Connection, service_id: str, moment: datetime) -> str | None:
    """The ticket the office serves now for this service ("Đang phục vụ: A012"), while the
    server's figures are fresh; None otherwise (never an old figure shown as live)."""
    found = _server_entry(db, service_id)
    if found is None or abs((moment - found[1]).total_seconds()) > FRESH_S:
        return None
    serving = found[0].get("serving")
    return serving if isinstance(serving, str) else None


def _local_estimate(
    db: sqlite3.Connection,
    service: Service,
    moment: datetime,
    day: str,
    avg_service_s: float,
    before_number: int | None,
) -> Waiting:
    """Tickets this kiosk issued today, less those the counters have likely served since the
    first of them (elapsed time / average service time per counter)."""
    sql = "SELECT COUNT(*), MIN(issued_at) FROM tickets WHERE day = ? AND service = ? AND state != 'voided'"
    args: list[object] = [day, service.id]
    if before_number is not None:
        sql += " AND number < ?"
        args.append(before_number)
    count, first = db.execute(sql, args).fetchone()
    if not count:
        return Waiting(0, 0, live=False)
    elapsed = max(0.0, (moment - datetime.fromisoformat(first)).total_seconds())
    served = int(elapsed * max(1, len(service.counters)) / avg_service_s)
    ahead = max(0, count - served)
    return Waiting(ahead, _minutes(ahead, avg_service_s, len(service.counters)), live=False)
