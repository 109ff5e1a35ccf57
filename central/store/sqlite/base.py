"""Connections, migrations and transactions shared by the SQLite store's parts.

One connection per thread: FastAPI runs plain `def` endpoints on a thread pool, WAL lets the
readers run beside the one writer, and BEGIN IMMEDIATE makes writers queue on the busy timeout
instead of failing when they upgrade a read lock."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.protocol.transactions import transaction

BUSY_TIMEOUT_MS = 10_000
_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def iso(at: datetime) -> str:
    """A timezone-aware datetime as an ISO string in UTC."""
    if at.tzinfo is None:
        raise ValueError("times given to the store must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SQLiteBase:
    """Owns the database file; parts of the store reach it through `_db()` and `_tx()`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._writer = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._migrate()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: an event the server answered `accepted` for must survive a power cut, or the
            # kiosk, which deleted it on that answer, would have lost it (invariant 2).
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            db = conn
            self._local.db = db
            with self._lock:
                self._connections.append(conn)
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on this thread's connection (BEGIN IMMEDIATE … COMMIT).

        Writers of this process queue on a lock first. SQLite's own wait for its write lock is
        a busy handler that sleeps 1, 2, 5 … up to 100 ms between tries, so with twenty
        counters pressing at once the lock sat free while the waiters slept (calls/s halved).
        Other processes (a `kiosk-central` command, a second instance) still meet the busy
        timeout, as before; within this one the lock hands over at once."""
        with self._writer, transaction(self._db()) as db:
            yield db

    @contextmanager
    def _relaxed(self) -> Iterator[None]:
        """synchronous = NORMAL for the transactions inside: durable against a crash of the
        server, not against a power cut. Only for data the next minute replaces."""
        db = self._db()
        db.execute("PRAGMA synchronous = NORMAL")
        try:
            yield
        finally:
            db.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        db = self._db()
        current = int(db.execute("PRAGMA user_version").fetchone()[0])
        steps = sorted(
            (int(m.group(1)), entry.read_text(encoding="utf-8"))
            for entry in resources.files("central.store.sqlite.migrations").iterdir()
            if (m := _MIGRATION.match(entry.name))
        )
        if current > len(steps):
            raise RuntimeError(
                f"{self.path}: schema {current} is newer than this server knows ({len(steps)})"
            )
        for number, sql in steps[current:]:
            db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")

    def _next(self, db: sqlite3.Connection, name: str) -> int:
        """The next value of a server-wide counter; call inside a transaction."""
        db.execute(
            "INSERT INTO sequences (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            [name],
        )
        return int(db.execute("SELECT value FROM sequences WHERE name = ?", [name]).fetchone()[0])

    def close(self) -> None:
        """Close every thread's connection (the server is stopping)."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
