"""Which store a `--db` names: `sqlite:///central.db` (relative), `sqlite:////var/lib/…/central.db`
(absolute) or a plain path for the embedded SQLite store, `postgresql://user@host:port/database`
for PostgreSQL. `open_store` opens it, migrating unless told not to; a bad URL or a database
that cannot be reached raises `StoreError` with one line naming what is wrong."""

from __future__ import annotations

from pathlib import Path

from central.store.contract import CentralStore
from central.store.records import StoreError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL or plain path; StoreError for any other scheme."""
    if url.startswith("sqlite://"):
        # As SQLAlchemy spells it: sqlite:///relative/central.db, sqlite:////absolute/central.db.
        rest = url.removeprefix("sqlite://")
        if not rest.startswith("/") or rest == "/":
            raise StoreError(f"--db: {url!r}: a SQLite URL is sqlite:///path/to/central.db")
        return Path(rest[1:])
    if "://" in url:
        scheme = url.split("://", 1)[0]
        raise StoreError(f"--db: unknown store {scheme!r}; use sqlite:///path or postgresql://…")
    if not url:
        raise StoreError("--db: empty; use sqlite:///path or postgresql://…")
    return Path(url)


def describe(url: str) -> str:
    """The store for messages, without any password."""
    if is_postgres(url):
        from central.store.postgres.url import parse_postgres_url

        return f"postgresql://{parse_postgres_url(url).where}"
    return f"sqlite:///{sqlite_path(url).resolve()}"


def open_store(url: str, *, migrate: bool = True) -> CentralStore:
    if is_postgres(url):
        from central.store.postgres import PostgresStore
        from central.store.postgres.url import parse_postgres_url

        return PostgresStore(parse_postgres_url(url), migrate=migrate)
    from central.store.sqlite import SQLiteStore

    path = sqlite_path(url)
    if path.is_dir():
        raise StoreError(f"--db: {path} is a directory, not a database file")
    try:
        return SQLiteStore(path)
    except Exception as exc:  # sqlite3.DatabaseError: not a database, unreadable, …
        raise StoreError(f"--db: cannot open {path}: {exc}") from None
