"""Moving a live fleet: `kiosk-central store copy --from sqlite:///… --to postgresql://…` copies
every table of a SQLite store into a PostgreSQL one, tokens and ids as they are (kiosks notice
nothing), and proves it: row counts and a checksum per table, computed from the rows read out
of SQLite and again from the rows read back out of PostgreSQL, must agree.

- Streaming: rows go from a SQLite cursor (fetchmany) into `COPY … FROM STDIN`, and come back
  through a server-side cursor; memory stays flat whatever the size.
- All or nothing: the copy and its verification are one PostgreSQL transaction; a mismatch or a
  failure rolls it back and leaves the target as it was.
- A target that holds any row is refused unless `replace` (then its tables are emptied first,
  in the same transaction).
- The checksum of a table is the sum (mod 2^256) of SHA-256 over each row in a canonical form
  (times in UTC to the microsecond, JSON with sorted keys, booleans as booleans), so it does
  not depend on the order rows come in and both databases' spellings of a value agree.

Stop the SQLite server (or its writes) while copying: rows written after the copy began are
not copied. The source is migrated to its newest schema first, as the server would at start."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central.store.copy_tables import DERIVED, IDENTITIES, TABLES
from central.store.postgres.base import apply_migrations
from central.store.postgres.url import PostgresTarget
from central.store.records import StoreError

CHUNK_ROWS = 5_000
_MOD = 2**256


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str  # hex, of the source; the target's agreed


class CopyRefused(StoreError):
    """The target holds rows, or the copy did not verify (and was rolled back)."""


def _to_pg(kind: str, value: Any) -> Any:
    """A SQLite value as PostgreSQL takes it in COPY."""
    if value is None:
        return None
    if kind == "ts":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "b":
        return bool(value)
    if kind == "j":
        from psycopg.types.json import Jsonb

        return Jsonb(json.loads(value))
    return value


def _canonical(kind: str, value: Any) -> Any:
    """One spelling of a value for the checksum, from either database."""
    if value is None:
        return None
    if kind == "ts":
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if kind == "b":
        return bool(value)
    if kind == "j":
        parsed = json.loads(value) if isinstance(value, str) else value
        return json.dumps(parsed, sort_keys=True, ensure_ascii=False)
    if kind == "r":
        return repr(float(value))
    return value


def row_hash(kinds: list[str], row: tuple[Any, ...]) -> int:
    canonical = [_canonical(kind, value) for kind, value in zip(kinds, row, strict=True)]
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def _source_rows(source: sqlite3.Connection, table: str, order: str, names: str) -> Iterator[tuple[Any, ...]]:
    cursor = source.execute(f"SELECT {names} FROM {table} ORDER BY {order}")
    while rows := cursor.fetchmany(CHUNK_ROWS):
        yield from rows


def _copy_table(
    source: sqlite3.Connection, target: Any, spec: tuple[str, str, list[tuple[str, str]]]
) -> TableCopy:
    table, order, columns = spec
    names = ", ".join(name for name, _ in columns)
    kinds = [kind for _, kind in columns]
    rows, total = 0, 0
    with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in _source_rows(source, table, order, names):
            copy.write_row([_to_pg(kind, value) for kind, value in zip(kinds, row, strict=True)])
            total = (total + row_hash(kinds, row)) % _MOD
            rows += 1
    return TableCopy(table, rows, f"{total:064x}")


def _target_sum(target: Any, table: str, columns: list[tuple[str, str]]) -> tuple[int, str]:
    names = ", ".join(name for name, _ in columns)
    kinds = [kind for _, kind in columns]
    rows, total = 0, 0
    with target.cursor(name=f"verify_{table}") as cursor:
        cursor.itersize = CHUNK_ROWS
        cursor.execute(f"SELECT {names} FROM {table}")
        for row in cursor:
            total = (total + row_hash(kinds, row)) % _MOD
            rows += 1
    return rows, f"{total:064x}"


def _nonempty(target: Any) -> list[str]:
    tables = [table for table, _, _ in TABLES] + [table for table, _ in DERIVED]
    return [table for table in tables if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()]


def copy_sqlite_to_postgres(
    source_path: Path,
    target: PostgresTarget,
    *,
    replace: bool = False,
    progress: Callable[[TableCopy], None] | None = None,
) -> list[TableCopy]:
    """Copy and verify every table; the list of what was copied. Raises CopyRefused."""
    import psycopg

    from central.store.sqlite import SQLiteStore

    if not source_path.is_file():
        raise StoreError(f"--from: no SQLite database at {source_path}")
    SQLiteStore(source_path).close()  # the newest schema, as the server would make it
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        with psycopg.connect(target.conninfo, connect_timeout=10) as conn:
            conn.autocommit = True
            apply_migrations(conn)
            conn.autocommit = False
            with conn.transaction():
                source.execute("BEGIN")  # one snapshot of the source for every table
                return _copy_all(source, conn, target, replace, progress)
    except psycopg.OperationalError as exc:
        raise StoreError(f"--to: cannot reach PostgreSQL at {target.where}: {exc}") from None
    finally:
        source.close()


def _copy_all(
    source: sqlite3.Connection,
    conn: Any,
    target: PostgresTarget,
    replace: bool,
    progress: Callable[[TableCopy], None] | None,
) -> list[TableCopy]:
    busy = _nonempty(conn)
    if busy and not replace:
        raise CopyRefused(
            f"--to: {target.where} already holds rows ({', '.join(busy)}); "
            "copy into an empty database, or pass --replace to empty it first"
        )
    if busy:
        conn.execute("TRUNCATE " + ", ".join([table for table, _, _ in TABLES] + [t for t, _ in DERIVED]))
    done = []
    for spec in TABLES:
        copied = _copy_table(source, conn, spec)
        rows, checksum = _target_sum(conn, spec[0], spec[2])
        if (rows, checksum) != (copied.rows, copied.checksum):
            raise CopyRefused(
                f"{spec[0]}: {copied.rows} rows read, {rows} in the target, checksums "
                f"{copied.checksum[:12]} and {checksum[:12]}: nothing was copied"
            )
        done.append(copied)
        if progress:
            progress(copied)
    for table, column in IDENTITIES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
            f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        )
    for _, fill in DERIVED:
        conn.execute(fill)
    return done
