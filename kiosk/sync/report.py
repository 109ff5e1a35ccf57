"""What a sync pass did, part by part, and where it is remembered: device_state keys
`sync.<part>.ok_at`, `sync.<part>.error` and `sync.last_error`, which the heartbeat reports and
the technician screen shows (kiosk.sync.status)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from kiosk import store

LAST_ERROR = "sync.last_error"


@dataclass
class PartResult:
    part: str
    ok: bool
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)
    # Set when the part failed talking to the server: the agent backs off before trying again.
    call_failed: bool = False
    retry_after_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"part": self.part, "ok": self.ok, "detail": self.detail, **self.figures}


@dataclass
class PassReport:
    parts: list[PartResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parts)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "parts": [p.to_json() for p in self.parts]}


def remember(db: sqlite3.Connection, result: PartResult) -> None:
    """Keep the outcome of one part for the heartbeat and the technician screen. A part that
    works again takes its error out of `sync.last_error`, so a pass where every part succeeds
    leaves no sync error behind (errors of others, e.g. the updater's, stay theirs to clear)."""
    now = store.now_utc()
    with store.transaction(db):
        if result.ok:
            store.set_state(db, f"sync.{result.part}.ok_at", now)
            db.execute("DELETE FROM device_state WHERE key = ?", [f"sync.{result.part}.error"])
            _clear_last_error(db, result.part)
        else:
            message = f"{result.part}: {result.detail}"[:500]
            store.set_state(db, f"sync.{result.part}.error", f"{now} {message}")
            store.set_state(db, LAST_ERROR, message)


def _clear_last_error(db: sqlite3.Connection, part: str) -> None:
    """Replace a `part` error in `sync.last_error` with the newest error of another part still
    failing, or remove it."""
    last = store.get_state(db, LAST_ERROR)
    if last is None or not last.startswith(f"{part}: "):
        return
    standing = db.execute(
        "SELECT value FROM device_state WHERE key LIKE 'sync.%.error' ORDER BY value DESC LIMIT 1"
    ).fetchone()
    if standing is None:
        db.execute("DELETE FROM device_state WHERE key = ?", [LAST_ERROR])
    else:
        store.set_state(db, LAST_ERROR, str(standing[0]).split(" ", 1)[-1])
