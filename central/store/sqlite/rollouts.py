"""Rollouts and the update results counted towards them. Policy (who gets a release, when to
halt) is not here: central/fleet/policy.py decides, this part stores and compares-and-sets."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from central.store.contract import (
    Rollout,
    RolloutChange,
    RolloutChanged,
    RolloutCounts,
    RolloutPlan,
    RolloutResult,
    UpdateResult,
)
from central.store.sqlite.base import SQLiteBase, dumps, iso, parse_time

_COLUMNS = (
    "id, version, state, stages, stage, canary_devices, canary_sites, failure_threshold, "
    "min_results, advance_after_ok, rollback_to, reason, started_by, created_at, updated_at"
)
_CURRENT = f"SELECT {_COLUMNS} FROM rollouts WHERE state <> 'done' ORDER BY id DESC LIMIT 1"


def _rollout(row: Any) -> Rollout:
    created, updated = parse_time(row[13]), parse_time(row[14])
    assert created is not None and updated is not None
    return Rollout(
        id=row[0],
        version=row[1],
        state=row[2],
        stages=tuple(json.loads(row[3])),
        stage=row[4],
        canary_devices=tuple(json.loads(row[5])),
        canary_sites=tuple(json.loads(row[6])),
        failure_threshold=row[7],
        min_results=row[8],
        advance_after_ok=row[9],
        rollback_to=row[10],
        reason=row[11],
        started_by=row[12],
        created_at=created,
        updated_at=updated,
    )


def _same(found: Rollout | None, expected: Rollout | None) -> bool:
    if found is None or expected is None:
        return found is expected
    return (found.id, found.state, found.stage) == (expected.id, expected.state, expected.stage)


class RolloutsPart(SQLiteBase):
    def create_rollout(self, plan: RolloutPlan, replacing: Rollout | None, at: datetime) -> Rollout:
        with self._tx() as db:
            row = db.execute(_CURRENT).fetchone()
            if not _same(_rollout(row) if row else None, replacing):
                raise RolloutChanged("the current rollout changed meanwhile; look at it again")
            if replacing is not None:
                db.execute(
                    "UPDATE rollouts SET state = 'done', updated_at = ? WHERE id = ?",
                    [iso(at), replacing.id],
                )
            cursor = db.execute(
                "INSERT INTO rollouts (version, state, stages, stage, canary_devices, canary_sites,"
                " failure_threshold, min_results, advance_after_ok, started_by, created_at,"
                " updated_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    plan.version,
                    dumps(list(plan.stages)),
                    -1 if plan.canary_devices or plan.canary_sites else 0,
                    dumps(list(plan.canary_devices)),
                    dumps(list(plan.canary_sites)),
                    plan.failure_threshold,
                    plan.min_results,
                    plan.advance_after_ok,
                    plan.started_by,
                    iso(at),
                    iso(at),
                ],
            )
            row = db.execute(f"SELECT {_COLUMNS} FROM rollouts WHERE id = ?", [cursor.lastrowid]).fetchone()
        return _rollout(row)

    def current_rollout(self) -> Rollout | None:
        row = self._db().execute(_CURRENT).fetchone()
        return _rollout(row) if row else None

    def get_rollout(self, rollout_id: int) -> Rollout | None:
        row = self._db().execute(f"SELECT {_COLUMNS} FROM rollouts WHERE id = ?", [rollout_id]).fetchone()
        return _rollout(row) if row else None

    def list_rollouts(self, limit: int) -> list[Rollout]:
        rows = self._db().execute(f"SELECT {_COLUMNS} FROM rollouts ORDER BY id DESC LIMIT ?", [limit])
        return [_rollout(r) for r in rows]

    def update_rollout(self, expected: Rollout, change: RolloutChange, at: datetime) -> Rollout:
        values = {k: v for k, v in vars(change).items() if v is not None}
        assignments = "".join(f"{column} = ?, " for column in values)
        with self._tx() as db:
            cursor = db.execute(
                f"UPDATE rollouts SET {assignments}updated_at = ? WHERE id = ? AND state = ? AND stage = ?",
                [*values.values(), iso(at), expected.id, expected.state, expected.stage],
            )
            if cursor.rowcount != 1:
                raise RolloutChanged(f"rollout {expected.id} changed meanwhile; look at it again")
            row = db.execute(f"SELECT {_COLUMNS} FROM rollouts WHERE id = ?", [expected.id]).fetchone()
        return _rollout(row)

    def rollout_counts(self, rollout_id: int) -> RolloutCounts:
        rows = (
            self._db()
            .execute(
                "SELECT rollout_stage, SUM(ok), SUM(NOT ok) FROM rollout_results WHERE rollout_id = ?"
                " GROUP BY rollout_stage",
                [rollout_id],
            )
            .fetchall()
        )
        return RolloutCounts(
            ok=sum(int(ok) for _, ok, _ in rows),
            failed=sum(int(failed) for _, _, failed in rows),
            ok_by_stage={stage: int(ok) for stage, ok, _ in rows if ok},
        )

    def rollout_results(
        self, rollout_id: int, device_id: str | None = None, limit: int = 100
    ) -> list[RolloutResult]:
        where = "rollout_id = ?" + (" AND device_id = ?" if device_id is not None else "")
        args: list[Any] = [rollout_id] if device_id is None else [rollout_id, device_id]
        rows = self._db().execute(
            "SELECT device_id, ok, stage, detail, rollout_stage, at, retrying FROM rollout_results"
            f" WHERE {where} ORDER BY at DESC, device_id LIMIT ?",
            [*args, limit],
        )
        return [
            RolloutResult(r[0], bool(r[1]), r[2], r[3], r[4], datetime.fromisoformat(r[5]), bool(r[6]))
            for r in rows
        ]


def record_update_result(db: Any, device_id: str, result: UpdateResult, at: datetime) -> None:
    """Count an update.result towards the current rollout when it is of that rollout's version
    (inside the events transaction, so a stored event is always counted). The device's latest
    result replaces its earlier one: a kiosk that failed, was fixed and succeeded counts once."""
    db.execute(
        "INSERT INTO rollout_results"
        " (rollout_id, device_id, ok, stage, detail, rollout_stage, at, retrying)"
        " SELECT id, ?, ?, ?, ?, stage, ?, ? FROM rollouts"
        " WHERE id = (SELECT MAX(id) FROM rollouts WHERE state <> 'done') AND version = ?"
        " ON CONFLICT (rollout_id, device_id) DO UPDATE SET ok = excluded.ok,"
        " stage = excluded.stage, detail = excluded.detail,"
        " rollout_stage = excluded.rollout_stage, at = excluded.at, retrying = excluded.retrying",
        [
            device_id,
            int(result.ok),
            result.stage,
            result.detail[:500],
            iso(at),
            int(result.retrying),
            result.to,
        ],
    )
