"""A flaky link between a kiosk and the real server, through the misbehaving server: down, 500,
503 with Retry-After, slow past the read timeout, a truncated body, invalid JSON, valid JSON of
the wrong shape, a 50 MB body. Through each: tickets keep being issued, no event is lost, the
failure is reported, and when the link is back every event arrives exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from kiosk import outbox, store
from kiosk.sync.client import SMALL_ANSWER_BYTES
from kiosk.sync.status import sync_status
from tests.fixtures_central import FaultyServer, Kiosk

MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    start: Callable[[FaultyServer], None]
    says: str  # what the report names


CASES = [
    Case("server down", lambda f: f.down(), "cannot reach the server"),
    Case("500", lambda f: f.fail("status", times=999, status=500), "server answered 500"),
    Case(
        "503 with Retry-After",
        lambda f: f.fail("status", times=999, status=503, headers={"Retry-After": "30"}),
        "server answered 503",
    ),
    Case(
        "slow past the read timeout",
        lambda f: f.fail("slow", times=999, seconds=3.0, forward=True),
        "read timeout",
    ),
    Case("truncated body", lambda f: f.fail("truncated", times=999, forward=True), "broke off"),
    Case(
        "invalid JSON",
        lambda f: f.fail("body", times=999, body=b'{"accepted": ["x"'),
        "not valid JSON",
    ),
    Case(
        "wrong shape",
        lambda f: f.fail("body", times=999, body=b'{"accepted": "everything", "rejected": {}}'),
        "must be a list",
    ),
    Case("50 MB body", lambda f: f.fail("huge", times=999), "over the cap"),
    Case(
        "50 MB chunked body",
        lambda f: f.fail("huge", times=999, headers={"chunked": "1"}),
        "over the cap",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_event_is_lost_and_each_arrives_once_when_the_link_is_back(
    case: Case, flaky_kiosk: Kiosk, faulty: FaultyServer
) -> None:
    agent = flaky_kiosk.agent()
    before = flaky_kiosk.add_tickets(5)
    case.start(faulty)
    during = flaky_kiosk.issue(5)  # the queue keeps issuing while the link fails
    report = agent.sync_once()
    assert not report.ok
    first = report.parts[0]
    assert first.part == "outbox" and not first.ok and first.call_failed
    assert case.says in first.detail, first.detail
    assert outbox.counts(flaky_kiosk.db)["pending"] == 10
    remembered = sync_status(flaky_kiosk.db, flaky_kiosk.state_dir).parts["outbox"]["error"]
    assert case.says in (remembered or "")
    assert agent.backoff_after(report) > 0
    faulty.clear()
    faulty.up() if case.name == "server down" else None
    assert agent.sync_once().ok
    stored = flaky_kiosk.server_event_ids()
    assert sorted(stored) == sorted(before + during)
    assert len(stored) == len(set(stored))
    assert outbox.counts(flaky_kiosk.db) == {"pending": 0, "rejected": 0}


def test_retry_after_is_honoured_by_the_agent(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    agent = flaky_kiosk.agent()
    flaky_kiosk.add_tickets(1)
    faulty.fail("status", times=999, status=503, headers={"Retry-After": "40"})
    report = agent.sync_once()
    assert report.parts[0].retry_after_s == 40
    assert agent.backoff_after(report) == 40


def test_a_huge_answer_is_not_read_whole(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    flaky_kiosk.add_tickets(1)
    faulty.fail("huge", "/api/v1/events", times=999, headers={"chunked": "1"})
    flaky_kiosk.agent().heartbeat_pass()
    # Only what the cap allows plus what socket buffers took, far from 50 MB.
    assert faulty.bytes_sent_by_fault < SMALL_ANSWER_BYTES + 16 * MB


def test_issuing_goes_on_while_a_push_waits_on_a_slow_server(
    flaky_kiosk: Kiosk, faulty: FaultyServer
) -> None:
    flaky_kiosk.add_tickets(3)
    faulty.fail("slow", "/api/v1/events", times=999, seconds=3.0)
    sync = threading.Thread(target=flaky_kiosk.agent().sync_once)
    sync.start()
    while not any(path == "/api/v1/events" for _, path, _ in faulty.seen):
        sync.join(0.01)
    # The UI process writes through its own connection while the agent waits on the network.
    ui_db = store.open_state(flaky_kiosk.state_dir)
    issued = Kiosk(ui_db, flaky_kiosk.state_dir, flaky_kiosk.device_id, flaky_kiosk.server, flaky=True).issue(
        2
    )
    assert sync.is_alive()
    assert outbox.counts(ui_db)["pending"] == 5
    sync.join()
    ui_db.close()
    assert len(issued) == 2


def test_heartbeat_and_commands_survive_a_server_error_page(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    faulty.fail("status", "/api/v1/heartbeat", times=999, status=502, body=b"<html>Bad Gateway</html>")
    report = flaky_kiosk.agent().heartbeat_pass()
    beat = next(p for p in report.parts if p.part == "heartbeat")
    assert not beat.ok and "server answered 502: no error body" in beat.detail


def test_a_dead_link_does_not_wait_out_every_part(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    flaky_kiosk.add_tickets(1)
    faulty.down()
    report = flaky_kiosk.agent().sync_once()
    assert [p.part for p in report.parts] == ["outbox", "heartbeat", "config", "catalogue"]
    assert [p.detail for p in report.parts[1:]] == ["skipped: the server did not answer"] * 3
