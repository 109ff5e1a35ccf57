"""The kiosk's state database: one SQLite file in the state directory, shared by the UI and the
agent (WAL mode, busy timeout), migrated by numbered SQL files in kiosk/migrations/.

The database is a plain `sqlite3.Connection` in autocommit mode (isolation_level=None): every
multi-row change goes inside `transaction(db)` (BEGIN IMMEDIATE … COMMIT) and writes with explicit
SQL. We started on sqlite-utils, as the design card says, and dropped it (docs/architecture.md):
its table helpers wrap themselves in `with conn:`, which commits a surrounding transaction half-way,
so we never used them, and importing it cost the UI 6 MB and 0.2 s at start for `execute`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.protocol.transactions import transaction as transaction  # shared with central's store

DB_NAME = "kiosk.db"
BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def default_state_dir() -> Path:
    """KIOSK_STATE_DIR, else /var/lib/kiosk when it is ours to write, else the user's data dir."""
    env = os.environ.get("KIOSK_STATE_DIR")
    if env:
        return Path(env)
    system = Path("/var/lib/kiosk")
    if system.is_dir() and os.access(system, os.W_OK):
        return system
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kiosk"


def migrations() -> list[tuple[int, str, str]]:
    """Every (number, name, sql) in kiosk/migrations/, in order."""
    found = []
    for entry in resources.files("kiosk.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"migrations are not numbered 1..N without gaps: {numbers}")
    return found


def _statements(script: str) -> list[str]:
    """The statements of a migration script, split where SQLite says a statement is complete
    (so a trigger's BEGIN … END stays whole), for running them inside one transaction."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                statements.append(pending)
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") for part in pending.splitlines() if part.strip()
    ):
        statements.append(pending)
    return statements


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def latest_version() -> int:
    return len(migrations())


def migrate(db: sqlite3.Connection) -> int:
    """Apply every migration newer than the database, each in its own transaction.

    The UI and the agent start together and both migrate: each step takes the write lock first
    and reads the version again under it, so a step the other process applied while this one
    waited is not applied twice (ALTER TABLE … ADD COLUMN would fail the second time)."""
    current = schema_version(db)
    steps = migrations()
    if current > len(steps):
        raise StoreError(
            f"database schema {current} is newer than this software knows ({len(steps)}); "
            "run the newer release or restore the backup taken before the update"
        )
    for number, name, sql in steps[current:]:
        try:
            db.execute("BEGIN IMMEDIATE")
            if schema_version(db) < number:
                for statement in _statements(sql):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.rollback()
            raise StoreError(f"migration {name} failed: {exc}") from exc
    return schema_version(db)


def connect(path: Path | str, *, migrate_schema: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path` in WAL mode with FULL sync."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a ticket that was reported to a citizen survives a power cut (invariant 1).
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the state database {path}: {exc}") from exc
    db = conn
    if migrate_schema:
        migrate(db)
    return db


def open_state(state_dir: Path) -> sqlite3.Connection:
    return connect(state_dir / DB_NAME)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def get_state(db: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM device_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_state(db: sqlite3.Connection, key: str, value: str) -> None:
    """Upsert one device_state value; safe inside or outside a transaction."""
    db.execute(
        "INSERT INTO device_state (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [key, value, now_utc()],
    )
