"""The heartbeat: what this kiosk tells the server about itself, and the server's answer
(versions to catch up with, a release, commands).

Other processes leave their state in device_state for the agent to report: the UI writes
`printer.status` (JSON {"state", "detail"}, kiosk.services.record_printer_status) and its health
(`ui.started`, `ui.healthy`, kiosk.device.health); the updater writes `update.status` and
`update.last_result`."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import __version__, outbox, store
from kiosk.catalogue.store import catalogue_version
from kiosk.device import health
from kiosk.queue.numbering import CLOCK_OFFSET_KEY
from kiosk.services import PRINTER_STATE_KEY
from kiosk.sync.answers import HeartbeatAnswer, parse_heartbeat
from kiosk.sync.client import API, ServerClient
from kiosk.sync.report import LAST_ERROR
from kiosk.sync.status import applied_config_version
from kiosk.update.updater import update_status

CLOCK_OFFSET = CLOCK_OFFSET_KEY  # the queue corrects its clock with it


def build_heartbeat(db: sqlite3.Connection, state_dir: Path) -> dict[str, Any]:
    counts = outbox.counts(db)
    rejected = db.execute(
        "SELECT id, type, reason FROM outbox WHERE state = 'rejected' ORDER BY seq DESC LIMIT 10"
    ).fetchall()
    offset = store.get_state(db, CLOCK_OFFSET)
    return {
        "app_version": __version__,
        "catalogue_version": catalogue_version(db),
        "config_version": applied_config_version(state_dir),
        "uptime_s": _uptime_s(),
        "clock": datetime.now().astimezone().isoformat(timespec="seconds"),
        "clock_offset_s": round(float(offset), 3) if offset else None,
        "printer": printer_status(db),
        "outbox_pending": counts["pending"],
        "outbox_rejected": counts["rejected"],
        "rejected_events": [{"id": r[0], "type": r[1], "reason": r[2]} for r in rejected],
        "disk_free_mb": round(shutil.disk_usage(state_dir).free / 2**20),
        "ui_healthy": ui_healthy(db),
        "last_error": store.get_state(db, LAST_ERROR),
        "update": update_status(db, __version__),
    }


def send_heartbeat(client: ServerClient, db: sqlite3.Connection, state_dir: Path) -> HeartbeatAnswer:
    reply = client.call("POST", f"{API}/heartbeat", body=build_heartbeat(db, state_dir))
    answer = parse_heartbeat(reply.data)
    if client.clock_offset_s is not None:
        store.set_state(db, CLOCK_OFFSET, f"{client.clock_offset_s:.3f}")
    return answer


def _uptime_s() -> float:
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return time.monotonic()


def printer_status(db: sqlite3.Connection) -> dict[str, str] | None:
    """The printer state the UI last recorded ({"state", "detail"}), None if it never did."""
    try:
        value = json.loads(store.get_state(db, PRINTER_STATE_KEY) or "null")
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("state"), str):
        return None
    return {"state": value["state"], "detail": str(value.get("detail") or "")[:500]}


def ui_healthy(db: sqlite3.Connection) -> bool | None:
    """None before any UI started on this device; else whether the UI that started last drew
    its first frame (kiosk.device.health) and its process is still there."""
    report = health.read_ui_health(db)
    if report.started_at is None:
        return None
    return report.healthy_at is not None and _alive(health.ui_pid(db))


def ui_running(db: sqlite3.Connection) -> bool:
    """A UI process reported its start and is still there (it owns the printer and scanner)."""
    return health.read_ui_health(db).started_at is not None and _alive(health.ui_pid(db))


def _alive(pid: int | None) -> bool:
    if pid is None:
        return True  # an older UI that did not record its pid: trust its report
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # there, under another user
    return True
