"""What the UI process tells the agent (and the updater's health gate) about itself.

The UI writes, the agent reads, through `device_state` keys owned by the UI (`ui.*`); the agent
writes only `ui.exit_requested`. No Kivy here: kiosk/app.py calls these functions.

The app must call:
- `report_ui_started(db, version)` when it starts (before building screens);
- `report_ui_healthy(db, version, printer_driver_up=...)` once its first frame is drawn and the
  database is open (a printer that is merely out of paper still counts as "driver up");
- `set_busy(db, reason)` while a citizen is mid-flow or a ticket is printing, and `clear_busy(db)`
  when back on the home screen (the busy flag expires by itself after `ttl_s`, so a UI that died
  mid-flow never blocks updates for ever);
- `exit_requested(db)` every few seconds while idle; when it returns a reason, exit with code 0
  (systemd starts the UI again, on the new release);
- and, for systemd (Type=notify, WatchdogSec), kiosk/device/sdnotify.py's `notify("READY=1")` after
  the first frame and `notify("WATCHDOG=1")` from the Kivy clock.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.store import get_state, set_state

UI_STARTED = "ui.started"
UI_HEALTHY = "ui.healthy"
UI_BUSY = "ui.busy"
UI_EXIT_REQUESTED = "ui.exit_requested"


@dataclass(frozen=True)
class UiHealth:
    """The UI's last report. `healthy_at` is None until the running UI drew its first frame."""

    version: str | None
    started_at: datetime | None
    healthy_at: datetime | None
    printer_driver_up: bool


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _read(db: sqlite3.Connection, key: str) -> dict[str, object]:
    raw = get_state(db, key)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def report_ui_started(db: sqlite3.Connection, version: str) -> None:
    """A new UI process runs `version`; its earlier health no longer counts."""
    set_state(db, UI_STARTED, json.dumps({"version": version, "at": _stamp(_now()), "pid": os.getpid()}))
    set_state(db, UI_HEALTHY, json.dumps({}))
    set_state(db, UI_EXIT_REQUESTED, "")


def report_ui_healthy(db: sqlite3.Connection, version: str, *, printer_driver_up: bool) -> None:
    """The first frame is drawn and the database is open: the update health gate may pass."""
    record = {"version": version, "at": _stamp(_now()), "printer_driver_up": printer_driver_up}
    set_state(db, UI_HEALTHY, json.dumps(record))


def read_ui_health(db: sqlite3.Connection) -> UiHealth:
    started, healthy = _read(db, UI_STARTED), _read(db, UI_HEALTHY)
    same_run = healthy.get("version") == started.get("version")
    return UiHealth(
        version=str(started["version"]) if started.get("version") else None,
        started_at=_time(started.get("at")),
        healthy_at=_time(healthy.get("at")) if same_run else None,
        printer_driver_up=bool(healthy.get("printer_driver_up")) and same_run,
    )


def ui_pid(db: sqlite3.Connection) -> int | None:
    pid = _read(db, UI_STARTED).get("pid")
    return pid if isinstance(pid, int) else None


def set_busy(db: sqlite3.Connection, reason: str, ttl_s: float = 180.0) -> None:
    """A citizen is mid-flow or a ticket is printing: no update may restart the UI until
    `clear_busy` or until `ttl_s` passes without another `set_busy`."""
    until = _now() + timedelta(seconds=ttl_s)
    set_state(db, UI_BUSY, json.dumps({"reason": reason, "until": _stamp(until)}))


def clear_busy(db: sqlite3.Connection) -> None:
    set_state(db, UI_BUSY, json.dumps({}))


def busy_reason(db: sqlite3.Connection, now: datetime | None = None) -> str | None:
    """Why the UI is busy now, or None when it is idle (or its busy flag expired)."""
    busy = _read(db, UI_BUSY)
    until = _time(busy.get("until"))
    if until is None or until <= (now or _now()):
        return None
    return str(busy.get("reason") or "busy")


def request_ui_exit(db: sqlite3.Connection, reason: str) -> None:
    """Written by the agent: the UI should exit (code 0) at its next idle moment."""
    set_state(db, UI_EXIT_REQUESTED, reason)


def exit_requested(db: sqlite3.Connection) -> str | None:
    return get_state(db, UI_EXIT_REQUESTED) or None
