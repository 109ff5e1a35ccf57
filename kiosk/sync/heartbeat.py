"""The heartbeat: what this kiosk tells the server about itself, and the server's answer
(versions to catch up with, a release, commands).

Other processes leave their state in device_state for the agent to report:
`printer.state` / `printer.detail` (the printer driver, PROTOCOL.md printer states) and
`ui.alive_at` (the UI, an ISO time it refreshes while its main loop runs)."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk import __version__, config, outbox, store
from kiosk.catalogue_store import catalogue_version
from kiosk.queue import CLOCK_OFFSET_KEY
from kiosk.sync.answers import HeartbeatAnswer, parse_heartbeat
from kiosk.sync.client import API, ServerClient
from kiosk.sync.report import LAST_ERROR

PRINTER_STATE = "printer.state"
PRINTER_DETAIL = "printer.detail"
UI_ALIVE_AT = "ui.alive_at"
CLOCK_OFFSET = CLOCK_OFFSET_KEY  # the queue corrects its clock with it
UI_SILENT_AFTER_S = 120


def applied_config_version(state_dir: Path) -> int | None:
    """The version of the server settings in force (server-settings.json), None if none."""
    try:
        data = json.loads((state_dir / config.SERVER_SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def build_heartbeat(db: sqlite_utils.Database, state_dir: Path) -> dict[str, Any]:
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
        "printer": {
            "state": store.get_state(db, PRINTER_STATE) or "offline",
            "detail": store.get_state(db, PRINTER_DETAIL) or "",
        },
        "outbox_pending": counts["pending"],
        "outbox_rejected": counts["rejected"],
        "rejected_events": [{"id": r[0], "type": r[1], "reason": r[2]} for r in rejected],
        "disk_free_mb": round(shutil.disk_usage(state_dir).free / 2**20),
        "ui_healthy": _ui_healthy(store.get_state(db, UI_ALIVE_AT)),
        "last_error": store.get_state(db, LAST_ERROR),
    }


def send_heartbeat(client: ServerClient, db: sqlite_utils.Database, state_dir: Path) -> HeartbeatAnswer:
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


def _ui_healthy(alive_at: str | None) -> bool | None:
    if not alive_at:
        return None
    try:
        seen = datetime.fromisoformat(alive_at)
    except ValueError:
        return False
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return (datetime.now(UTC) - seen).total_seconds() < UI_SILENT_AFTER_S
