"""The state database on real files: WAL, migrations, upgrades from older schemas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk import outbox, store
from kiosk.errors import StoreError


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_new_database_is_wal_full_sync_and_at_latest_schema(tmp_path: Path) -> None:
    db = store.connect(tmp_path / "k.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS
    assert store.schema_version(db) == store.latest_version() >= 1
    assert {"device_state", "outbox"} <= _tables(db)


def test_database_written_by_an_older_schema_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    number, _name, sql = store.migrations()[0]
    conn.executescript(sql + f"\nPRAGMA user_version = {number};")
    conn.execute("INSERT INTO device_state VALUES ('device_id', 'kiosk-0007', '2026-01-01')")
    conn.commit()
    conn.close()
    db = store.connect(path)
    assert store.schema_version(db) == store.latest_version()
    assert store.get_state(db, "device_id") == "kiosk-0007"


def test_database_from_a_newer_release_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store.latest_version() + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this software knows"):
        store.connect(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == store.latest_version() + 1


def test_failed_migration_rolls_back_and_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = store.migrations()
    broken = good + [(len(good) + 1, f"{len(good) + 1:04d}_broken.sql", "CREATE TABLE x (a);\nNOT SQL;")]
    monkeypatch.setattr(store, "migrations", lambda: broken)
    with pytest.raises(StoreError, match="_broken.sql failed"):
        store.connect(tmp_path / "k.db")
    db = store.connect(tmp_path / "k.db", migrate_schema=False)
    assert store.schema_version(db) == len(good)
    assert "x" not in _tables(db)


def test_transaction_rolls_back_everything_on_error(db) -> None:
    with pytest.raises(RuntimeError), store.transaction(db):
        store.set_state(db, "a", "1")
        raise RuntimeError("power cut")
    assert store.get_state(db, "a") is None
    with store.transaction(db):
        store.set_state(db, "a", "2")
    assert store.get_state(db, "a") == "2"


def test_unwritable_state_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot open the state database"):
        store.connect(blocker / "k.db")


def test_outbox_keeps_events_until_accepted_and_marks_rejected(db) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 28, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with store.transaction(db):
        first = outbox.add(db, "kiosk.started", {}, at)
        second = outbox.add(db, "rating.submitted", {"score": 3, "service": None, "counter": None}, at)
    assert [e.id for e in outbox.pending(db)] == [first, second]
    assert outbox.pending(db)[1].data == {"score": 3, "service": None, "counter": None}
    assert outbox.pending(db)[0].at == "2026-11-28T08:00:00+07:00"
    outbox.rejected(db, second, "bad score")
    assert outbox.accepted(db, [first, "unknown-id"]) == 1
    assert outbox.pending(db) == []
    assert outbox.counts(db) == {"pending": 0, "rejected": 1}
    with pytest.raises(ValueError):
        outbox.add(db, "ticket.eaten", {}, at)
    with pytest.raises(ValueError):
        outbox.add(db, "kiosk.started", {}, datetime(2026, 1, 1))


def test_a_step_the_other_process_applied_while_this_one_waited_is_not_applied_twice(tmp_path: Path) -> None:
    """The UI and the agent start together and both migrate. One holds the write lock and applies
    the last step while the other, which read the old version, waits for the lock."""
    import threading
    import time

    path = tmp_path / "state.db"
    steps = store.migrations()
    older = sqlite3.connect(path)
    for number, _name, sql in steps[:-1]:
        older.executescript(sql + f"\nPRAGMA user_version = {number};")
    older.close()
    holder = store.connect(path, migrate_schema=False)
    holder.execute("BEGIN IMMEDIATE")
    waiter = store.connect(path, migrate_schema=False)
    outcome: list[BaseException | int] = []
    thread = threading.Thread(target=lambda: outcome.append(_migrate_or_error(waiter)))
    thread.start()
    time.sleep(0.3)  # ordering only: the waiter has read the old version and waits for the lock
    number, _name, sql = steps[-1]
    for statement in store._statements(sql):
        holder.execute(statement)
    holder.execute(f"PRAGMA user_version = {number}")
    holder.execute("COMMIT")
    thread.join(timeout=30)
    assert outcome == [store.latest_version()]


def _migrate_or_error(db: sqlite3.Connection) -> BaseException | int:
    try:
        return store.migrate(db)
    except BaseException as exc:  # the test compares it: any error is the failure it looks for
        return exc


def test_a_process_that_read_an_empty_schema_never_lowers_the_version_the_other_reached(
    tmp_path: Path,
) -> None:
    """Before the re-read under the lock, the loser re-ran the idempotent steps 1–6, set
    user_version back to 6 and failed on 0007: every later start failed the same way (in the
    update tests: "UI 1.0.0 never reported healthy")."""
    import threading
    import time

    path = tmp_path / "state.db"
    holder = store.connect(path, migrate_schema=False)
    holder.execute("BEGIN IMMEDIATE")
    waiter = store.connect(path, migrate_schema=False)
    outcome: list[BaseException | int] = []
    thread = threading.Thread(target=lambda: outcome.append(_migrate_or_error(waiter)))
    thread.start()
    time.sleep(0.3)  # ordering only: the waiter has read version 0 and waits for the lock
    for number, _name, sql in store.migrations():
        for statement in store._statements(sql):
            holder.execute(statement)
        holder.execute(f"PRAGMA user_version = {number}")
    holder.execute("COMMIT")
    thread.join(timeout=30)

    assert outcome == [store.latest_version()]
    assert store.schema_version(store.connect(path)) == store.latest_version()  # a later start
