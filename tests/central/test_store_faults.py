"""PostgreSQL going away under the server: restarted while kiosks push events (503 with
Retry-After while it is down, recovery without anyone's help, no accepted event lost), a pool
with every connection taken, and a store copied from SQLite that the protocol then runs on."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

from central.auth import hash_secret
from central.store.contract import StoreError, StoreUnavailable
from central.store.copy import TABLES, copy_sqlite_to_postgres
from central.store.open import open_store
from central.store.postgres.url import parse_postgres_url
from kiosk import store as kiosk_store
from kiosk.sync import identity
from kiosk.sync.enrollment import enroll
from tests.central_instances import Cluster, start_cluster, start_instance
from tests.fixtures_central import ADMIN_TOKEN, SITE, Kiosk, RunningServer
from tests.fixtures_postgres import PostgresServer

T = TypeVar("T")


def kiosk_of(cluster: Cluster, state: Path) -> Kiosk:
    state.mkdir()
    db = kiosk_store.open_state(state)
    answer = enroll(db, state, cluster.url, cluster.enrollment_code())
    return Kiosk(db, state, answer.device_id, cluster)  # type: ignore[arg-type]


def events(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "kiosk.error",
            "at": "2026-11-28T08:00:00+07:00",
            "data": {"detail": "x"},
        }
        for _ in range(count)
    ]


def answered(call: Callable[[], T]) -> T:
    """The test's own store had idle connections to the old server: the first call on one
    fails (and has the pool check the rest), as the instances' first did."""
    for _ in range(50):
        try:
            return call()
        except StoreUnavailable:
            time.sleep(0.1)
    return call()


@pytest.fixture
def cluster(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[Cluster]:
    running = start_cluster(postgres_server.database("fault"), tmp_path)
    yield running
    running.stop()


def test_a_database_restart_under_load_answers_503_then_recovers_losing_nothing(
    cluster: Cluster, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    kiosk = kiosk_of(cluster, tmp_path / "kiosk")
    token = identity.load_token(kiosk.state_dir)
    accepted: list[str] = []
    answers: list[tuple[int, str | None]] = []
    stop = threading.Event()

    def push() -> None:  # a kiosk that never stops sending, to both instances in turn
        while not stop.is_set():
            batch = events(20)
            try:
                answer = requests.post(
                    f"{cluster.url}/api/v1/events",
                    json={"events": batch},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
            except requests.RequestException:
                continue
            answers.append((answer.status_code, answer.headers.get("Retry-After")))
            if answer.status_code == 200:
                accepted.extend(answer.json()["accepted"])

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    while len(accepted) < 100:
        time.sleep(0.05)
    postgres_server.stop("immediate")  # as a crash or a failover would
    try:
        while sum(1 for status, _ in answers if status == 503) < 4:
            time.sleep(0.05)
    finally:
        postgres_server.start()
    before = len(accepted)
    while len(accepted) < before + 200:  # recovered by itself, on both instances
        time.sleep(0.05)
    stop.set()
    pusher.join(timeout=60)
    statuses = {status for status, _ in answers}
    assert statuses <= {200, 503}, f"answers other than 200 and 503: {statuses}"
    assert all(after is not None and int(after) >= 1 for status, after in answers if status == 503)
    stored = {e.id for e in answered(lambda: cluster.store.list_events(kiosk.device_id, None, 0, 1_000_000))}
    assert set(accepted) <= stored, "an accepted event was lost"
    kiosk.db.close()


def test_an_exhausted_pool_fails_fast_as_unavailable(postgres_url: str) -> None:
    store = open_store(postgres_url + "?pool_min=1&pool_max=1&pool_timeout=0.2")
    try:
        with store._connection(), pytest.raises(StoreUnavailable, match="busy"):  # type: ignore[attr-defined]
            store.list_sites()
        assert store.list_sites() == [], "the connection given back serves again"
    finally:
        store.close()


def test_a_statement_stuck_behind_a_lock_gives_up_as_unavailable(postgres_url: str) -> None:
    import psycopg

    store = open_store(postgres_url + "?statement_timeout=0.3")
    try:
        with psycopg.connect(parse_postgres_url(postgres_url).conninfo) as holder:
            holder.execute("SET idle_in_transaction_session_timeout = '5s'")  # never hang the test
            holder.execute("LOCK TABLE sites IN ACCESS EXCLUSIVE MODE")  # held until commit
            with pytest.raises(StoreUnavailable, match="took too long"):
                store.list_sites()
        assert store.list_sites() == [], "the lock given back, the same pool serves again"
    finally:
        store.close()


def test_a_bad_statement_timeout_in_the_url_is_named(postgres_url: str) -> None:
    with pytest.raises(StoreError, match="statement_timeout"):
        parse_postgres_url(postgres_url + "?statement_timeout=soon")
    with pytest.raises(StoreError, match="statement_timeout > 0"):
        parse_postgres_url(postgres_url + "?statement_timeout=0")


def populated_sqlite(server: RunningServer, tmp_path: Path) -> None:
    """A fleet's worth of every table through the real server (SQLite)."""
    server.admin("PUT", "/sites/xa-2", {"name": "UBND xã Hai"}).raise_for_status()
    state = tmp_path / "old-kiosk"
    state.mkdir()
    db = kiosk_store.open_state(state)
    answer = enroll(db, state, server.url, server.enrollment_code())
    kiosk = Kiosk(db, state, answer.device_id, server)
    kiosk.add_tickets(30)
    server.admin("POST", f"/devices/{kiosk.device_id}/commands", {"type": "sync_now"}).raise_for_status()
    assert kiosk.agent().sync_once().ok
    server.admin(
        "PUT", f"/sites/{SITE.id}/config", {"settings": {"ui": {"idle_timeout_s": 90}}}
    ).raise_for_status()
    server.store.set_operator_password("lan", "scrypt$x", server.clock())
    server.store.add_logs(kiosk.device_id, None, "dòng\n", 1, server.clock())
    server.store.import_dossiers({"H56-1": {"code": "H56-1", "status": "received"}}, False, server.clock())
    server.enrollment_code()
    db.close()


def test_a_sqlite_fleet_copied_to_postgresql_keeps_working(
    central_server: RunningServer, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    populated_sqlite(central_server, tmp_path)
    (tmp_path / "admin-token").write_text(ADMIN_TOKEN)
    (tmp_path / "releases").mkdir()
    source = Path(central_server.store.path)
    target = postgres_server.database("copy")
    copied = copy_sqlite_to_postgres(source, parse_postgres_url(target))
    assert [t.table for t in copied] == [table for table, _, _ in TABLES]
    rows = {t.table: t.rows for t in copied}
    assert rows["events"] >= 31 and rows["tickets"] == 30 and rows["devices"] == 1
    with pytest.raises(Exception, match="already holds rows"):
        copy_sqlite_to_postgres(source, parse_postgres_url(target))
    assert copy_sqlite_to_postgres(source, parse_postgres_url(target), replace=True) == copied

    # The kiosk, told nothing but the new address, goes on with the token it had.
    instance = start_instance(target, tmp_path / "releases", tmp_path / "admin-token", tmp_path / "moved.log")
    try:
        db = kiosk_store.open_state(tmp_path / "old-kiosk")
        kiosk_store.set_state(db, identity.SERVER_URL, instance.url)
        kiosk = Kiosk(db, tmp_path / "old-kiosk", "", central_server)
        fresh = kiosk.add_tickets(5, start=31)
        report = kiosk.agent().sync_once()
        assert report.ok, report
        db.close()
    finally:
        instance.stop()
    moved = open_store(target)
    try:
        assert {e.id for e in moved.list_events(None, "ticket.issued", 0, 1000)} >= set(fresh)
        device = moved.list_devices()[0]
        token = identity.load_token(tmp_path / "old-kiosk")
        assert moved.device_by_token(hash_secret(token)) == device
        old = central_server.store.list_events(device.id, None, 0, 1000)
        assert moved.list_events(device.id, None, 0, 1000)[: len(old)] == old, "copied as they were"
        assert moved.set_config("site", SITE.id, {}) > 1, "the version counter went on, not back to 1"
    finally:
        moved.close()
