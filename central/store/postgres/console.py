"""The fleet console's operators (scrypt password hashes) and their sessions (hashed ids)."""

from __future__ import annotations

from datetime import datetime

from central.store.postgres.base import PostgresBase, ts


class ConsolePart(PostgresBase):
    def set_operator_password(self, name: str, password_hash: str, at: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO operators (name, password_hash, created_at, updated_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,"
                " updated_at = excluded.updated_at",
                [name, password_hash, ts(at), ts(at)],
            )
            # A new password logs the operator out everywhere (a leaked session ends with it).
            db.execute("DELETE FROM console_sessions WHERE operator = %s", [name])

    def operator_password_hash(self, name: str) -> str | None:
        if "\x00" in name:
            return None  # no operator can have such a name (PostgreSQL text cannot hold it)
        with self._read() as db:
            row = db.execute("SELECT password_hash FROM operators WHERE name = %s", [name]).fetchone()
        return str(row[0]) if row else None

    def list_operators(self) -> list[str]:
        with self._read() as db:
            return [str(r[0]) for r in db.execute("SELECT name FROM operators ORDER BY name")]

    def remove_operator(self, name: str) -> bool:
        with self._tx() as db:
            db.execute("DELETE FROM console_sessions WHERE operator = %s", [name])
            return db.execute("DELETE FROM operators WHERE name = %s", [name]).rowcount > 0

    def add_console_session(
        self, session_hash: str, operator: str, expires_at: datetime, at: datetime
    ) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM console_sessions WHERE expires_at <= %s", [ts(at)])
            db.execute(
                "INSERT INTO console_sessions (session_hash, operator, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s)",
                [session_hash, operator, ts(at), ts(expires_at)],
            )

    def console_session_operator(self, session_hash: str, now: datetime) -> str | None:
        with self._read() as db:
            row = db.execute(
                "SELECT operator FROM console_sessions WHERE session_hash = %s AND expires_at > %s",
                [session_hash, ts(now)],
            ).fetchone()
        return str(row[0]) if row else None

    def end_console_session(self, session_hash: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM console_sessions WHERE session_hash = %s", [session_hash])
