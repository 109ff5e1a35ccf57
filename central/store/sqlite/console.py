"""The fleet console's operators (scrypt password hashes) and their sessions (hashed ids)."""

from __future__ import annotations

from datetime import datetime

from central.store.sqlite.base import SQLiteBase, iso


class ConsolePart(SQLiteBase):
    def set_operator_password(self, name: str, password_hash: str, at: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO operators (name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash,"
                " updated_at = excluded.updated_at",
                [name, password_hash, iso(at), iso(at)],
            )
            # A new password logs the operator out everywhere (a leaked session ends with it).
            db.execute("DELETE FROM console_sessions WHERE operator = ?", [name])

    def operator_password_hash(self, name: str) -> str | None:
        row = self._db().execute("SELECT password_hash FROM operators WHERE name = ?", [name]).fetchone()
        return str(row[0]) if row else None

    def list_operators(self) -> list[str]:
        return [str(r[0]) for r in self._db().execute("SELECT name FROM operators ORDER BY name")]

    def remove_operator(self, name: str) -> bool:
        with self._tx() as db:
            db.execute("DELETE FROM console_sessions WHERE operator = ?", [name])
            cursor = db.execute("DELETE FROM operators WHERE name = ?", [name])
        return cursor.rowcount > 0

    def add_console_session(
        self, session_hash: str, operator: str, expires_at: datetime, at: datetime
    ) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM console_sessions WHERE expires_at <= ?", [iso(at)])
            db.execute(
                "INSERT INTO console_sessions (session_hash, operator, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                [session_hash, operator, iso(at), iso(expires_at)],
            )

    def console_session_operator(self, session_hash: str, now: datetime) -> str | None:
        row = (
            self._db()
            .execute(
                "SELECT operator FROM console_sessions WHERE session_hash = ? AND expires_at > ?",
                [session_hash, iso(now)],
            )
            .fetchone()
        )
        return str(row[0]) if row else None

    def end_console_session(self, session_hash: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM console_sessions WHERE session_hash = ?", [session_hash])
