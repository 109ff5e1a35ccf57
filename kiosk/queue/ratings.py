"""A citizen's rating of the service (Rất hài lòng / Hài lòng / Không hài lòng), recorded as a
rating.submitted event for the server; the outbox keeps it until the server accepted it."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from kiosk import outbox, store

SCORES = {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"}


def record_rating(
    db: sqlite3.Connection,
    score: int,
    service: str | None,
    counter: str | None,
    at: datetime,
) -> str:
    """Record one rating (3 = Rất hài lòng, 2 = Hài lòng, 1 = Không hài lòng); returns the event
    id. `at` must be timezone-aware. ValueError for a score outside 1–3."""
    if isinstance(score, bool) or score not in SCORES:
        raise ValueError(f"score must be 3, 2 or 1, not {score!r}")
    with store.transaction(db):
        return outbox.add(
            db, "rating.submitted", {"score": score, "service": service, "counter": counter}, at
        )
