"""Two `kiosk-central serve` processes on one PostgreSQL database, every kiosk's calls
alternating between them through a round-robin proxy (tests/central_instances.py): enrolment,
catalogue deltas, events exactly once when one batch reaches both at once, commands delivered
until acknowledged and run once, a rollout halted by failures reported to either, the
enrolment limit counting across both, and counters signed in on both never calling the same
ticket (nor one press twice)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from central.console.passwords import hash_password
from central.context import utc_now
from central.fleet.bundles import publish
from kiosk import store as kiosk_store
from kiosk.catalogue.store import catalogue_version
from kiosk.sync import identity
from tests.central_instances import Cluster, start_cluster
from tests.fixtures_calling import PASSWORD, Counter
from tests.fixtures_catalogue import PROCEDURES, catalogue_document
from tests.fixtures_central import Kiosk
from tests.fixtures_postgres import PostgresServer
from tests.fixtures_updates import V1, V2, Keys, make_bundle


@pytest.fixture(scope="module")
def cluster(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = start_cluster(postgres_server.database("two"), tmp_path_factory.mktemp("two"))
    yield running
    running.stop()


@pytest.fixture
def new_kiosk(cluster: Cluster, tmp_path: Path) -> Iterator[Callable[[], Kiosk]]:
    """A kiosk at a site of its own (one test machine is one hardware id), enrolled through
    the alternating proxy."""
    from kiosk.sync.enrollment import enroll

    made: list[Kiosk] = []

    def make() -> Kiosk:
        site = f"xa-{uuid.uuid4().hex[:8]}"
        cluster.admin("PUT", f"/sites/{site}", {"name": f"UBND {site}"}).raise_for_status()
        state = tmp_path / f"kiosk-{len(made)}"
        state.mkdir()
        db = kiosk_store.open_state(state)
        answer = enroll(db, state, cluster.url, cluster.enrollment_code(site))
        made.append(Kiosk(db, state, answer.device_id, cluster))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.db.close()


def post_events(url: str, kiosk: Kiosk, events: list[dict[str, Any]]) -> requests.Response:
    token = identity.load_token(kiosk.state_dir)
    return requests.post(
        f"{url}/api/v1/events",
        json={"events": events},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def test_a_kiosk_alternating_between_instances_enrols_and_syncs_deltas(
    cluster: Cluster, new_kiosk: Callable[[], Kiosk]
) -> None:
    assert cluster.admin("POST", "/catalogue", catalogue_document(version=1)).status_code == 201
    kiosk = new_kiosk()
    ids = kiosk.add_tickets(20)
    assert kiosk.agent().sync_once().ok
    changed = [dict(PROCEDURES[0], name="Đăng ký khai sinh (sửa)"), *PROCEDURES[1:]]
    published = cluster.admin("POST", "/catalogue", catalogue_document(changed, version=2), instance=1)
    assert published.status_code == 201
    assert kiosk.agent().sync_once().ok
    assert any("/api/v1/catalogue?since=1" in path for _, path, _ in cluster.proxy.seen), "no delta asked"
    assert catalogue_version(kiosk.db) == 2
    assert sorted(kiosk.server_event_ids()) == sorted(ids)


def test_one_batch_sent_to_both_instances_at_once_is_stored_once(
    cluster: Cluster, new_kiosk: Callable[[], Kiosk]
) -> None:
    kiosk = new_kiosk()
    day = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    batch = [
        {"id": str(uuid.uuid4()), "type": "ticket.issued", "at": "2026-11-28T08:00:00+07:00",
         "data": {"ticket": f"C{n:03d}", "service": "C", "number": n, "day": day, "priority": None,
                  "issued_at": "2026-11-28T08:00:00+07:00"}}
        for n in range(1, 301)
    ]  # fmt: skip
    start = threading.Barrier(4)

    def send(n: int) -> requests.Response:
        start.wait(timeout=30)
        return post_events(cluster.instances[n % 2].url, kiosk, batch)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert all(len(a.json()["accepted"]) == 300 and a.json()["rejected"] == [] for a in answers)
    assert sorted(kiosk.server_event_ids()) == sorted(e["id"] for e in batch)
    assert len(cluster.store.list_events(kiosk.device_id, "ticket.issued", 0, 1000)) == 300


def test_a_command_queued_on_one_instance_is_run_once(
    cluster: Cluster, new_kiosk: Callable[[], Kiosk]
) -> None:
    kiosk = new_kiosk()
    queued = cluster.admin("POST", f"/devices/{kiosk.device_id}/commands", {"type": "sync_now"}, instance=1)
    assert queued.status_code in (200, 201), queued.text
    command = queued.json()["id"]
    for _ in range(3):
        assert kiosk.agent().sync_once().ok
    done = [e for e in cluster.store.list_events(kiosk.device_id, "command.done", 0, 100)]
    assert [e.data["command"] for e in done] == [command], "run more than once, or never"
    listed = cluster.admin("GET", f"/devices/{kiosk.device_id}/commands").json()
    assert [(c["id"], c["ok"]) for c in listed] == [(command, True)]


def officer_on(cluster: Cluster, site: str, name: str, counter: str, instance: int) -> Counter:
    """An officer signed in through the counter page of one instance, seated at `counter`."""
    cluster.store.set_staff(site, name, "officer", hash_password(PASSWORD), utc_now())  # type: ignore[attr-defined]
    officer = Counter(cluster.instances[instance].url, name)
    assert officer.login(site=site).status_code == 303
    officer.seat(counter, ["A"])
    return officer


def test_counters_on_both_instances_never_call_the_same_ticket(
    cluster: Cluster, new_kiosk: Callable[[], Kiosk]
) -> None:
    kiosk = new_kiosk()
    kiosk.add_tickets(60)
    assert kiosk.agent().sync_once().ok
    device = cluster.store.get_device(kiosk.device_id)
    assert device is not None
    officers = [officer_on(cluster, device.site_id, f"can-bo-{n}", str(n + 1), n % 2) for n in range(4)]

    def work(officer: Counter) -> list[str]:
        called = []
        while (ticket := officer.called()) is not None:
            called.append(ticket)
        return called

    with ThreadPoolExecutor(4) as pool:
        calls = list(pool.map(work, officers))
    every = [ticket for called in calls for ticket in called]
    assert len(every) == 60 and len(set(every)) == 60, "a ticket was called twice"
    assert all(calls), "a counter was starved"
    # The site's events, written by both instances, are numbered without gaps in the order they
    # committed (what a display reading `after=SEQ` relies on), and call in issue order.
    events = cluster.store.calling_events(device.site_id, 0, 1000)  # type: ignore[attr-defined]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.ticket for e in events if e.action == "call_next" and e.ticket] == [
        f"A{n:03d}" for n in range(1, 61)
    ]


def test_one_press_reaching_both_instances_at_once_calls_one_ticket(
    cluster: Cluster, new_kiosk: Callable[[], Kiosk]
) -> None:
    kiosk = new_kiosk()
    kiosk.add_tickets(2)
    assert kiosk.agent().sync_once().ok
    device = cluster.store.get_device(kiosk.device_id)
    assert device is not None
    officer = officer_on(cluster, device.site_id, "lan", "1", 0)
    # The same browser (its session cookie), its one press resent to the other instance.
    twins = [officer, Counter(cluster.instances[1].url, officer.name, http=officer.http)]
    start = threading.Barrier(2)

    def press(counter: Counter) -> requests.Response:
        start.wait(timeout=30)
        return counter.press("call_next", key="press-both-instances-0001")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(press, twins))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [a.json()["ticket"]["ticket"] for a in answers] == ["A001", "A001"]
    assert sorted(a.json()["repeated"] for a in answers) == [False, True]
    events = cluster.store.calling_events(device.site_id, 0, 100)  # type: ignore[attr-defined]
    assert [e.action for e in events] == ["open", "call_next"]
    assert officer.called() == "A002", "the resent press skipped a citizen"


def test_a_rollout_is_halted_by_failures_reported_to_either_instance(
    cluster: Cluster,
    new_kiosk: Callable[[], Kiosk],
    tmp_path: Path,
    keys: Keys,
    release_wheels: dict[str, Path],
) -> None:
    for version in (V1, V2):
        bundle = make_bundle(tmp_path / f"bundle-{version}", release_wheels[version], version, keys.signing)
        publish(bundle, cluster.releases_dir, keys.pinned)  # the directory every instance reads
    plan = {"version": V2, "stages": [100], "failure_threshold": 0.5, "min_results": 2}
    started = cluster.admin("POST", "/rollouts", plan, instance=1)
    assert started.status_code == 201, started.text
    rollout = started.json()["id"]
    for n, kiosk in enumerate([new_kiosk(), new_kiosk()]):
        failed = {"from": V1, "to": V2, "ok": False, "stage": "health", "detail": "the UI did not start"}
        event = {
            "id": str(uuid.uuid4()),
            "type": "update.result",
            "at": "2026-11-28T08:00:00+07:00",
            "data": failed,
        }
        assert post_events(cluster.instances[n % 2].url, kiosk, [event]).status_code == 200
    seen = [cluster.admin("GET", f"/rollouts/{rollout}", instance=n).json() for n in (0, 1)]
    assert [r["state"] for r in seen] == ["halted", "halted"]
    assert [(r["failed"], r["ok"]) for r in seen] == [(2, 0), (2, 0)]


def test_the_enrolment_limit_counts_across_both_instances(cluster: Cluster) -> None:
    def wrong_code(n: int) -> requests.Response:
        return requests.post(
            f"{cluster.instances[n % 2].url}/api/v1/enroll",
            json={"enrollment_code": f"WRNG-{n:04d}", "hardware_id": "rpi-guess", "app_version": "0.1.0"},
            timeout=30,
        )

    # Every call here comes from 127.0.0.1, as the kiosks' do: the last test of the module.
    statuses = [wrong_code(n).status_code for n in range(12)]
    assert statuses == [404] * 10 + [429, 429], "each instance counted on its own"
    assert int(wrong_code(12).headers["Retry-After"]) >= 1
