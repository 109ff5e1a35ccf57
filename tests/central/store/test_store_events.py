"""The store contract for events, the tickets and commands they touch, and counter calls, on
both stores; and what several server instances need of it: two store objects on one database
(two processes' worth of pools, or two SQLite connections) taking the same batch at once, and
counters on each calling from one queue."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from typing import Any

import pytest

from central.api.events import check_event
from central.api.models import EventIn
from central.auth import hash_secret
from central.store.contract import CentralStore, Device, IncomingEvent
from central.store.open import open_store
from tests.central.store.test_store_contract import NOW, SITE, enrolled

DAY = "2026-11-28"


def event(type: str, data: dict[str, Any], id: str | None = None) -> IncomingEvent:
    return check_event(EventIn(id=id or str(uuid.uuid4()), type=type, at=NOW.isoformat(), data=data))


def issued(n: int, priority: str | None = None, service: str = "A", minute: int = 0) -> IncomingEvent:
    at = (NOW + timedelta(minutes=minute)).isoformat()
    data = {"ticket": f"{service}{n:03d}", "service": service, "number": n, "day": DAY,
            "priority": priority, "issued_at": at}  # fmt: skip
    return event("ticket.issued", data)


def device(store: CentralStore, n: int = 1) -> Device:
    found = store.get_device(enrolled(store, f"rpi-{n}", f"code-{n}", f"tok-{n}"))
    assert found is not None
    return found


def test_an_event_is_stored_once_per_device_and_id(central_store: CentralStore) -> None:
    one, two = device(central_store, 1), device(central_store, 2)
    first = event("kiosk.started", {"detail": "Khởi động"}, id="e-1")
    assert central_store.add_events(one, [first, first], NOW).stored == 1
    again = central_store.add_events(one, [first], NOW)
    assert (again.stored, again.refused) == (0, {})
    changed = event("kiosk.started", {"detail": "khác"}, id="e-1")
    assert "already used" in central_store.add_events(one, [changed], NOW).refused["e-1"]
    assert central_store.add_events(two, [changed], NOW).stored == 1, "another kiosk may use the id"
    stored = central_store.list_events(one.id, None, 0, 100)
    assert [(e.id, e.data, e.received_at) for e in stored] == [("e-1", {"detail": "Khởi động"}, NOW)]


def test_events_page_by_sequence_and_filter(central_store: CentralStore) -> None:
    one, two = device(central_store, 1), device(central_store, 2)
    central_store.add_events(one, [event("kiosk.started", {"detail": str(n)}) for n in range(3)], NOW)
    central_store.add_events(two, [event("kiosk.error", {"detail": "x"})], NOW)
    everything = central_store.list_events(None, None, 0, 100)
    assert len(everything) == 4 and [e.seq for e in everything] == sorted(e.seq for e in everything)
    page = central_store.list_events(None, None, everything[1].seq, 2)
    assert [e.seq for e in page] == [e.seq for e in everything[2:4]]
    assert [e.device_id for e in central_store.list_events(None, "kiosk.error", 0, 10)] == [two.id]
    recent = central_store.recent_events(one.id, 2)
    assert [e.data["detail"] for e in recent] == ["2", "1"]


def test_tickets_feed_the_queue_and_priority_is_called_first(central_store: CentralStore) -> None:
    kiosk = device(central_store)
    batch = [issued(1, minute=0), issued(2, minute=1), issued(3, "elderly", minute=2), issued(4, minute=3)]
    void = event("ticket.voided", {"ticket": "A002", "day": DAY})
    central_store.add_events(kiosk, [*batch, void], NOW)
    tickets = central_store.tickets_of_day(SITE.id, DAY)
    assert [(t.ticket, t.voided) for t in tickets] == [
        ("A001", False),
        ("A002", True),
        ("A003", False),
        ("A004", False),
    ]
    calls = [central_store.call_next(SITE.id, DAY, "A", "1", NOW + timedelta(minutes=n)) for n in range(4)]
    assert [c.ticket if c else None for c in calls] == ["A003", "A001", "A004", None]
    assert calls[0] is not None and calls[0].counter == "1" and calls[0].called_at == NOW
    assert central_store.tickets_per_device(DAY) == {kiosk.id: 4}
    assert central_store.tickets_per_device("2026-11-29") == {}


def test_a_ticket_of_another_kiosk_is_refused(central_store: CentralStore) -> None:
    one, two = device(central_store, 1), device(central_store, 2)
    central_store.add_events(one, [issued(1)], NOW)
    theirs, void = issued(1), event("ticket.voided", {"ticket": "A001", "day": DAY})
    added = central_store.add_events(two, [theirs, void, issued(2)], NOW)
    assert added.stored == 1 and set(added.refused) == {theirs.id, void.id}
    assert "another kiosk" in added.refused[void.id]
    assert [t.voided for t in central_store.tickets_of_day(SITE.id, DAY)] == [False, False]


def test_commands_stay_pending_until_acknowledged(central_store: CentralStore) -> None:
    kiosk = device(central_store)
    first = central_store.add_command(kiosk.id, "sync_now", {}, NOW)
    second = central_store.add_command(
        kiosk.id, "reprint_ticket", {"ticket": "A001"}, NOW + timedelta(seconds=1)
    )
    assert [c.id for c in central_store.pending_commands(kiosk.id)] == [first.id, second.id]
    done = event("command.done", {"command": first.id, "ok": True, "detail": "xong"})
    central_store.add_events(kiosk, [done, done], NOW + timedelta(seconds=5))
    assert [c.id for c in central_store.pending_commands(kiosk.id)] == [second.id]
    listed = central_store.list_commands(kiosk.id)
    assert (listed[0].ok, listed[0].detail, listed[0].done_at) == (True, "xong", NOW + timedelta(seconds=5))
    assert listed[1].args == {"ticket": "A001"} and listed[1].done_at is None


def test_update_results_count_towards_the_current_rollout(central_store: CentralStore) -> None:
    from central.store.contract import RolloutPlan

    kiosk = device(central_store)
    rollout = central_store.create_rollout(RolloutPlan("1.1.0", (50, 100)), None, NOW)
    result = {"from": "1.0.0", "to": "1.1.0", "ok": False, "stage": "health", "detail": "hỏng"}
    central_store.add_events(kiosk, [event("update.result", result)], NOW)
    central_store.add_events(kiosk, [event("update.result", {**result, "ok": True, "detail": ""})], NOW)
    counts = central_store.rollout_counts(rollout.id)
    assert (counts.ok, counts.failed, counts.ok_by_stage) == (1, 0, {0: 1})
    [latest] = central_store.rollout_results(rollout.id, kiosk.id)
    assert latest.ok and latest.at == NOW


# --- several instances on one database --------------------------------------------------------


def twice(store_url: str, work: Callable[[CentralStore, int], Any], rounds: int = 1) -> list[Any]:
    """`work(store, n)` run at the same moment on two stores opened on one database, `rounds`
    times each; the results in order."""
    stores = [open_store(store_url), open_store(store_url)]
    start = threading.Barrier(2 * rounds)

    def run(n: int) -> Any:
        start.wait(timeout=30)
        return work(stores[n % 2], n)

    try:
        with ThreadPoolExecutor(2 * rounds) as pool:
            return list(pool.map(run, range(2 * rounds)))
    finally:
        for store in stores:
            store.close()


def test_the_same_batch_on_two_instances_at_once_is_stored_once(
    central_store: CentralStore, store_url: str
) -> None:
    kiosk = device(central_store)
    command = central_store.add_command(kiosk.id, "sync_now", {}, NOW)
    batch = [issued(n) for n in range(1, 200)]
    batch.append(event("command.done", {"command": command.id, "ok": True, "detail": ""}))
    answers = twice(store_url, lambda store, _: store.add_events(kiosk, batch, NOW), rounds=2)
    assert sum(a.stored for a in answers) == len(batch) and all(a.refused == {} for a in answers)
    assert len(central_store.list_events(kiosk.id, None, 0, 1000)) == len(batch)
    assert len(central_store.tickets_of_day(SITE.id, DAY)) == 199
    assert central_store.pending_commands(kiosk.id) == []


def test_counters_on_two_instances_never_call_the_same_ticket(
    central_store: CentralStore, store_url: str
) -> None:
    kiosk = device(central_store)
    central_store.add_events(kiosk, [issued(n, minute=n) for n in range(1, 41)], NOW)

    def counter(store: CentralStore, n: int) -> list[str]:
        called = []
        while (ticket := store.call_next(SITE.id, DAY, "A", str(n), NOW)) is not None:
            called.append(ticket.ticket)
        return called

    calls = twice(store_url, counter, rounds=2)
    every = [t for called in calls for t in called]
    assert sorted(every) == [f"A{n:03d}" for n in range(1, 41)], "a ticket called twice, or never"


def test_one_code_on_two_instances_at_once_enrols_one_kiosk(
    central_store: CentralStore, store_url: str
) -> None:
    central_store.put_site(SITE)
    central_store.add_enrollment_code(hash_secret("shared"), SITE.id, NOW + timedelta(days=1))

    def enrol(store: CentralStore, n: int) -> str:
        try:
            return store.enroll(hash_secret("shared"), f"rpi-{n}", "1.0.0", hash_secret(f"t{n}"), NOW).id
        except Exception as exc:
            return type(exc).__name__

    assert sorted(twice(store_url, enrol)) == ["EnrollmentRefused", "kiosk-0001"]


def test_attempts_on_two_instances_count_against_one_limit(
    central_store: CentralStore, store_url: str
) -> None:
    from central.store.contract import AttemptLimit

    limit = AttemptLimit(hash_secret("enroll 10.0.0.5"), 10, 600)
    verdicts = twice(store_url, lambda store, _: store.begin_attempt([limit], NOW).attempt, rounds=15)
    assert sum(1 for v in verdicts if v is not None) == 10


def test_times_come_back_in_utc(central_store: CentralStore) -> None:
    kiosk = device(central_store)
    assert kiosk.enrolled_at.utcoffset() == timedelta(0) and kiosk.enrolled_at == NOW.astimezone(UTC)


def test_a_reader_paging_by_number_never_skips_a_batch_that_commits_late(
    central_store: CentralStore, store_url: str
) -> None:
    """PostgreSQL takes a number when a row is inserted, not when it commits (SQLite has one
    writer, so there the two orders are one): a reader must not get past a number still open."""
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite: one writer at a time, numbers are taken in commit order")
    import psycopg

    from central.store.postgres.url import parse_postgres_url

    kiosk = device(central_store)
    conninfo = parse_postgres_url(store_url).conninfo
    with psycopg.connect(conninfo) as late, psycopg.connect(conninfo, autocommit=True) as watch:
        late.execute(
            "INSERT INTO events (id, device_id, site_id, type, at, data, received_at) "
            "VALUES ('late', %s, %s, 'kiosk.error', %s, '{}', now())",
            [kiosk.id, SITE.id, NOW.isoformat()],
        )  # its number is taken; the transaction stays open
        central_store.add_events(kiosk, [event("kiosk.error", {"detail": "early"})], NOW)
        read: list[list[str]] = []
        reader = threading.Thread(target=lambda: read.append(
            [e.id for e in central_store.list_events(None, None, 0, 100)]))  # fmt: skip
        reader.start()
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        while reader.is_alive() and watch.execute(waiting).fetchone()[0] == 0:  # type: ignore[index]
            threading.Event().wait(0.01)
        late.commit()
        reader.join(timeout=10)
    [ids] = read
    assert len(ids) == 2 and ids[0] == "late", f"the reader got {ids}: the late batch was skipped"
