"""The state database around an update: a backup before the switch, a restore on rollback.

A rollback restores the backup only when the new release migrated the schema beyond what the old
release knows (the old code refuses a newer schema). Events that reached the outbox after the
backup are carried over into the restored database, so the outbox still loses nothing
(invariant 2); the database that was replaced is kept beside the backup for a technician.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk import store

BACKUP_DIR = "backups"
_OUTBOX_COLUMNS = "id, type, at, data, state, reason, attempts"


def schema_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def backup_database(state_dir: Path, label: str) -> Path:
    """A consistent copy of the live database (SQLite's online backup, safe while the UI writes)
    at state_dir/backups/kiosk-before-LABEL.db."""
    dest = state_dir / BACKUP_DIR / f"kiosk-before-{label}.db"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    _copy(state_dir / store.DB_NAME, dest)
    return dest


def restore_database(state_dir: Path, backup: Path, keep_as: str) -> int:
    """Put `backup` back as the live database; returns how many outbox events written after the
    backup were carried over. The replaced database is kept as backups/kiosk-KEEP_AS.db."""
    live = state_dir / store.DB_NAME
    kept = state_dir / BACKUP_DIR / f"kiosk-{keep_as}.db"
    kept.unlink(missing_ok=True)
    _copy(live, kept)
    # Copy the backup over the live database through SQLite, not the file system: other
    # processes may hold it open, and the backup API takes the locks they expect.
    _copy(backup, live)
    conn = sqlite3.connect(live, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS replaced", [str(kept)])
        conn.execute("BEGIN IMMEDIATE")
        carried = conn.execute(
            f"INSERT OR IGNORE INTO main.outbox ({_OUTBOX_COLUMNS}) "
            f"SELECT {_OUTBOX_COLUMNS} FROM replaced.outbox ORDER BY seq"
        ).rowcount
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE replaced")
    finally:
        conn.close()
    return carried


def _copy(source: Path, dest: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
