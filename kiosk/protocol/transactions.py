"""The SQLite write transaction both sides use: the kiosk's state database (kiosk/store.py) and
the central server's SQLite store (central/store/sqlite/base.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception. Writers take the lock up front so
    two processes never deadlock upgrading a read lock."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
