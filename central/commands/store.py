"""`kiosk-central migrate` (the schema alone, for deployments that migrate as their own step)
and `kiosk-central store copy` (a SQLite store into PostgreSQL, verified: central/store/copy.py)."""

from __future__ import annotations

import argparse
import time

from central.commands import CommandError, add_db_option
from central.store.open import describe, is_postgres, sqlite_path


def register(sub: argparse._SubParsersAction) -> None:
    migrate = sub.add_parser("migrate", help="bring the store's schema up to date, and nothing else")
    add_db_option(migrate)
    migrate.set_defaults(handler=run_migrate)
    store = sub.add_parser("store", help="the store itself: moving a fleet to PostgreSQL")
    store_sub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    copy = store_sub.add_parser("copy", help="copy every table of a SQLite store into PostgreSQL, verified")
    copy.add_argument("--from", dest="source", required=True, help="sqlite:///path/central.db")
    copy.add_argument("--to", dest="target", required=True, help="postgresql://user@host:port/database")
    copy.add_argument(
        "--replace",
        action="store_true",
        help="empty a target that already holds rows first (refused without it)",
    )
    copy.set_defaults(handler=run_copy)


def run_migrate(args: argparse.Namespace) -> int:
    if is_postgres(args.db):
        import psycopg

        from central.store.postgres.base import apply_migrations, schema_version
        from central.store.postgres.url import one_line, parse_postgres_url

        target = parse_postgres_url(args.db)
        try:
            with psycopg.connect(target.conninfo, autocommit=True, connect_timeout=10) as conn:
                applied = apply_migrations(conn)
                version = schema_version(conn)
        except psycopg.OperationalError as exc:
            raise CommandError(f"cannot reach PostgreSQL at {target.where}: {one_line(exc)}") from None
        steps = ", ".join(str(n) for n in applied) or "none"
        print(f"{describe(args.db)}: schema {version} (applied now: {steps})")
        return 0
    from central.store.sqlite import SQLiteStore

    SQLiteStore(sqlite_path(args.db)).close()
    print(f"{describe(args.db)}: schema up to date")
    return 0


def run_copy(args: argparse.Namespace) -> int:
    from central.store.copy import copy_sqlite_to_postgres
    from central.store.postgres.url import parse_postgres_url

    if is_postgres(args.source) or not is_postgres(args.target):
        raise CommandError(
            "store copy goes from a SQLite store (--from sqlite:///…) to PostgreSQL (--to postgresql://…)"
        )
    started = time.monotonic()
    copied = copy_sqlite_to_postgres(
        sqlite_path(args.source),
        parse_postgres_url(args.target),
        replace=args.replace,
        progress=lambda t: print(
            f"{t.table:<22} {t.rows:>10} rows  sha256-sum {t.checksum[:16]}  ok", flush=True
        ),
    )
    rows = sum(t.rows for t in copied)
    print(
        f"copied {len(copied)} tables, {rows} rows, to {describe(args.target)} in "
        f"{time.monotonic() - started:.1f} s; counts and checksums agree"
    )
    return 0
