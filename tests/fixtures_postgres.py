"""A real PostgreSQL server for the tests: Debian's postgresql package (initdb + pg_ctl) in a
temporary directory, listening on a free loopback port and a Unix socket there, one per test
session, torn down at the end. Each test that wants a PostgreSQL store gets a fresh database in
it. `.ci/run` installs the package; without it the PostgreSQL tests are skipped, except in CI
(CI=true), where a missing server is a failure."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from central.store.contract import CentralStore
from central.store.open import open_store
from tests.fixtures_central import free_socket


def _bin_dir() -> Path | None:
    found = os.environ.get("KIOSK_TEST_PG_BIN")
    if found:
        return Path(found)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def _as_postgres() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class PostgresServer:
    """One running cluster; `database()` makes a new empty database and gives its URL."""

    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    port: int
    user: str = "kiosk"
    _numbers: itertools.count[int] = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{next(self._numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def pg_ctl(self, *args: str) -> None:
        command = [*_as_postgres(), str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-w", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        self.pg_ctl("start", "-l", str(self.data_dir / "server.log"), "-o", options)


def start_postgres(root: Path) -> PostgresServer:
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL server (apt-get install postgresql)")
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    initdb = [*_as_postgres(), str(bin_dir / "initdb"), "-D", str(data), "-U", "kiosk", "-A", "trust"]
    subprocess.run([*initdb, "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
    with (data / "postgresql.conf").open("a") as conf:
        # A test cluster: no fsync (a clean or immediate stop still keeps every commit, which
        # is what the fault tests need; only a power cut would not), room for many pools.
        conf.write("fsync = off\nfull_page_writes = off\nmax_connections = 400\n")
    # Trust, except for the role `fleet` over TCP, which must give its password (the tests of
    # passwords from the environment).
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all fleet 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n"
    )
    with free_socket() as sock:
        port = sock.getsockname()[1]
    server = PostgresServer(bin_dir, data, sockets, port)
    server.start()
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    try:
        server = start_postgres(root)
    except FileNotFoundError as exc:
        shutil.rmtree(root, ignore_errors=True)
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
    yield server
    try:
        server.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server."""
    return postgres_server.database()


STORES = ["sqlite", "postgresql"]


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty store: once SQLite, once PostgreSQL (one contract, two stores)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.database()


@pytest.fixture
def central_store(store_url: str) -> Iterator[CentralStore]:
    """An open store of each kind, closed after the test."""
    store = open_store(store_url)
    yield store
    store.close()
