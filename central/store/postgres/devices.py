"""Sites, their settings, enrollment and devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from central.store.contract import (
    KEPT_LOGS,
    ConfigLayer,
    ConfigScope,
    Device,
    EnrollmentCodeInfo,
    EnrollmentRefused,
    LogUpload,
    Site,
    UnknownSite,
)
from central.store.postgres.base import PostgresBase, jsonb, ts

_DEVICE_COLUMNS = (
    "id, site_id, hardware_id, enrolled_at, revoked_at, app_version, last_seen_at, last_heartbeat"
)


def _device(row: Any) -> Device:
    return Device(*row)


class DevicesPart(PostgresBase):
    def put_site(self, site: Site) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO sites (id, name, timezone) VALUES (%s, %s, %s) ON CONFLICT (id) "
                "DO UPDATE SET name = excluded.name, timezone = excluded.timezone",
                [site.id, site.name, site.timezone],
            )

    def get_site(self, site_id: str) -> Site | None:
        with self._read() as db:
            row = db.execute("SELECT id, name, timezone FROM sites WHERE id = %s", [site_id]).fetchone()
        return Site(*row) if row else None

    def list_sites(self) -> list[Site]:
        with self._read() as db:
            return [Site(*r) for r in db.execute("SELECT id, name, timezone FROM sites ORDER BY id")]

    def set_config(self, scope: ConfigScope, owner: str, settings: dict[str, Any]) -> int:
        with self._tx() as db:
            table = "sites" if scope == "site" else "devices"
            if not db.execute(f"SELECT 1 FROM {table} WHERE id = %s", [owner]).fetchone():
                raise UnknownSite(f"no {scope} {owner!r}")
            version = self._next(db, "config_version")
            db.execute(
                "INSERT INTO config_layers (scope, owner, version, settings) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (scope, owner) DO UPDATE SET version = excluded.version, "
                "settings = excluded.settings",
                [scope, owner, version, jsonb(settings)],
            )
        return version

    def config_layers(self, site_id: str, device_id: str) -> tuple[ConfigLayer | None, ConfigLayer | None]:
        with self._read() as db:
            rows = db.execute(
                "SELECT scope, version, settings FROM config_layers "
                "WHERE (scope = 'site' AND owner = %s) OR (scope = 'device' AND owner = %s)",
                [site_id, device_id],
            ).fetchall()
        layers = {scope: ConfigLayer(version, settings) for scope, version, settings in rows}
        return layers.get("site"), layers.get("device")

    def add_enrollment_code(
        self,
        code_hash: str,
        site_id: str,
        expires_at: datetime,
        hint: str = "",
        created_at: datetime | None = None,
    ) -> None:
        with self._tx() as db:
            if not db.execute("SELECT 1 FROM sites WHERE id = %s", [site_id]).fetchone():
                raise UnknownSite(f"no site {site_id!r}")
            db.execute(
                "INSERT INTO enrollment_codes (code_hash, site_id, expires_at, hint, created_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                [code_hash, site_id, ts(expires_at), hint, ts(created_at) if created_at else None],
            )

    def list_enrollment_codes(self, unused_at: datetime) -> list[EnrollmentCodeInfo]:
        with self._read() as db:
            rows = db.execute(
                "SELECT site_id, hint, created_at, expires_at FROM enrollment_codes"
                " WHERE used_at IS NULL AND expires_at > %s"
                " ORDER BY created_at DESC NULLS LAST, expires_at DESC",
                [ts(unused_at)],
            ).fetchall()
        return [EnrollmentCodeInfo(*r) for r in rows]

    def enroll(
        self, code_hash: str, hardware_id: str, app_version: str, token_hash: str, now: datetime
    ) -> Device:
        with self._tx() as db:
            # FOR UPDATE: two instances given the same code at once, one enrols, one is refused.
            row = db.execute(
                "SELECT site_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = %s FOR UPDATE",
                [code_hash],
            ).fetchone()
            if row is None:
                raise EnrollmentRefused("unknown")
            site_id, expires_at, used_at = row
            if used_at is not None:
                raise EnrollmentRefused("used")
            if ts(now) >= expires_at:
                raise EnrollmentRefused("expired")
            device_id = self._device_for(db, site_id, hardware_id, now)
            db.execute(
                "UPDATE devices SET token_hash = %s, revoked_at = NULL, app_version = %s WHERE id = %s",
                [token_hash, app_version, device_id],
            )
            db.execute(
                "UPDATE enrollment_codes SET used_at = %s, device_id = %s WHERE code_hash = %s",
                [ts(now), device_id, code_hash],
            )
            device = db.execute(
                f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = %s", [device_id]
            ).fetchone()
        return _device(device)

    def _device_for(self, db: Any, site_id: str, hardware_id: str, now: datetime) -> str:
        """The device a reinstalled kiosk had at this site, else a new one (kiosk-0001, …)."""
        # Two codes for the same hardware used at once would both miss the row: serialise
        # enrolments of one (site, hardware) pair on a transaction-scoped advisory lock.
        db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"enroll {site_id} {hardware_id}"])
        row = db.execute(
            "SELECT id FROM devices WHERE site_id = %s AND hardware_id = %s ORDER BY enrolled_at DESC",
            [site_id, hardware_id],
        ).fetchone()
        if row:
            return str(row[0])
        device_id = f"kiosk-{self._next(db, 'device_number'):04d}"
        db.execute(
            "INSERT INTO devices (id, site_id, hardware_id, enrolled_at) VALUES (%s, %s, %s, %s)",
            [device_id, site_id, hardware_id, ts(now)],
        )
        return device_id

    def device_by_token(self, token_hash: str) -> Device | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE token_hash = %s AND revoked_at IS NULL",
                [token_hash],
            ).fetchone()
        return _device(row) if row else None

    def get_device(self, device_id: str) -> Device | None:
        with self._read() as db:
            row = db.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = %s", [device_id]).fetchone()
        return _device(row) if row else None

    def list_devices(self, site_id: str | None = None) -> list[Device]:
        sql = f"SELECT {_DEVICE_COLUMNS} FROM devices"
        with self._read() as db:
            rows = db.execute(
                sql + (" WHERE site_id = %s ORDER BY id" if site_id else " ORDER BY id"),
                [site_id] if site_id else [],
            ).fetchall()
        return [_device(r) for r in rows]

    def revoke_device(self, device_id: str, at: datetime) -> bool:
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE devices SET revoked_at = %s, token_hash = NULL WHERE id = %s",
                [ts(at), device_id],
            )
            return cursor.rowcount > 0

    def add_logs(
        self, device_id: str, command_id: str | None, text: str, lines: int, at: datetime
    ) -> LogUpload:
        upload = LogUpload(str(uuid.uuid4()), device_id, ts(at), command_id, lines, len(text.encode()), text)
        with self._tx() as db:
            db.execute(
                "INSERT INTO device_logs (id, device_id, received_at, command_id, lines, text) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [upload.id, device_id, ts(at), command_id, lines, text],
            )
            db.execute(
                "DELETE FROM device_logs WHERE device_id = %s AND id NOT IN (SELECT id FROM device_logs "
                "WHERE device_id = %s ORDER BY received_at DESC, seq DESC LIMIT %s)",
                [device_id, device_id, KEPT_LOGS],
            )
        return upload

    def list_logs(self, device_id: str) -> list[LogUpload]:
        with self._read() as db:
            rows = db.execute(
                "SELECT id, device_id, received_at, command_id, lines, octet_length(text) "
                "FROM device_logs WHERE device_id = %s ORDER BY received_at DESC, seq DESC",
                [device_id],
            ).fetchall()
        return [LogUpload(*r) for r in rows]

    def get_logs(self, device_id: str, log_id: str) -> LogUpload | None:
        with self._read() as db:
            row = db.execute(
                "SELECT id, device_id, received_at, command_id, lines, text FROM device_logs "
                "WHERE device_id = %s AND id = %s",
                [device_id, log_id],
            ).fetchone()
        if row is None:
            return None
        return LogUpload(row[0], row[1], row[2], row[3], row[4], len(row[5].encode()), row[5])

    def record_heartbeat(self, device_id: str, heartbeat: dict[str, Any], at: datetime) -> None:
        with self._read() as db:  # one statement: its own transaction
            db.execute(
                "UPDATE devices SET last_seen_at = %s, last_heartbeat = %s, app_version = %s WHERE id = %s",
                [ts(at), jsonb(heartbeat), heartbeat.get("app_version"), device_id],
            )
