"""The pool, migrations and transactions shared by the PostgreSQL store's parts.

A psycopg connection pool in autocommit mode: a read is one statement, a write is
`with self._tx() as db:` (BEGIN … COMMIT on one pooled connection). Every instance of the
server talks to the same database, so whatever correctness depends on lives in rows and is
changed under row locks, unique indexes or compare-and-set updates, never in process memory.

When the database cannot be reached (restarting, a failover, the pool exhausted) a call raises
`StoreUnavailable`, which the server answers with 503 and Retry-After; for a second after such
a failure calls fail at once instead of each waiting on a dead connection, then the next one
tries again, so the server recovers by itself."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import psycopg
import psycopg_pool
from psycopg.types.json import Jsonb

from central.store.postgres.url import PostgresTarget, one_line
from central.store.records import StoreError, StoreUnavailable, UnstorableText

_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
MIGRATION_LOCK = 0x6B696F736B  # pg_advisory_xact_lock key: one migrating instance at a time
RETRY_AFTER_S = 1.0  # how long calls fail fast after the database went away


def ts(at: datetime) -> datetime:
    """A timezone-aware datetime as the store keeps it: UTC, to the millisecond (as SQLite)."""
    if at.tzinfo is None:
        raise ValueError("times given to the store must be timezone-aware")
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def jsonb(value: Any) -> Jsonb:
    return Jsonb(value)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, SQL) of every migration this server knows, in order."""
    found = sorted(
        (int(m.group(1)), entry.name, entry.read_text(encoding="utf-8"))
        for entry in resources.files("central.store.postgres.migrations").iterdir()
        if (m := _MIGRATION.match(entry.name))
    )
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"PostgreSQL migrations are not numbered 1..n: {numbers}")
    return found


class PostgresBase:
    """Owns the pool; parts reach the database through `_read()` and `_tx()`."""

    def __init__(self, target: PostgresTarget, *, migrate: bool = True) -> None:
        self.target = target
        self._down_until = 0.0
        self._down_lock = threading.Lock()
        with self._connect() as conn:
            if migrate:
                apply_migrations(conn)
            check_schema(conn, target)
        self._pool = psycopg_pool.ConnectionPool(
            target.conninfo,
            kwargs={"autocommit": True},
            configure=lambda conn: _configure(conn, target.statement_timeout_s),
            min_size=target.pool_min,
            max_size=target.pool_max,
            timeout=target.pool_timeout_s,
            max_idle=300,
            reconnect_timeout=3600,
            name="kiosk-central",
            open=False,
        )
        self._pool.open(wait=False)

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self.target.conninfo, autocommit=True, connect_timeout=10)
            _configure(conn)
            return conn
        except psycopg.Error as exc:
            raise StoreUnavailable(
                f"cannot reach PostgreSQL at {self.target.where}: {one_line(exc)}"
            ) from None

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("the database is not answering; try again shortly")
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg_pool.PoolTimeout:
            raise StoreUnavailable("every database connection is busy; try again shortly") from None
        except psycopg.DataError as exc:
            if isinstance(exc, psycopg.errors.UntranslatableCharacter) or "NUL" in str(exc):
                # psycopg refuses a NUL in text before sending; the server refuses \u0000 in JSONB.
                raise UnstorableText("the text holds a NUL character (U+0000)") from None
            raise
        except psycopg.errors.QueryCanceled:
            # The statement timeout: a lock held too long or an overloaded database. The
            # transaction was rolled back; the caller sends again.
            raise StoreUnavailable("the database took too long to answer; try again shortly") from None
        except (
            psycopg.errors.TransactionRollback,
            psycopg.errors.DeadlockDetected,
            psycopg.errors.SerializationFailure,
        ):
            # A deadlock or serialisation failure between instances: nothing was stored; the
            # caller (a kiosk) sends again.
            raise StoreUnavailable("the database refused a conflicting write; try again") from None
        except psycopg.OperationalError as exc:
            self._went_away()
            raise StoreUnavailable(f"the database is not answering: {one_line(exc)}") from None

    def _went_away(self) -> None:
        with self._down_lock:
            self._down_until = time.monotonic() + RETRY_AFTER_S
        # Idle connections to a restarted server are dead too: find them now, not one request
        # at a time.
        threading.Thread(target=self._pool.check, daemon=True).start()

    @contextmanager
    def _read(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection for reads: each statement on its own (autocommit)."""
        with self._connection() as conn:
            yield conn

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        """One transaction (READ COMMITTED; rows changed under their locks)."""
        with self._connection() as conn, conn.transaction():
            yield conn

    def _next(self, db: psycopg.Connection[Any], name: str) -> int:
        """The next value of a server-wide counter; inside a transaction (the row stays locked
        until it commits, so two instances never hand out the same value)."""
        row = db.execute(
            "INSERT INTO sequences (name, value) VALUES (%s, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value",
            [name],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        self._pool.close()


def _configure(conn: psycopg.Connection[Any], statement_timeout_s: float | None = None) -> None:
    # Times come back in UTC whatever the server's zone, as the SQLite store gives them.
    conn.execute("SET TIME ZONE 'UTC'")
    if statement_timeout_s is not None:
        # The server's own connections: no statement (nor a lock wait) holds a worker for
        # ever, and a transaction left open by a stuck caller gives its locks back. Migrations
        # run on their own connection, without it (an index on millions of events takes time).
        ms = max(1, round(statement_timeout_s * 1000))
        conn.execute(f"SET statement_timeout = {ms}")
        conn.execute(f"SET idle_in_transaction_session_timeout = {max(ms, 60_000)}")


def apply_migrations(conn: psycopg.Connection[Any]) -> list[int]:
    """Bring the schema up to date, one transaction per step, the step recorded with it; run by
    any number of instances at once, each step is applied once. The steps applied now."""
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
    for number, name, sql in migrations():
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s", [number]).fetchone()
            if done:
                continue
            conn.execute(sql.encode())
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", [number, name])
            applied.append(number)
    return applied


def schema_version(conn: psycopg.Connection[Any]) -> int:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def check_schema(conn: psycopg.Connection[Any], target: PostgresTarget) -> None:
    known = len(migrations())
    version = schema_version(conn)
    if version > known:
        raise StoreError(f"{target.where}: schema {version} is newer than this server knows ({known})")
    if version < known:
        raise StoreError(
            f"{target.where}: schema {version} is older than this server's ({known}); "
            "run `kiosk-central migrate --db URL` first"
        )
