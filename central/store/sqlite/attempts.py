"""Attempt limits (`begin_attempt`, `end_attempt`): counted in one write transaction, so a
burst of parallel attempts gets no more than the limit, whichever server instance takes them."""

from __future__ import annotations

import math
import sqlite3
import uuid
from datetime import datetime, timedelta

from central.store.contract import AttemptLimit, AttemptVerdict
from central.store.sqlite.base import SQLiteBase, iso

KEPT = timedelta(days=1)  # rows older than this count under no limit and are deleted
# An attempt still being checked after this long was lost with its process: it no longer holds
# up the next one (it still counts as a failure).
CHECK_LOST = timedelta(seconds=30)


class AttemptsPart(SQLiteBase):
    def begin_attempt(self, limits: list[AttemptLimit], now: datetime) -> AttemptVerdict:
        with self._relaxed(), self._tx() as db:  # losing a count to a power cut is harmless
            db.execute("DELETE FROM attempts WHERE at < ?", [iso(now - KEPT)])
            wait = max((_wait_s(db, limit, now) for limit in limits), default=0)
            if wait:
                return AttemptVerdict(None, wait)
            attempt = uuid.uuid4().hex
            db.executemany(
                "INSERT INTO attempts (attempt, key, at) VALUES (?, ?, ?)",
                [(attempt, limit.key, iso(now)) for limit in limits],
            )
        return AttemptVerdict(attempt)

    def end_attempt(self, attempt: str, ok: bool, forget: list[str]) -> None:
        with self._relaxed(), self._tx() as db:
            if ok:
                db.execute("DELETE FROM attempts WHERE attempt = ?", [attempt])
                db.executemany("DELETE FROM attempts WHERE key = ?", [(key,) for key in forget])
            else:
                db.execute("UPDATE attempts SET checking = 0 WHERE attempt = ?", [attempt])


def _wait_s(db: sqlite3.Connection, limit: AttemptLimit, now: datetime) -> int:
    """Seconds until `limit` lets one more attempt through; 0 when it does now."""
    if limit.one_at_a_time:
        checking = db.execute(
            "SELECT 1 FROM attempts WHERE key = ? AND checking = 1 AND at > ?",
            [limit.key, iso(now - CHECK_LOST)],
        ).fetchone()
        if checking is not None:
            return 1
    window = timedelta(seconds=limit.window_s)
    # The oldest of the newest `max_failures` attempts in the window: when it leaves, one fits.
    row = db.execute(
        "SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
        [limit.key, iso(now - window), limit.max_failures - 1],
    ).fetchone()
    if row is None:
        return 0
    left = datetime.fromisoformat(row[0]) + window - now
    return max(1, math.ceil(left.total_seconds()))
