"""After the switch: the health gate, the crash-loop watch, rollback and update.result reports.

The switch record (device_state `update.switch`) is written before `current` moves and survives
the agent's own restart, so the agent that starts on the new code carries on the gate. The
record's format is kept simple and stable: the *old* release's `kiosk update rollback` (run by
kiosk-rollback.service when the new agent itself crash-loops) reads it too.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from kiosk import outbox, store
from kiosk.device import health
from kiosk.update.db import restore_database, schema_of
from kiosk.update.install import ReleaseLayout, point_link

SWITCH_KEY = "update.switch"
REFUSED_KEY = "update.refused"
LAST_RESULT_KEY = "update.last_result"
STATUS_KEY = "update.status"


class Services(Protocol):
    """What the updater needs from the process supervisor (systemd on a device)."""

    def ui_restart_count(self) -> int | None:
        """How many times the UI was restarted so far (monotonic), None if unknown."""
        ...

    def stop_ui(self) -> None:
        """End the UI process now (it is hung or will not exit); the supervisor starts it again."""
        ...


class SystemdServices:
    """Services of a device: systemd's NRestarts of kiosk.service, SIGTERM to the UI's pid."""

    def __init__(self, db: sqlite3.Connection, unit: str = "kiosk.service") -> None:
        self.db = db
        self.unit = unit

    def ui_restart_count(self) -> int | None:
        try:
            out = subprocess.run(
                ["systemctl", "show", "--property=NRestarts", "--value", self.unit],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout
            return int(out.strip())
        except (OSError, subprocess.SubprocessError, ValueError):
            return None

    def stop_ui(self) -> None:
        pid = health.ui_pid(self.db)
        if pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)


@dataclass(frozen=True)
class GateOptions:
    # The new UI must draw its first frame, open the database and start the printer driver
    # within this many seconds of the switch.
    health_deadline_s: float = 180.0
    # A crash loop: this many UI restarts within crash_window_s after the switch rolls back,
    # also after the UI once reported healthy.
    crash_restarts: int = 3
    crash_window_s: float = 300.0
    # The old UI did not exit by itself at its next idle moment: stop it.
    exit_grace_s: float = 60.0


class Reporter:
    """Queues update.result events (PROTOCOL.md) in the outbox, with site-local times."""

    def __init__(self, db: sqlite3.Connection, timezone: str) -> None:
        self.db = db
        self.zone = ZoneInfo(timezone)

    def result(
        self, ok: bool, stage: str, from_v: str | None, to_v: str, detail: str, *, retrying: bool = False
    ) -> None:
        """`retrying`: the failure was not the release's fault and the kiosk will try the same
        release again by itself (so the server keeps offering it)."""
        data: dict[str, Any] = {"from": from_v, "to": to_v, "ok": ok, "stage": stage, "detail": detail[:1000]}
        if retrying:
            data["retrying"] = True
        now = datetime.now(self.zone)
        with store.transaction(self.db):
            outbox.add(self.db, "update.result", data, now)
            store.set_state(self.db, LAST_RESULT_KEY, json.dumps({**data, "at": now.isoformat()}))
            store.set_state(self.db, STATUS_KEY, f"{'ok' if ok else 'failed'}: {to_v} ({stage})")

    def status(self, text: str) -> None:
        store.set_state(self.db, STATUS_KEY, text)


def load_json(db: sqlite3.Connection, key: str) -> dict[str, Any]:
    raw = store.get_state(db, key)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def save_json(db: sqlite3.Connection, key: str, value: dict[str, Any]) -> None:
    store.set_state(db, key, json.dumps(value, ensure_ascii=False))


def start_counting_restarts(record: dict[str, Any], count: int) -> None:
    """At the switch: the supervisor's count now, and the one restart the switch itself causes,
    which is not a crash. The count must be known (the updater does not switch until it is): a
    count first learnt later may already include the switch's own restart, and the first crash
    would then be taken for it."""
    record["restarts_counted"] = count
    record["own_restart_pending"] = True
    record["restart_times"] = []


def count_restarts(record: dict[str, Any], count: int | None, now: float) -> None:
    """Add a timestamp to the record for every UI restart beyond those already counted."""
    counted = record.get("restarts_counted")
    if count is None:
        return
    if counted is None or count < counted:  # unknown before, or the counter was reset (reboot)
        record["restarts_counted"] = count
        if counted is not None:
            # The UI the switch asked to exit is gone with the reboot and the one started at
            # boot is no restart: the switch's own restart will not come.
            record["own_restart_pending"] = False
        return
    new = count - counted
    if new and record.get("own_restart_pending"):
        new -= 1
        record["own_restart_pending"] = False
    record.setdefault("restart_times", []).extend([now] * new)
    record["restarts_counted"] = count


def crash_loop(record: dict[str, Any], options: GateOptions, now: float) -> int:
    """How many UI restarts fell in the crash window (0 unless it is a crash loop)."""
    recent = [t for t in record.get("restart_times", []) if now - t <= options.crash_window_s]
    return len(recent) if len(recent) >= options.crash_restarts else 0


def ui_healthy_since(db: sqlite3.Connection, version: str, since: float) -> bool:
    report = health.read_ui_health(db)
    return (
        report.version == version and report.healthy_at is not None and report.healthy_at.timestamp() >= since
    )


def ui_restarted_since(db: sqlite3.Connection, since: float) -> bool:
    started = health.read_ui_health(db).started_at
    return started is not None and started.timestamp() >= since


@contextlib.contextmanager
def rollback_lock(state_dir: Path) -> Iterator[None]:
    """One rollback at a time: the agent and kiosk-rollback.service may both see a crash loop."""
    with open(state_dir / "update.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def roll_back(
    db: sqlite3.Connection,
    state_dir: Path,
    layout: ReleaseLayout,
    reporter: Reporter,
    reason: str,
) -> str | None:
    """Switch `current` back, restore the database if the new release migrated it, report and
    remember the release as refused; None when no update is on probation (nothing to undo).
    The caller then restarts the UI and the agent."""
    with rollback_lock(state_dir):
        record = load_json(db, SWITCH_KEY)
        if not record:
            return None
        return _roll_back_locked(db, state_dir, layout, reporter, record, reason)


def _roll_back_locked(
    db: sqlite3.Connection,
    state_dir: Path,
    layout: ReleaseLayout,
    reporter: Reporter,
    record: dict[str, Any],
    reason: str,
) -> str:
    point_link(layout.current, Path(record["from_dir"]))
    detail = reason
    backup = Path(record["backup"])
    live = state_dir / store.DB_NAME
    if backup.exists() and schema_of(live) > int(record["schema_before"]):
        carried = restore_database(state_dir, backup, keep_as=f"failed-{record['to']}")
        detail += f"; database restored from the backup ({carried} outbox events carried over)"
    refuse(db, record["to"], record.get("digest", ""), "health", detail)
    reporter.result(False, "health", record["from"], record["to"], f"rolled back: {detail}")
    store.set_state(db, SWITCH_KEY, "")
    health.request_ui_exit(db, f"rollback to {record['from']}")
    return detail


def refuse(db: sqlite3.Connection, version: str, digest: str, stage: str, detail: str) -> None:
    """Never install this signed manifest again (a different signature of the version may be)."""
    refused = load_json(db, REFUSED_KEY)
    refused[version] = {"digest": digest, "stage": stage, "detail": detail[:300], "at": time.time()}
    save_json(db, REFUSED_KEY, refused)
