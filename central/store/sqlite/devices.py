"""Sites, their settings, enrollment and devices."""

from __future__ import annotations

import json
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
from central.store.sqlite.base import SQLiteBase, dumps, iso, parse_time

_DEVICE_COLUMNS = (
    "id, site_id, hardware_id, enrolled_at, revoked_at, app_version, last_seen_at, last_heartbeat"
)


def _device(row: Any) -> Device:
    enrolled = parse_time(row[3])
    assert enrolled is not None
    return Device(
        id=row[0],
        site_id=row[1],
        hardware_id=row[2],
        enrolled_at=enrolled,
        revoked_at=parse_time(row[4]),
        app_version=row[5],
        last_seen_at=parse_time(row[6]),
        last_heartbeat=json.loads(row[7]) if row[7] else None,
    )


class DevicesPart(SQLiteBase):
    def put_site(self, site: Site) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO sites (id, name, timezone) VALUES (?, ?, ?) ON CONFLICT(id) "
                "DO UPDATE SET name = excluded.name, timezone = excluded.timezone",
                [site.id, site.name, site.timezone],
            )

    def get_site(self, site_id: str) -> Site | None:
        row = self._db().execute("SELECT id, name, timezone FROM sites WHERE id = ?", [site_id]).fetchone()
        return Site(*row) if row else None

    def list_sites(self) -> list[Site]:
        return [Site(*r) for r in self._db().execute("SELECT id, name, timezone FROM sites ORDER BY id")]

    def set_config(self, scope: ConfigScope, owner: str, settings: dict[str, Any]) -> int:
        with self._tx() as db:
            table = "sites" if scope == "site" else "devices"
            if not db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [owner]).fetchone():
                raise UnknownSite(f"no {scope} {owner!r}")
            version = self._next(db, "config_version")
            db.execute(
                "INSERT INTO config_layers (scope, owner, version, settings) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(scope, owner) DO UPDATE SET version = excluded.version, "
                "settings = excluded.settings",
                [scope, owner, version, dumps(settings)],
            )
        return version

    def config_layers(self, site_id: str, device_id: str) -> tuple[ConfigLayer | None, ConfigLayer | None]:
        rows = (
            self._db()
            .execute(
                "SELECT scope, version, settings FROM config_layers "
                "WHERE (scope = 'site' AND owner = ?) OR (scope = 'device' AND owner = ?)",
                [site_id, device_id],
            )
            .fetchall()
        )
        layers = {scope: ConfigLayer(version, json.loads(text)) for scope, version, text in rows}
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
            if not db.execute("SELECT 1 FROM sites WHERE id = ?", [site_id]).fetchone():
                raise UnknownSite(f"no site {site_id!r}")
            db.execute(
                "INSERT INTO enrollment_codes (code_hash, site_id, expires_at, hint, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [code_hash, site_id, iso(expires_at), hint, iso(created_at) if created_at else None],
            )

    def list_enrollment_codes(self, unused_at: datetime) -> list[EnrollmentCodeInfo]:
        rows = self._db().execute(
            "SELECT site_id, hint, created_at, expires_at FROM enrollment_codes"
            " WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, expires_at DESC",
            [iso(unused_at)],
        )
        return [EnrollmentCodeInfo(r[0], r[1], parse_time(r[2]), datetime.fromisoformat(r[3])) for r in rows]

    def enroll(
        self, code_hash: str, hardware_id: str, app_version: str, token_hash: str, now: datetime
    ) -> Device:
        with self._tx() as db:
            row = db.execute(
                "SELECT site_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?",
                [code_hash],
            ).fetchone()
            if row is None:
                raise EnrollmentRefused("unknown")
            site_id, expires_at, used_at = row
            if used_at is not None:
                raise EnrollmentRefused("used")
            if iso(now) >= expires_at:
                raise EnrollmentRefused("expired")
            device_id = self._device_for(db, site_id, hardware_id, now)
            db.execute(
                "UPDATE devices SET token_hash = ?, revoked_at = NULL, app_version = ? WHERE id = ?",
                [token_hash, app_version, device_id],
            )
            db.execute(
                "UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ?",
                [iso(now), device_id, code_hash],
            )
            device = db.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = ?", [device_id]).fetchone()
        return _device(device)

    def _device_for(self, db: Any, site_id: str, hardware_id: str, now: datetime) -> str:
        """The device a reinstalled kiosk had at this site, else a new one (kiosk-0001, …)."""
        row = db.execute(
            "SELECT id FROM devices WHERE site_id = ? AND hardware_id = ? ORDER BY enrolled_at DESC",
            [site_id, hardware_id],
        ).fetchone()
        if row:
            return str(row[0])
        device_id = f"kiosk-{self._next(db, 'device_number'):04d}"
        db.execute(
            "INSERT INTO devices (id, site_id, hardware_id, enrolled_at) VALUES (?, ?, ?, ?)",
            [device_id, site_id, hardware_id, iso(now)],
        )
        return device_id

    def device_by_token(self, token_hash: str) -> Device | None:
        row = (
            self._db()
            .execute(
                f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                [token_hash],
            )
            .fetchone()
        )
        return _device(row) if row else None

    def get_device(self, device_id: str) -> Device | None:
        row = (
            self._db().execute(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = ?", [device_id]).fetchone()
        )
        return _device(row) if row else None

    def list_devices(self, site_id: str | None = None) -> list[Device]:
        sql = f"SELECT {_DEVICE_COLUMNS} FROM devices"
        rows = self._db().execute(
            sql + (" WHERE site_id = ? ORDER BY id" if site_id else " ORDER BY id"),
            [site_id] if site_id else [],
        )
        return [_device(r) for r in rows]

    def revoke_device(self, device_id: str, at: datetime) -> bool:
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE devices SET revoked_at = ?, token_hash = NULL WHERE id = ?",
                [iso(at), device_id],
            )
        return cursor.rowcount > 0

    def add_logs(
        self, device_id: str, command_id: str | None, text: str, lines: int, at: datetime
    ) -> LogUpload:
        upload = LogUpload(str(uuid.uuid4()), device_id, at, command_id, lines, len(text.encode()), text)
        with self._tx() as db:
            db.execute(
                "INSERT INTO device_logs (id, device_id, received_at, command_id, lines, text) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [upload.id, device_id, iso(at), command_id, lines, text],
            )
            db.execute(
                "DELETE FROM device_logs WHERE device_id = ? AND id NOT IN (SELECT id FROM device_logs "
                "WHERE device_id = ? ORDER BY received_at DESC, rowid DESC LIMIT ?)",
                [device_id, device_id, KEPT_LOGS],
            )
        return upload

    def list_logs(self, device_id: str) -> list[LogUpload]:
        rows = self._db().execute(
            "SELECT id, device_id, received_at, command_id, lines, length(CAST(text AS BLOB)) "
            "FROM device_logs WHERE device_id = ? ORDER BY received_at DESC, rowid DESC",
            [device_id],
        )
        return [LogUpload(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4], r[5]) for r in rows]

    def get_logs(self, device_id: str, log_id: str) -> LogUpload | None:
        row = (
            self._db()
            .execute(
                "SELECT id, device_id, received_at, command_id, lines, text FROM device_logs "
                "WHERE device_id = ? AND id = ?",
                [device_id, log_id],
            )
            .fetchone()
        )
        if row is None:
            return None
        return LogUpload(
            row[0], row[1], datetime.fromisoformat(row[2]), row[3], row[4], len(row[5].encode()), row[5]
        )

    def record_heartbeat(self, device_id: str, heartbeat: dict[str, Any], at: datetime) -> None:
        # Not worth an fsync each: a heartbeat lost to a power cut is replaced a minute later,
        # and the next FULL commit (any event) makes this one durable too.
        with self._relaxed(), self._tx() as db:
            db.execute(
                "UPDATE devices SET last_seen_at = ?, last_heartbeat = ?, app_version = ? WHERE id = ?",
                [iso(at), dumps(heartbeat), heartbeat.get("app_version"), device_id],
            )
