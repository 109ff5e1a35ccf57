"""The agent's side of the requests the UI hands it (kiosk/device/agent_requests.py): a
technician's "sync now" and "enrol".

`RequestWatcher` is a thread of the agent with its own database connection: every
CLAIM_POLL_S it claims what waits and wakes the agent's loop, and every ALIVE_STAMP_S it stamps
that the agent is alive. It does nothing else (no network), so a request is claimed within a
fraction of a second even while the loop is in the middle of a long pass; the UI's rule "not
claimed within CLAIM_S means the agent is not running" is then true. The loop carries each
request out between its own steps (`carry_out`) and writes the answer.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import store
from kiosk.config import Server
from kiosk.device import agent_requests
from kiosk.device.agent_requests import Request
from kiosk.errors import KioskError
from kiosk.sync.client import Timeouts
from kiosk.sync.enrollment import enroll
from kiosk.sync.report import PassReport

log = logging.getLogger("kiosk.sync")
PRUNE_EVERY_S = 3600.0


class RequestWatcher:
    """Claims the UI's requests for the agent and stamps its liveness, on a thread of its own."""

    def __init__(self, db_path: str, wake: threading.Event) -> None:
        """`wake` is set when requests were claimed (and when the watcher ends)."""
        self.db_path = db_path
        self.wake = wake
        self.claimed: queue.SimpleQueue[Request] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self, stop: threading.Event) -> None:
        self._thread = threading.Thread(target=self._run, args=(stop,), name="agent-requests", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout_s: float = 5.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self, stop: threading.Event) -> None:
        try:
            db = store.connect(self.db_path, migrate_schema=False)
        except KioskError:
            log.exception("the request watcher cannot open the database; UI requests go unanswered")
            self.wake.set()
            return
        try:
            for request_id in agent_requests.settle(db):
                log.warning("UI request %s was cut short by the last agent's end; not run again", request_id)
            self._watch(db, stop)
        finally:
            db.close()
            self.wake.set()

    def _watch(self, db: sqlite3.Connection, stop: threading.Event) -> None:
        next_stamp = next_prune = time.monotonic()
        while not stop.is_set():
            try:
                now = time.monotonic()
                if now >= next_stamp:
                    agent_requests.stamp_alive(db)
                    next_stamp = now + agent_requests.ALIVE_STAMP_S
                if now >= next_prune:
                    agent_requests.prune(db)
                    next_prune = now + PRUNE_EVERY_S
                if agent_requests.waiting(db):
                    self._claim(db)
            except Exception:  # the thread's boundary: log and keep watching
                log.exception("the request watcher failed a step")
            stop.wait(agent_requests.CLAIM_POLL_S)

    def _claim(self, db: sqlite3.Connection) -> None:
        for request in agent_requests.claim(db):
            log.info("UI request %s (%s) claimed", request.id, request.kind)  # never its arguments
            self.claimed.put(request)
        self.wake.set()


def carry_out(
    request: Request,
    sync_once: Callable[[], PassReport],
    db: sqlite3.Connection,
    state_dir: Path,
    server: Server,
) -> tuple[bool, dict[str, Any]]:
    """Run one request with the agent's parts (its pass, its connection, its settings); (ok, the
    answer the screen shows)."""
    if request.kind == agent_requests.SYNC_NOW:
        report = sync_once()
        parts = [{"part": p.part, "ok": p.ok, "detail": p.detail} for p in report.parts]
        return report.ok, {"parts": parts}
    if request.kind == agent_requests.ENROL:
        return _enrol(request.args, db, state_dir, server)
    return False, {"error": f"unknown request {request.kind!r}"}


def _enrol(
    args: dict[str, Any], db: sqlite3.Connection, state_dir: Path, server: Server
) -> tuple[bool, dict[str, Any]]:
    url = str(args.get("server_url") or server.url)
    timeouts = Timeouts(server.connect_timeout_s, server.read_timeout_s, server.call_deadline_s)
    code = str(args.get("code", ""))
    try:
        answer = enroll(db, state_dir, url, code, ca_file=server.ca_file, timeouts=timeouts)
    except KioskError as exc:  # the server said no, or could not be reached: said, not raised
        return False, {"error": str(exc)}
    return True, {"device_id": answer.device_id, "site_id": answer.site_id, "site_name": answer.site_name}
