"""`make run`'s demo: the central server, enrolment, the agent, the virtual printer and the UI
start together on one machine and stop together."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import store
from kiosk.sync import identity
from tests.fixtures_core import REPO

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_starts_everything_enrols_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KIOSK_DEMO_PORT": str(port), "PYTHONPATH": str(REPO)}
    for leaked in ("SDL_VIDEODRIVER", "KIVY_HOME"):  # set by in-process UI tests of this session
        env.pop(leaked, None)
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.demo", "--exit-after", "6"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"central server  http://127.0.0.1:{port}" in done.stderr
    assert "technician PIN  2468" in done.stderr and "demo-printed" in done.stderr
    state = tmp_path / "var" / "demo"
    db = store.open_state(state)
    who = identity.identity(db, state)
    assert who is not None and who.server_url == f"http://127.0.0.1:{port}"
    assert (state / "kivy").is_dir()
    with socket.socket() as sock:  # the server was stopped with the UI: nobody listens there now
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # closed connections may linger
        sock.bind(("127.0.0.1", port))
        sock.listen()
