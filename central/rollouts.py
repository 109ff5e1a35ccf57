"""Staged rollouts: which release each device should run, and when to stop.

A rollout moves the fleet to one published version in stages: first the devices of a canary
group, then growing percentages of the fleet (e.g. 10, 50, 100). A device's place is a
deterministic bucket in [0, 100) from the SHA-256 of version and device id, so the same devices
go first at every heartbeat and a stage only ever adds devices. The stage advances by hand
(`advance`) or by itself once `advance_after_ok` devices of the stage reported success.

Each update.result event of the rollout's version is recorded (the latest per device counts).
When failed / reported reaches `failure_threshold` (with at least `min_results` reports), the
rollout halts: no device gets the release any more. Operators pause, resume and roll back;
a rollback offers an older published version that is signed with rollback: true.

Plain SQLite through a `sqlite3.Connection` (tables created by `ensure_schema`); no FastAPI, so
the admin API and the CLI share it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from central.release_bundles import ReleaseError, published_envelope

State = Literal["running", "paused", "halted", "rolled_back", "done"]
ACTIVE = ("running", "paused", "halted", "rolled_back")

SCHEMA = """
CREATE TABLE IF NOT EXISTS rollouts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL,
    state TEXT NOT NULL,
    canary_group TEXT,
    stages TEXT NOT NULL,              -- JSON list of percentages, e.g. [10, 50, 100]
    stage INTEGER NOT NULL,            -- -1: canary group only; i: stages[i] percent
    failure_threshold REAL NOT NULL,
    min_results INTEGER NOT NULL,
    advance_after_ok INTEGER NOT NULL, -- 0: advance by hand only
    rollback_to TEXT,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rollout_results (
    rollout_id INTEGER NOT NULL REFERENCES rollouts (id),
    device_id TEXT NOT NULL,
    ok INTEGER NOT NULL,
    stage TEXT NOT NULL,
    detail TEXT NOT NULL,
    rollout_stage INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (rollout_id, device_id)
);
"""


@dataclass(frozen=True)
class Rollout:
    id: int
    version: str
    state: State
    canary_group: str | None
    stages: tuple[int, ...]
    stage: int
    failure_threshold: float
    min_results: int
    advance_after_ok: int
    rollback_to: str | None
    reason: str

    @property
    def percent(self) -> int:
        return 0 if self.stage < 0 else self.stages[self.stage]


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


@contextmanager
def _tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def bucket(version: str, device_id: str) -> float:
    """The device's place in [0, 100) for this version's rollout."""
    digest = hashlib.sha256(f"{version}\0{device_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100


def start(
    conn: sqlite3.Connection,
    releases_dir: Path,
    version: str,
    *,
    stages: Sequence[int] = (10, 50, 100),
    canary_group: str | None = None,
    failure_threshold: float = 0.2,
    min_results: int = 3,
    advance_after_ok: int = 0,
) -> Rollout:
    """Start rolling out a published `version`; one rollout is active at a time."""
    if published_envelope(releases_dir, version) is None:
        raise ReleaseError(f"version {version} is not published; publish it first")
    if not stages or list(stages) != sorted(stages) or not all(0 < s <= 100 for s in stages):
        raise ReleaseError(f"stages {list(stages)} must be growing percentages in 1..100")
    if not 0 < failure_threshold <= 1:
        raise ReleaseError("failure_threshold is a share between 0 and 1, e.g. 0.2")
    active = current(conn)
    if active is not None and active.state in ("running", "paused", "halted"):
        raise ReleaseError(f"rollout {active.id} of {active.version} is {active.state}; finish it first")
    with _tx(conn):
        if active is not None:
            _set(conn, active.id, state="done")
        cursor = conn.execute(
            "INSERT INTO rollouts (version, state, canary_group, stages, stage, failure_threshold,"
            " min_results, advance_after_ok, created_at, updated_at)"
            " VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                version,
                canary_group,
                json.dumps(list(stages)),
                -1 if canary_group else 0,
                failure_threshold,
                min_results,
                advance_after_ok,
                _now(),
                _now(),
            ],
        )
    return get(conn, int(cursor.lastrowid or 0))


def get(conn: sqlite3.Connection, rollout_id: int) -> Rollout:
    row = conn.execute(
        "SELECT id, version, state, canary_group, stages, stage, failure_threshold, min_results,"
        " advance_after_ok, rollback_to, reason FROM rollouts WHERE id = ?",
        [rollout_id],
    ).fetchone()
    if row is None:
        raise ReleaseError(f"no rollout {rollout_id}")
    return Rollout(
        row[0],
        row[1],
        row[2],
        row[3],
        tuple(json.loads(row[4])),
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
    )


def current(conn: sqlite3.Connection) -> Rollout | None:
    """The newest rollout that still decides what devices run."""
    marks = ",".join("?" * len(ACTIVE))
    row = conn.execute(
        f"SELECT id FROM rollouts WHERE state IN ({marks}) ORDER BY id DESC LIMIT 1", ACTIVE
    ).fetchone()
    return get(conn, row[0]) if row else None


def release_for(
    conn: sqlite3.Connection, device_id: str, group: str | None, app_version: str | None
) -> dict[str, str] | None:
    """The heartbeat answer's `release` for this device, or None to stay where it is."""
    rollout = current(conn)
    if rollout is None:
        return None
    if rollout.state == "rolled_back" and rollout.rollback_to:
        target = rollout.rollback_to
        if app_version != rollout.version:
            return None  # only devices that took the release are taken back
    elif rollout.state == "running" and _in_stage(rollout, device_id, group):
        target = rollout.version
        if _failed_here(conn, rollout.id, device_id):
            return None  # it failed and rolled back; do not make it try again
    else:
        return None
    if app_version == target:
        return None
    return {"version": target, "manifest_url": f"/api/v1/releases/{target}/manifest"}


def _in_stage(rollout: Rollout, device_id: str, group: str | None) -> bool:
    if rollout.canary_group and group == rollout.canary_group:
        return True
    return rollout.stage >= 0 and bucket(rollout.version, device_id) < rollout.percent


def _failed_here(conn: sqlite3.Connection, rollout_id: int, device_id: str) -> bool:
    row = conn.execute(
        "SELECT ok FROM rollout_results WHERE rollout_id = ? AND device_id = ?",
        [rollout_id, device_id],
    ).fetchone()
    return row is not None and not row[0]


def record_result(conn: sqlite3.Connection, device_id: str, data: dict[str, Any]) -> Rollout | None:
    """Count one update.result event (PROTOCOL.md) towards the rollout of its `to` version;
    halts or advances the rollout as its figures say. Returns the rollout it counted for."""
    rollout = current(conn)
    if rollout is None or data.get("to") != rollout.version:
        return None
    with _tx(conn):
        conn.execute(
            "INSERT INTO rollout_results"
            " (rollout_id, device_id, ok, stage, detail, rollout_stage, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id, device_id) DO UPDATE SET"
            " ok = excluded.ok, stage = excluded.stage, detail = excluded.detail, at = excluded.at",
            [
                rollout.id,
                device_id,
                bool(data.get("ok")),
                str(data.get("stage", "")),
                str(data.get("detail", ""))[:500],
                rollout.stage,
                _now(),
            ],
        )
        if rollout.state == "running":
            _halt_or_advance(conn, rollout)
    return get(conn, rollout.id)


def _halt_or_advance(conn: sqlite3.Connection, rollout: Rollout) -> None:
    figures = counts(conn, rollout.id)
    reported = figures["ok"] + figures["failed"]
    if reported >= rollout.min_results and figures["failed"] / reported >= rollout.failure_threshold:
        _set(
            conn,
            rollout.id,
            state="halted",
            reason=f"{figures['failed']} of {reported} updates failed "
            f"(threshold {rollout.failure_threshold:.0%})",
        )
        return
    if rollout.advance_after_ok and rollout.stage < len(rollout.stages) - 1:
        ok_here = conn.execute(
            "SELECT COUNT(*) FROM rollout_results WHERE rollout_id = ? AND ok AND rollout_stage = ?",
            [rollout.id, rollout.stage],
        ).fetchone()[0]
        if ok_here >= rollout.advance_after_ok:
            _set(conn, rollout.id, stage=rollout.stage + 1)


def counts(conn: sqlite3.Connection, rollout_id: int) -> dict[str, int]:
    row = conn.execute(
        "SELECT COALESCE(SUM(ok), 0), COALESCE(SUM(NOT ok), 0) FROM rollout_results WHERE rollout_id = ?",
        [rollout_id],
    ).fetchone()
    return {"ok": int(row[0]), "failed": int(row[1])}


def advance(conn: sqlite3.Connection, rollout_id: int) -> Rollout:
    rollout = get(conn, rollout_id)
    if rollout.state != "running":
        raise ReleaseError(f"rollout {rollout_id} is {rollout.state}; resume it first")
    if rollout.stage >= len(rollout.stages) - 1:
        raise ReleaseError(f"rollout {rollout_id} already reaches {rollout.percent}% of the fleet")
    with _tx(conn):
        _set(conn, rollout_id, stage=rollout.stage + 1)
    return get(conn, rollout_id)


def pause(conn: sqlite3.Connection, rollout_id: int) -> Rollout:
    return _move(conn, rollout_id, ("running",), "paused", "paused by an operator")


def resume(conn: sqlite3.Connection, rollout_id: int) -> Rollout:
    """Resume a paused or halted rollout (after an operator looked at the failures)."""
    return _move(conn, rollout_id, ("paused", "halted"), "running", "")


def roll_back(conn: sqlite3.Connection, releases_dir: Path, rollout_id: int, to_version: str) -> Rollout:
    """Take the devices that installed the rollout's version back to `to_version`, which must be
    published and signed with rollback: true (kiosks refuse any other downgrade)."""
    envelope = published_envelope(releases_dir, to_version)
    if envelope is None:
        raise ReleaseError(f"version {to_version} is not published")
    if envelope["manifest"].get("rollback") is not True:
        raise ReleaseError(
            f"version {to_version} is not signed with rollback: true; build or re-sign it with "
            "--rollback and publish it again"
        )
    rollout = _move(
        conn,
        rollout_id,
        ("running", "paused", "halted"),
        "rolled_back",
        f"rolled back to {to_version}",
    )
    with _tx(conn):
        _set(conn, rollout_id, rollback_to=to_version)
    return get(conn, rollout.id)


def _move(
    conn: sqlite3.Connection, rollout_id: int, from_states: tuple[str, ...], to: str, reason: str
) -> Rollout:
    rollout = get(conn, rollout_id)
    if rollout.state not in from_states:
        raise ReleaseError(f"rollout {rollout_id} is {rollout.state}; cannot make it {to}")
    with _tx(conn):
        _set(conn, rollout_id, state=to, reason=reason)
    return get(conn, rollout_id)


def _set(conn: sqlite3.Connection, rollout_id: int, **values: Any) -> None:
    columns = ", ".join(f"{k} = ?" for k in values)
    conn.execute(
        f"UPDATE rollouts SET {columns}, updated_at = ? WHERE id = ?",
        [*values.values(), _now(), rollout_id],
    )
