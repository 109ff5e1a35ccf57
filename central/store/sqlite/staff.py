"""Per-site staff who sign in at the counters, and their sessions (kept as SHA-256 of the
cookie's value, as the console's)."""

from __future__ import annotations

import json
from datetime import datetime

from central.store.calling import Role, StaffMember, StaffSession
from central.store.contract import UnknownSite
from central.store.sqlite.base import SQLiteBase, iso


class StaffPart(SQLiteBase):
    def set_staff(self, site_id: str, name: str, role: Role, password_hash: str, at: datetime) -> None:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM sites WHERE id = ?", [site_id]).fetchone() is None:
                raise UnknownSite(f"no site {site_id!r}")
            db.execute(
                "INSERT INTO staff (site_id, name, role, password_hash, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash, updated_at = excluded.updated_at",
                [site_id, name, role, password_hash, iso(at), iso(at)],
            )
            db.execute("DELETE FROM staff_sessions WHERE site_id = ? AND name = ?", [site_id, name])

    def staff_password_hash(self, site_id: str, name: str) -> str | None:
        row = (
            self._db()
            .execute("SELECT password_hash FROM staff WHERE site_id = ? AND name = ?", [site_id, name])
            .fetchone()
        )
        return str(row[0]) if row else None

    def list_staff(self, site_id: str | None = None) -> list[StaffMember]:
        sql = "SELECT site_id, name, role, created_at FROM staff"
        rows = self._db().execute(
            sql + (" WHERE site_id = ? ORDER BY site_id, name" if site_id else " ORDER BY site_id, name"),
            [site_id] if site_id else [],
        )
        return [StaffMember(r[0], r[1], r[2], datetime.fromisoformat(r[3])) for r in rows]

    def remove_staff(self, site_id: str, name: str) -> bool:
        with self._tx() as db:
            db.execute("DELETE FROM staff_sessions WHERE site_id = ? AND name = ?", [site_id, name])
            cursor = db.execute("DELETE FROM staff WHERE site_id = ? AND name = ?", [site_id, name])
        return cursor.rowcount > 0

    def add_staff_session(
        self, session_hash: str, site_id: str, name: str, expires_at: datetime, at: datetime
    ) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM staff_sessions WHERE expires_at < ?", [iso(at)])
            db.execute(
                "INSERT INTO staff_sessions (session_hash, site_id, name, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [session_hash, site_id, name, iso(at), iso(expires_at)],
            )

    def staff_session(self, session_hash: str, now: datetime) -> StaffSession | None:
        row = (
            self._db()
            .execute(
                "SELECT s.site_id, s.name, staff.role, s.counter, s.services, s.expires_at "
                "FROM staff_sessions s JOIN staff ON staff.site_id = s.site_id AND staff.name = s.name "
                "WHERE s.session_hash = ? AND s.expires_at > ?",
                [session_hash, iso(now)],
            )
            .fetchone()
        )
        if row is None:
            return None
        return StaffSession(
            row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), datetime.fromisoformat(row[5])
        )

    def seat_staff_session(self, session_hash: str, counter: str, services: tuple[str, ...]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE staff_sessions SET counter = ?, services = ? WHERE session_hash = ?",
                [counter, json.dumps(list(services)), session_hash],
            )

    def end_staff_session(self, session_hash: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM staff_sessions WHERE session_hash = ?", [session_hash])
