"""The heartbeat's store work on PostgreSQL in one statement, one round trip: the device found
by its token (enrolled, not revoked), its row updated (a data-modifying WITH runs whether or
not it is read) and, in the same statement, what the answer needs: the config version, the
catalogue head, the current rollout with this device's result in it, and the commands it owes.
The parts read one snapshot, as separate calls on SQLite would read the same committed rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.store.contract import Command, Device, HeartbeatView, RolloutResult
from central.store.postgres.base import PostgresBase, jsonb, ts
from central.store.postgres.rollouts import COLUMNS as ROLLOUT_COLUMNS
from central.store.postgres.rollouts import rollout_of

_DEVICE = ("id", "site_id", "hardware_id", "enrolled_at", "revoked_at", "app_version", "last_seen_at")
_RESULT = ("device_id", "ok", "stage", "detail", "rollout_stage", "at", "retrying")
_ROLLOUT = tuple(c.strip() for c in ROLLOUT_COLUMNS.split(","))
_HEARTBEAT = (
    "WITH dev AS (SELECT * FROM devices WHERE token_hash = %(token)s AND revoked_at IS NULL), "
    "seen AS (UPDATE devices SET last_seen_at = %(at)s, last_heartbeat = %(report)s, "
    "app_version = %(app)s FROM dev WHERE devices.id = dev.id RETURNING devices.id), "
    "current AS (SELECT * FROM rollouts WHERE state <> 'done' ORDER BY id DESC LIMIT 1) "
    "SELECT "
    + ", ".join(f"dev.{c}" for c in (*_DEVICE, "last_heartbeat"))
    + ", (SELECT COALESCE(MAX(version), 0) FROM config_layers "
    "WHERE (scope = 'site' AND owner = dev.site_id) OR (scope = 'device' AND owner = dev.id)), "
    "(SELECT MAX(version) FROM catalogue_versions), "
    "(SELECT jsonb_agg(jsonb_build_array(id, type, args, created_at) ORDER BY created_at, id) "
    "FROM commands WHERE device_id = dev.id AND done_at IS NULL), "
    + ", ".join([f"r.{c}" for c in _RESULT] + [f"current.{c}" for c in _ROLLOUT])
    + " FROM dev LEFT JOIN current ON TRUE "
    "LEFT JOIN rollout_results r ON r.rollout_id = current.id AND r.device_id = dev.id"
)
_VIEW = len(_DEVICE) + 1  # where the answer's columns start
_FIRST_RESULT = _VIEW + 3
_FIRST_ROLLOUT = _FIRST_RESULT + len(_RESULT)


class HeartbeatPart(PostgresBase):
    def heartbeat(
        self, token_hash: str, heartbeat: dict[str, Any], at: datetime
    ) -> tuple[Device, HeartbeatView] | None:
        with self._read() as db:  # one statement: its own transaction
            row = db.execute(
                _HEARTBEAT,
                {
                    "token": token_hash,
                    "at": ts(at),
                    "report": jsonb(heartbeat),
                    "app": heartbeat.get("app_version"),
                },
            ).fetchone()
        if row is None:
            return None
        device = Device(*row[:_VIEW])
        config_version, catalogue_version, commands = row[_VIEW : _VIEW + 3]
        result = row[_FIRST_RESULT:_FIRST_ROLLOUT]
        rollout = row[_FIRST_ROLLOUT:]
        view = HeartbeatView(
            config_version=int(config_version),
            catalogue_version=catalogue_version,
            rollout=rollout_of(rollout) if rollout[0] is not None else None,
            rollout_result=RolloutResult(*result) if result[0] is not None else None,
            commands=[
                Command(id, device.id, type, args, datetime.fromisoformat(created))
                for id, type, args, created in commands or []
            ],
        )
        return device, view
