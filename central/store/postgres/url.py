"""Where a PostgreSQL store is: the URL `kiosk-central --db postgresql://…` was given, its pool
settings taken out (`?pool_min=2&pool_max=20&pool_timeout=5&statement_timeout=10`, ours, not
libpq's; the statement timeout, in seconds, bounds every statement the server runs), and the
password from `$KIOSK_CENTRAL_DB_PASSWORD` when the URL has none (libpq's own PGPASSWORD and
~/.pgpass work too), so the secret need not sit in a unit file or a process list."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from central.store.records import StoreError

PASSWORD_ENV = "KIOSK_CENTRAL_DB_PASSWORD"
_POOL_KEYS = {"pool_min", "pool_max", "pool_timeout", "statement_timeout"}


@dataclass(frozen=True)
class PostgresTarget:
    conninfo: str  # for libpq; may hold the password: never print it
    where: str  # host:port/database, for messages
    pool_min: int = 2
    pool_max: int = 20
    pool_timeout_s: float = 5.0
    statement_timeout_s: float = 10.0


def one_line(exc: BaseException) -> str:
    """A driver's message on one line (libpq's span several)."""
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text or type(exc).__name__


def parse_postgres_url(url: str) -> PostgresTarget:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (parsing it is the check)
    except ValueError as exc:
        raise StoreError(f"--db: not a PostgreSQL URL ({exc})") from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    pool = {k: v for k, v in query if k in _POOL_KEYS}
    rest = urlencode([(k, v) for k, v in query if k not in _POOL_KEYS])
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment))
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error as exc:
        raise StoreError(f"--db: not a PostgreSQL URL ({one_line(exc)})") from None
    extra = {}
    if not params.get("password") and os.environ.get(PASSWORD_ENV):
        extra["password"] = os.environ[PASSWORD_ENV]
    if extra:
        conninfo = psycopg.conninfo.make_conninfo(conninfo, **extra)
    host = params.get("host") or "localhost"
    where = f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user') or ''}"
    try:
        target = PostgresTarget(
            conninfo,
            where,
            pool_min=int(pool.get("pool_min", 2)),
            pool_max=int(pool.get("pool_max", 20)),
            pool_timeout_s=float(pool.get("pool_timeout", 5.0)),
            statement_timeout_s=float(pool.get("statement_timeout", 10.0)),
        )
    except ValueError:
        raise StoreError(
            f"--db: pool_min, pool_max, pool_timeout and statement_timeout must be numbers ({where})"
        ) from None
    if (
        not 0 <= target.pool_min <= target.pool_max
        or target.pool_max < 1
        or target.pool_timeout_s <= 0
        or target.statement_timeout_s <= 0
    ):
        raise StoreError(
            "--db: want 0 <= pool_min <= pool_max, pool_max >= 1, pool_timeout > 0, "
            f"statement_timeout > 0 ({where})"
        )
    return target
