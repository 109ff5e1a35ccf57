"""The hand-over of a technician's requests from the UI to the agent, on a real database file
shared by two connections (the UI's and the agent's): each request is claimed once and answered
once, or withdrawn when no agent claimed it in time, never both; old requests expire; the
enrolment code leaves the row with the claim; the agent's watcher thread claims within a second
and stamps its liveness."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk import store
from kiosk.device import agent_requests
from kiosk.device.agent_requests import CLAIM_S, ENROL, MAX_AGE_S, SYNC_NOW
from kiosk.sync.ui_requests import RequestWatcher


@pytest.fixture
def agent_db(state_dir: Path, db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The agent's own connection to the UI's database file."""
    conn = store.open_state(state_dir)
    yield conn
    conn.close()


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def row(db: sqlite3.Connection, request_id: str) -> dict[str, object]:
    cursor = db.execute("SELECT * FROM agent_requests WHERE id = ?", [request_id])
    names = [c[0] for c in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_a_request_is_claimed_once_and_answered_once(db, agent_db) -> None:
    request_id = agent_requests.ask(db, SYNC_NOW)
    assert agent_requests.progress(db, request_id).state == "waiting"
    claimed = agent_requests.claim(agent_db)
    assert [(r.id, r.kind) for r in claimed] == [(request_id, SYNC_NOW)]
    assert agent_requests.claim(agent_db) == []  # never twice
    agent_requests.stamp_alive(agent_db)
    assert agent_requests.progress(db, request_id).state == "running"
    assert agent_requests.answer(agent_db, request_id, True, {"parts": []})
    assert not agent_requests.answer(agent_db, request_id, False, {"error": "again"})
    progress = agent_requests.progress(db, request_id)
    assert (progress.state, progress.ok, progress.result) == ("answered", True, {"parts": []})


def test_unclaimed_in_time_means_no_agent_and_is_then_never_run(db, agent_db) -> None:
    request_id = agent_requests.ask(db, SYNC_NOW)
    assert agent_requests.progress(db, request_id, later(CLAIM_S - 1)).state == "waiting"
    assert agent_requests.progress(db, request_id, later(CLAIM_S + 0.1)).state == "no_agent"
    assert row(db, request_id)["withdrawn_at"] is not None
    assert agent_requests.claim(agent_db) == []  # an agent that starts now does not run it
    assert not agent_requests.answer(agent_db, request_id, True, {})
    assert agent_requests.progress(db, request_id).state == "no_agent"


def test_a_claim_wins_over_a_late_withdrawal(db, agent_db) -> None:
    request_id = agent_requests.ask(db, SYNC_NOW)
    agent_requests.claim(agent_db)
    agent_requests.stamp_alive(agent_db)
    assert agent_requests.progress(db, request_id, later(CLAIM_S + 1)).state == "running"
    assert row(db, request_id)["withdrawn_at"] is None


def test_a_claimed_request_whose_agent_stopped_stamping_says_no_agent(db, agent_db) -> None:
    request_id = agent_requests.ask(db, SYNC_NOW)
    agent_requests.claim(agent_db)
    agent_requests.stamp_alive(agent_db)
    assert agent_requests.progress(db, request_id).state == "running"
    assert agent_requests.progress(db, request_id, later(agent_requests.ALIVE_S + 1)).state == "no_agent"


def test_old_requests_expire_instead_of_running_late(db, agent_db) -> None:
    request_id = agent_requests.ask(db, ENROL, {"code": "7K3M-Q9TX", "server_url": "http://127.0.0.1:1"})
    assert agent_requests.claim(agent_db, later(MAX_AGE_S + 1)) == []
    progress = agent_requests.progress(db, request_id)
    assert (progress.state, progress.ok) == ("answered", False)
    assert progress.result == {"error": agent_requests.EXPIRED}
    assert "7K3M" not in str(row(db, request_id))


def test_finished_requests_are_deleted_after_a_day(db, agent_db) -> None:
    done = agent_requests.ask(db, SYNC_NOW)
    agent_requests.claim(agent_db)
    agent_requests.answer(agent_db, done, True, {})
    withdrawn = agent_requests.ask(db, SYNC_NOW)
    agent_requests.progress(db, withdrawn, later(CLAIM_S + 1))
    fresh = agent_requests.ask(db, SYNC_NOW)
    assert agent_requests.prune(agent_db) == 0
    assert agent_requests.prune(agent_db, later(agent_requests.KEEP_S + 10)) == 2
    assert [r[0] for r in db.execute("SELECT id FROM agent_requests")] == [fresh]


def test_a_request_interrupted_with_its_agent_is_answered_not_run_again(db, agent_db) -> None:
    request_id = agent_requests.ask(db, SYNC_NOW)
    agent_requests.claim(agent_db)
    assert agent_requests.settle(agent_db) == [request_id]  # the next agent's start
    progress = agent_requests.progress(db, request_id)
    assert (progress.state, progress.ok, progress.result) == (
        "answered",
        False,
        {"error": agent_requests.INTERRUPTED},
    )
    assert agent_requests.settle(agent_db) == []


def test_the_enrolment_code_leaves_the_row_with_the_claim(db, agent_db) -> None:
    args = {"code": "7K3M-Q9TX", "server_url": "https://mot-cua.example.gov.vn"}
    request_id = agent_requests.ask(db, ENROL, args)
    (claimed,) = agent_requests.claim(agent_db)
    assert claimed.args == args
    assert "7K3M" not in str(row(db, request_id))


def test_a_withdrawn_enrolment_keeps_no_code(db) -> None:
    request_id = agent_requests.ask(db, ENROL, {"code": "7K3M-Q9TX"})
    agent_requests.progress(db, request_id, later(CLAIM_S + 1))
    assert "7K3M" not in str(row(db, request_id))


def test_an_unknown_request_is_refused_at_the_door(db) -> None:
    with pytest.raises(ValueError):
        agent_requests.ask(db, "reboot")


def test_the_watcher_claims_within_a_second_stamps_and_never_logs_the_code(
    db, state_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wake, stop = threading.Event(), threading.Event()
    watcher = RequestWatcher(str(state_dir / store.DB_NAME), wake)
    watcher.start(stop)
    try:
        time.sleep(0.3)  # the watcher is up and idle
        asked_at = time.monotonic()
        request_id = agent_requests.ask(db, ENROL, {"code": "7K3M-Q9TX"})
        assert wake.wait(2.0)
        claimed = watcher.claimed.get(timeout=1.0)
        assert claimed.id == request_id
        assert time.monotonic() - asked_at < 1.0
        assert agent_requests.agent_alive(db)
    finally:
        stop.set()
        watcher.join()
    assert "7K3M" not in caplog.text
