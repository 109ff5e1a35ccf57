"""The agent loop on its own: it catches up by itself when the server comes back, and
`kiosk agent` (what kiosk-agent.service runs) heartbeats and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from kiosk import outbox, store
from tests.fixtures_central import FaultyServer, Kiosk
from tests.fixtures_core import DEMO_CONFIG, REPO


def wait_for(condition: Callable[[], bool], what: str, limit_s: float = 30.0) -> None:
    """Poll until `condition` holds; fail naming `what` if it never does (not a timing test)."""
    give_up = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < give_up, f"never happened: {what}"
        time.sleep(0.05)


def test_agent_catches_up_by_itself_when_the_server_is_back(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    faulty.down()
    ids = flaky_kiosk.add_tickets(20)
    agent = flaky_kiosk.agent()
    stop = threading.Event()
    loop = threading.Thread(target=agent.run, args=(stop,))
    loop.start()
    try:
        wait_for(lambda: agent.failures >= 2, "the agent retried while the server was down")
        assert outbox.counts(flaky_kiosk.db)["pending"] == 20
        faulty.up()
        wait_for(lambda: len(flaky_kiosk.server_event_ids()) == 20, "events delivered after the outage")
    finally:
        stop.set()
        loop.join(timeout=30)
    assert not loop.is_alive()
    assert sorted(flaky_kiosk.server_event_ids()) == sorted(ids)
    wait_for(lambda: outbox.counts(flaky_kiosk.db)["pending"] == 0, "outbox emptied")


def test_kiosk_agent_process_heartbeats_and_stops_on_sigterm(kiosk: Kiosk) -> None:
    env = {**os.environ, "KIOSK_STATE_DIR": str(kiosk.state_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(DEMO_CONFIG), "agent"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        device = kiosk.server.store.get_device
        wait_for(lambda: device(kiosk.device_id).last_seen_at is not None, "a heartbeat from the agent")  # type: ignore[union-attr]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert store.get_state(kiosk.db, "sync.heartbeat.ok_at")
    assert kiosk.state_dir.joinpath("device-token").read_text() not in output
