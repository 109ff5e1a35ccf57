"""Choosing the store by URL from the command line: `--db sqlite:///…` or `postgresql://…`, a bad
URL or an unreachable database stopping with one line and no traceback, `kiosk-central migrate`
run twice, and `kiosk-central store copy` refusing a non-empty target."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from central.cli import main
from central.store.postgres.base import migrations
from tests.fixtures_central import free_socket
from tests.fixtures_postgres import PostgresServer


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central", *args], capture_output=True, text=True, timeout=60, check=False
    )


def closed_port() -> int:
    with free_socket() as sock:
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("db", "named"),
    [
        ("mysql://kiosk@db/central", "unknown store 'mysql'"),
        ("postgresql://kiosk@[::1/central", "not a PostgreSQL URL"),
        ("postgresql://kiosk@127.0.0.1/central?pool_max=many", "must be numbers"),
        ("sqlite://central.db", "a SQLite URL is sqlite:///"),
        (
            f"postgresql://kiosk:s3cret-pw@127.0.0.1:{closed_port()}/central",
            "cannot reach PostgreSQL at 127.0.0.1",
        ),
    ],
)
def test_a_bad_store_stops_serve_with_one_line(db: str, named: str, tmp_path: Path) -> None:
    answer = run("serve", "--db", db, "--releases", str(tmp_path), "--port", str(closed_port()))
    assert answer.returncode == 1
    assert answer.stderr.count("\n") == 1 and named in answer.stderr, answer.stderr
    assert "Traceback" not in answer.stderr and "s3cret-pw" not in answer.stderr


def test_postgres_needs_a_shared_releases_directory(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIOSK_CENTRAL_RELEASES", raising=False)
    answer = run("serve", "--db", postgres_url)
    assert answer.returncode == 1 and "--releases" in answer.stderr


def test_migrate_twice_applies_each_step_once(postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--db", postgres_url]) == 0
    first = capsys.readouterr().out
    assert main(["migrate", "--db", postgres_url]) == 0
    second = capsys.readouterr().out
    numbers = [number for number, _name, _sql in migrations()]
    assert f"applied now: {', '.join(map(str, numbers))}" in first and "applied now: none" in second
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall() == [
            (n,) for n in numbers
        ]


def test_serve_without_migrating_refuses_an_old_schema(postgres_url: str, tmp_path: Path) -> None:
    answer = run("serve", "--db", postgres_url, "--releases", str(tmp_path), "--no-migrate")
    assert answer.returncode == 1 and "run `kiosk-central migrate" in answer.stderr, answer.stderr


def test_commands_work_on_either_store(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", "set", "me-linh-xa", "--name", "UBND xã Mê Linh", "--db", store_url]) == 0
    assert main(["site", "list", "--db", store_url]) == 0
    assert "UBND xã Mê Linh" in capsys.readouterr().out


def test_the_password_may_come_from_the_environment(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_server.database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN CREATE ROLE fleet LOGIN PASSWORD 'from-env-123'; "
                     "EXCEPTION WHEN duplicate_object THEN NULL; END $$")  # fmt: skip
        conn.execute("GRANT ALL ON SCHEMA public TO fleet")
    fleet_url = f"postgresql://fleet@127.0.0.1:{postgres_server.port}/{url.rsplit('/', 1)[1]}"
    monkeypatch.delenv("KIOSK_CENTRAL_DB_PASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    assert main(["migrate", "--db", fleet_url]) == 1
    assert "password" in capsys.readouterr().err
    monkeypatch.setenv("KIOSK_CENTRAL_DB_PASSWORD", "from-env-123")
    assert main(["migrate", "--db", fleet_url]) == 0
