"""The heartbeat's store work on PostgreSQL in one statement, one round trip: the device's row
updated (a data-modifying WITH runs whether or not it is read) and, in the same statement,
what the answer needs: the config version, the catalogue head, the current rollout with this
device's result in it, and the commands it owes. The parts read one snapshot, as separate
calls on SQLite would read the same committed rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.store.contract import Command, Device, HeartbeatView, RolloutResult
from central.store.postgres.base import PostgresBase, jsonb, ts
from central.store.postgres.rollouts import COLUMNS as ROLLOUT_COLUMNS
from central.store.postgres.rollouts import rollout_of

_RESULT_COLUMNS = ("device_id", "ok", "stage", "detail", "rollout_stage", "at", "retrying")
_HEARTBEAT = (
    "WITH seen AS (UPDATE devices SET last_seen_at = %(at)s, last_heartbeat = %(report)s, "
    "app_version = %(app)s WHERE id = %(device)s RETURNING id), "
    "current AS (SELECT * FROM rollouts WHERE state <> 'done' ORDER BY id DESC LIMIT 1) "
    "SELECT (SELECT COALESCE(MAX(version), 0) FROM config_layers WHERE (scope = 'site' AND owner = %(site)s) "
    "OR (scope = 'device' AND owner = %(device)s)), "
    "(SELECT MAX(version) FROM catalogue_versions), "
    "(SELECT jsonb_agg(jsonb_build_array(id, type, args, created_at) ORDER BY created_at, id) "
    "FROM commands WHERE device_id = %(device)s AND done_at IS NULL), "
    + ", ".join(f"r.{c}" for c in _RESULT_COLUMNS)
    + ", "
    + ", ".join(f"current.{c.strip()}" for c in ROLLOUT_COLUMNS.split(","))
    + " FROM (SELECT 1) AS one LEFT JOIN current ON TRUE "
    "LEFT JOIN rollout_results r ON r.rollout_id = current.id AND r.device_id = %(device)s"
)
_FIRST_ROLLOUT = 3 + len(_RESULT_COLUMNS)


class HeartbeatPart(PostgresBase):
    def heartbeat(self, device: Device, heartbeat: dict[str, Any], at: datetime) -> HeartbeatView:
        with self._read() as db:  # one statement: its own transaction
            row = db.execute(
                _HEARTBEAT,
                {
                    "at": ts(at),
                    "report": jsonb(heartbeat),
                    "app": heartbeat.get("app_version"),
                    "device": device.id,
                    "site": device.site_id,
                },
            ).fetchone()
        assert row is not None
        rollout = rollout_of(row[_FIRST_ROLLOUT:]) if row[_FIRST_ROLLOUT] is not None else None
        result = RolloutResult(*row[3:_FIRST_ROLLOUT]) if row[3] is not None else None
        commands = [
            Command(id, device.id, type, args, datetime.fromisoformat(created))
            for id, type, args, created in row[2] or []
        ]
        return HeartbeatView(int(row[0]), row[1], rollout, result, commands)
