"""The agent runs the updater (kiosk/update/updater.py) beside its sync loop.

`kiosk agent` builds the device's updater once (`build_updater`) and runs both
(`run_with_updates`): the sync loop on the main thread hands every heartbeat's `release` to the
updater, which works on a thread of its own (downloads and installs take minutes; heartbeats go
on meanwhile). When the updater has switched `current` (or rolled it back) the agent stops
cleanly and exits 0, and systemd starts it again on the release now current.

A kiosk without pinned release keys runs without updates: the reason goes to the heartbeat
(`last_error`, `update.status`) and, once per reason, to the server as a `kiosk.error` event.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from kiosk import config, outbox, store
from kiosk.errors import UpdateError
from kiosk.sync import identity
from kiosk.sync.agent import Agent
from kiosk.sync.client import new_session
from kiosk.sync.report import LAST_ERROR
from kiosk.update import gate
from kiosk.update.download import HttpGet, session_get
from kiosk.update.updater import Progress, Updater, device_updater, offer_release, run_loop

log = logging.getLogger("kiosk.sync")
UNAVAILABLE_KEY = "update.unavailable"
# After SIGTERM the updater thread may be inside a download or a pip run; systemd's
# TimeoutStopSec is 30 s, so the agent stops waiting for it well before that.
JOIN_UPDATER_S = 20.0
UpdaterFactory = Callable[[Path, config.Settings, HttpGet], Updater]


class EnrolledHttp:
    """The updater's HTTP: GETs to the server this kiosk is enrolled with, carrying its device
    token, on a session of its own (the updater has its own thread), TLS checked as the sync
    client checks it. The identity is read at each call, so a new enrollment is picked up."""

    def __init__(self, state_dir: Path, ca_file: str = "") -> None:
        self.state_dir = state_dir
        self.session = new_session(ca_file)
        self._db: sqlite3.Connection | None = None

    def __call__(
        self, url: str, *, headers: Mapping[str, str], timeout: tuple[float, float]
    ) -> requests.Response:
        if self._db is None:
            self._db = store.open_state(self.state_dir)
        who = identity.identity(self._db, self.state_dir)
        if who is None:  # a network-like failure: the updater tries again later
            raise requests.ConnectionError("this kiosk is not enrolled with a server")
        auth = {"Authorization": f"Bearer {who.token}"}
        return session_get(self.session, who.server_url, auth)(url, headers=headers, timeout=timeout)


def build_updater(agent: Agent, factory: UpdaterFactory = device_updater) -> Updater | None:
    """The device's updater, or None (reported) when it cannot run, e.g. no pinned keys."""
    settings = agent.loaded.settings
    try:
        updater = factory(agent.state_dir, settings, EnrolledHttp(agent.state_dir, settings.server.ca_file))
    except UpdateError as exc:
        report_unavailable(agent.db, str(exc))
        return None
    if store.get_state(agent.db, UNAVAILABLE_KEY):  # fixed since the last start (keys pinned)
        with store.transaction(agent.db):
            store.set_state(agent.db, UNAVAILABLE_KEY, "")
            store.set_state(agent.db, gate.STATUS_KEY, "idle")
            if (store.get_state(agent.db, LAST_ERROR) or "").startswith("updates disabled: "):
                agent.db.execute("DELETE FROM device_state WHERE key = ?", [LAST_ERROR])
    return updater


def report_unavailable(db: sqlite3.Connection, reason: str) -> None:
    """Updates are off: say why in the heartbeat, and once per reason in a kiosk.error event."""
    message = f"updates disabled: {reason}"
    log.error("%s", message)
    with store.transaction(db):
        if store.get_state(db, UNAVAILABLE_KEY) != reason:
            outbox.add(db, "kiosk.error", {"detail": message[:1000]}, datetime.now().astimezone())
        store.set_state(db, UNAVAILABLE_KEY, reason)
        store.set_state(db, gate.STATUS_KEY, message[:300])
        store.set_state(db, LAST_ERROR, message[:500])


def run_with_updates(agent: Agent, updater: Updater | None, stop: threading.Event) -> Progress | None:
    """Run the sync loop until `stop` is set or the updater needs the agent to exit (that
    Progress is returned; the caller exits 0). Without an updater, only the sync loop runs."""
    if updater is None:
        agent.run(stop)
        return None
    wake = threading.Event()
    outcome: list[Progress] = []

    def on_release(release: dict[str, Any] | None) -> None:
        if offer_release(agent.db, release):
            wake.set()  # a new offer: the updater looks at it now, not after its idle wait

    def updates() -> None:
        progress = run_loop(updater, stop, wake)
        if progress is not None:
            log.info(
                "updater: %s %s; the agent exits to run on the release now current",
                progress.state,
                progress.detail,
            )
            outcome.append(progress)
            stop.set()

    agent.on_release = on_release
    thread = threading.Thread(target=updates, name="kiosk-updater", daemon=True)
    thread.start()
    agent.run(stop)
    wake.set()
    thread.join(JOIN_UPDATER_S)
    if thread.is_alive():
        log.warning("the updater is still busy; the agent exits without it")
    return outcome[0] if outcome else None
