"""Per-site staff who sign in at the counters, and their sessions (kept as SHA-256 of the
cookie's value, as the console's); in the database, so a session signed in on one instance is
good on every other."""

from __future__ import annotations

from datetime import datetime

from central.store.calling import Role, StaffMember, StaffSession
from central.store.contract import UnknownSite
from central.store.postgres.base import PostgresBase, jsonb, ts


class StaffPart(PostgresBase):
    def set_staff(self, site_id: str, name: str, role: Role, password_hash: str, at: datetime) -> None:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM sites WHERE id = %s", [site_id]).fetchone() is None:
                raise UnknownSite(f"no site {site_id!r}")
            db.execute(
                "INSERT INTO staff (site_id, name, role, password_hash, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (site_id, name) DO UPDATE SET "
                "role = excluded.role, password_hash = excluded.password_hash, "
                "updated_at = excluded.updated_at",
                [site_id, name, role, password_hash, ts(at), ts(at)],
            )
            # A new password signs the officer out everywhere.
            db.execute("DELETE FROM staff_sessions WHERE site_id = %s AND name = %s", [site_id, name])

    def staff_password_hash(self, site_id: str, name: str) -> str | None:
        if "\x00" in site_id + name:
            return None  # nobody can have such a name (PostgreSQL text cannot hold it)
        with self._read() as db:
            row = db.execute(
                "SELECT password_hash FROM staff WHERE site_id = %s AND name = %s", [site_id, name]
            ).fetchone()
        return str(row[0]) if row else None

    def list_staff(self, site_id: str | None = None) -> list[StaffMember]:
        where = " WHERE site_id = %s" if site_id else ""
        with self._read() as db:
            rows = db.execute(
                f"SELECT site_id, name, role, created_at FROM staff{where} ORDER BY site_id, name",
                [site_id] if site_id else [],
            ).fetchall()
        return [StaffMember(r[0], r[1], r[2], r[3]) for r in rows]

    def remove_staff(self, site_id: str, name: str) -> bool:
        with self._tx() as db:
            db.execute("DELETE FROM staff_sessions WHERE site_id = %s AND name = %s", [site_id, name])
            cursor = db.execute("DELETE FROM staff WHERE site_id = %s AND name = %s", [site_id, name])
            return cursor.rowcount > 0

    def add_staff_session(
        self, session_hash: str, site_id: str, name: str, expires_at: datetime, at: datetime
    ) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM staff_sessions WHERE expires_at < %s", [ts(at)])
            db.execute(
                "INSERT INTO staff_sessions (session_hash, site_id, name, created_at, expires_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                [session_hash, site_id, name, ts(at), ts(expires_at)],
            )

    def staff_session(self, session_hash: str, now: datetime) -> StaffSession | None:
        with self._read() as db:
            row = db.execute(
                "SELECT s.site_id, s.name, staff.role, s.counter, s.services, s.expires_at "
                "FROM staff_sessions s JOIN staff ON staff.site_id = s.site_id AND staff.name = s.name "
                "WHERE s.session_hash = %s AND s.expires_at > %s",
                [session_hash, ts(now)],
            ).fetchone()
        if row is None:
            return None
        return StaffSession(row[0], row[1], row[2], row[3], tuple(row[4]), row[5])

    def seat_staff_session(self, session_hash: str, counter: str, services: tuple[str, ...]) -> None:
        with self._read() as db:  # one statement
            db.execute(
                "UPDATE staff_sessions SET counter = %s, services = %s WHERE session_hash = %s",
                [counter, jsonb(list(services)), session_hash],
            )

    def end_staff_session(self, session_hash: str) -> None:
        with self._read() as db:  # one statement
            db.execute("DELETE FROM staff_sessions WHERE session_hash = %s", [session_hash])
