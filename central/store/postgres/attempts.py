"""Attempt limits (`begin_attempt`, `end_attempt`): every key an attempt counts under is locked
for the transaction (advisory locks, in a fixed order, so no two attempts deadlock), so a burst
of parallel attempts spread over any number of server instances gets no more than the limit."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from central.store.contract import AttemptLimit, AttemptVerdict
from central.store.postgres.base import PostgresBase, ts

KEPT = timedelta(days=1)  # rows older than this count under no limit and are deleted
# An attempt still being checked after this long was lost with its process: it no longer holds
# up the next one (it still counts as a failure).
CHECK_LOST = timedelta(seconds=30)


class AttemptsPart(PostgresBase):
    def begin_attempt(self, limits: list[AttemptLimit], now: datetime) -> AttemptVerdict:
        with self._tx() as db:
            db.execute("SET LOCAL synchronous_commit = off")  # losing a count to a crash is harmless
            for key in sorted({limit.key for limit in limits}):
                db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"attempt {key}"])
            db.execute("DELETE FROM attempts WHERE at < %s", [ts(now - KEPT)])
            wait = max((_wait_s(db, limit, now) for limit in limits), default=0)
            if wait:
                return AttemptVerdict(None, wait)
            attempt = uuid.uuid4().hex
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO attempts (attempt, key, at) VALUES (%s, %s, %s)",
                    [(attempt, limit.key, ts(now)) for limit in limits],
                )
        return AttemptVerdict(attempt)

    def end_attempt(self, attempt: str, ok: bool, forget: list[str]) -> None:
        with self._tx() as db:
            db.execute("SET LOCAL synchronous_commit = off")
            if ok:
                db.execute("DELETE FROM attempts WHERE attempt = %s OR key = ANY(%s)", [attempt, forget])
            else:
                db.execute("UPDATE attempts SET checking = FALSE WHERE attempt = %s", [attempt])


def _wait_s(db: Any, limit: AttemptLimit, now: datetime) -> int:
    """Seconds until `limit` lets one more attempt through; 0 when it does now."""
    if limit.one_at_a_time:
        checking = db.execute(
            "SELECT 1 FROM attempts WHERE key = %s AND checking AND at > %s",
            [limit.key, ts(now - CHECK_LOST)],
        ).fetchone()
        if checking is not None:
            return 1
    window = timedelta(seconds=limit.window_s)
    # The oldest of the newest `max_failures` attempts in the window: when it leaves, one fits.
    row = db.execute(
        "SELECT at FROM attempts WHERE key = %s AND at > %s ORDER BY at DESC LIMIT 1 OFFSET %s",
        [limit.key, ts(now - window), limit.max_failures - 1],
    ).fetchone()
    if row is None:
        return 0
    left = row[0] + window - ts(now)
    return max(1, math.ceil(left.total_seconds()))
