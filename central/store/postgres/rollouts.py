"""Rollouts and the update results counted towards them. Policy (who gets a release, when to
halt) is central/fleet/policy.py; this part stores and compares-and-sets. Creating a rollout
takes a transaction-scoped advisory lock, so two instances starting rollouts at once cannot
both see "no current rollout"; updating is `UPDATE … WHERE state = … AND stage = …`, which row
locking makes a compare-and-set across instances."""

from __future__ import annotations

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
from central.store.postgres.base import PostgresBase, jsonb, ts

COLUMNS = (
    "id, version, state, stages, stage, canary_devices, canary_sites, failure_threshold, "
    "min_results, advance_after_ok, rollback_to, reason, started_by, created_at, updated_at"
)
_CURRENT = f"SELECT {COLUMNS} FROM rollouts WHERE state <> 'done' ORDER BY id DESC LIMIT 1"
_ROLLOUTS_LOCK = 0x726F6C6C  # pg_advisory_xact_lock key: one rollout created at a time
_CHANGEABLE = ("state", "stage", "reason", "rollback_to")


def rollout_of(row: Any) -> Rollout:
    values = list(row)
    for i in (3, 5, 6):  # JSON lists → tuples
        values[i] = tuple(values[i])
    return Rollout(*values)


def _same(found: Rollout | None, expected: Rollout | None) -> bool:
    if found is None or expected is None:
        return found is expected
    return (found.id, found.state, found.stage) == (expected.id, expected.state, expected.stage)


class RolloutsPart(PostgresBase):
    def create_rollout(self, plan: RolloutPlan, replacing: Rollout | None, at: datetime) -> Rollout:
        with self._tx() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLOUTS_LOCK])
            row = db.execute(_CURRENT).fetchone()
            if not _same(rollout_of(row) if row else None, replacing):
                raise RolloutChanged("the current rollout changed meanwhile; look at it again")
            if replacing is not None:
                db.execute(
                    "UPDATE rollouts SET state = 'done', updated_at = %s WHERE id = %s",
                    [ts(at), replacing.id],
                )
            row = db.execute(
                "INSERT INTO rollouts (version, state, stages, stage, canary_devices, canary_sites,"
                " failure_threshold, min_results, advance_after_ok, started_by, created_at,"
                " updated_at) VALUES (%s, 'running', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                f" RETURNING {COLUMNS}",
                [
                    plan.version,
                    jsonb(list(plan.stages)),
                    -1 if plan.canary_devices or plan.canary_sites else 0,
                    jsonb(list(plan.canary_devices)),
                    jsonb(list(plan.canary_sites)),
                    plan.failure_threshold,
                    plan.min_results,
                    plan.advance_after_ok,
                    plan.started_by,
                    ts(at),
                    ts(at),
                ],
            ).fetchone()
        return rollout_of(row)

    def current_rollout(self) -> Rollout | None:
        with self._read() as db:
            row = db.execute(_CURRENT).fetchone()
        return rollout_of(row) if row else None

    def get_rollout(self, rollout_id: int) -> Rollout | None:
        with self._read() as db:
            row = db.execute(f"SELECT {COLUMNS} FROM rollouts WHERE id = %s", [rollout_id]).fetchone()
        return rollout_of(row) if row else None

    def list_rollouts(self, limit: int) -> list[Rollout]:
        with self._read() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM rollouts ORDER BY id DESC LIMIT %s", [limit]).fetchall()
        return [rollout_of(r) for r in rows]

    def update_rollout(self, expected: Rollout, change: RolloutChange, at: datetime) -> Rollout:
        values = {k: v for k, v in vars(change).items() if v is not None and k in _CHANGEABLE}
        assignments = "".join(f"{column} = %s, " for column in values)
        with self._tx() as db:
            row = db.execute(
                f"UPDATE rollouts SET {assignments}updated_at = %s "
                "WHERE id = %s AND state = %s AND stage = %s "
                f"RETURNING {COLUMNS}",
                [*values.values(), ts(at), expected.id, expected.state, expected.stage],
            ).fetchone()
        if row is None:
            raise RolloutChanged(f"rollout {expected.id} changed meanwhile; look at it again")
        return rollout_of(row)

    def rollout_counts(self, rollout_id: int) -> RolloutCounts:
        with self._read() as db:
            rows = db.execute(
                "SELECT rollout_stage, COUNT(*) FILTER (WHERE ok), COUNT(*) FILTER (WHERE NOT ok) "
                "FROM rollout_results WHERE rollout_id = %s GROUP BY rollout_stage",
                [rollout_id],
            ).fetchall()
        return RolloutCounts(
            ok=sum(int(ok) for _, ok, _ in rows),
            failed=sum(int(failed) for _, _, failed in rows),
            ok_by_stage={stage: int(ok) for stage, ok, _ in rows if ok},
        )

    def rollout_results(
        self, rollout_id: int, device_id: str | None = None, limit: int = 100
    ) -> list[RolloutResult]:
        where = "rollout_id = %s" + (" AND device_id = %s" if device_id is not None else "")
        args: list[Any] = [rollout_id] if device_id is None else [rollout_id, device_id]
        with self._read() as db:
            rows = db.execute(
                "SELECT device_id, ok, stage, detail, rollout_stage, at, retrying FROM rollout_results"
                f" WHERE {where} ORDER BY at DESC, device_id LIMIT %s",
                [*args, limit],
            ).fetchall()
        return [RolloutResult(*r) for r in rows]


# Count an update.result towards the current rollout when it is of that rollout's version
# (inside the events transaction, so a stored event is always counted). The device's latest
# result replaces its earlier one: a kiosk that failed, was fixed and succeeded counts once.
UPDATE_RESULT_SQL = (
    "INSERT INTO rollout_results"
    " (rollout_id, device_id, ok, stage, detail, rollout_stage, at, retrying)"
    " SELECT id, %s, %s, %s, %s, stage, %s, %s FROM rollouts"
    " WHERE id = (SELECT MAX(id) FROM rollouts WHERE state <> 'done') AND version = %s"
    " ON CONFLICT (rollout_id, device_id) DO UPDATE SET ok = excluded.ok,"
    " stage = excluded.stage, detail = excluded.detail,"
    " rollout_stage = excluded.rollout_stage, at = excluded.at, retrying = excluded.retrying"
)


def update_result_args(device_id: str, result: UpdateResult, at: datetime) -> tuple[Any, ...]:
    return (device_id, result.ok, result.stage, result.detail[:500], ts(at), result.retrying, result.to)
