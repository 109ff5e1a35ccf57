"""The procedures looked up most on this kiosk: the "Thủ tục hay dùng" strip of the lookup screen.

Counts are kept on the kiosk (lookup_views, written by the UI process only) by code, so a new
catalogue keeps them. Until there are counts, and among procedures looked up equally often, the
catalogue's own published order decides: a province lists its common procedures first."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from kiosk.catalogue.store import ProcedureSummary
from kiosk.store import transaction

POPULAR_COUNT = 4


def record_view(db: sqlite3.Connection, code: str, moment: datetime) -> None:
    """Count one look at a procedure's detail."""
    with transaction(db):
        db.execute(
            "INSERT INTO lookup_views (code, views, last_viewed_at) VALUES (?, 1, ?) "
            "ON CONFLICT (code) DO UPDATE SET views = views + 1, last_viewed_at = excluded.last_viewed_at",
            [code, moment.isoformat(timespec="seconds")],
        )


def popular_procedures(db: sqlite3.Connection, limit: int = POPULAR_COUNT) -> list[ProcedureSummary]:
    """The `limit` procedures looked up most here, then the catalogue's order."""
    rows = db.execute(
        "SELECT p.code, p.name, p.name_en, p.field, p.level FROM catalogue_procedure p "
        "LEFT JOIN lookup_views v ON v.code = p.code "
        "ORDER BY coalesce(v.views, 0) DESC, p.position LIMIT ?",
        [limit],
    )
    return [ProcedureSummary(*row) for row in rows]
