"""The agent runs the updater: a kiosk enrolled with the real central server on loopback is
offered a release in its heartbeat answer, and downloads, verifies, installs, switches, exits
for systemd, and (started again on the new code) reports update.result to the server.

The bundles are real wheels of this repository, signed, published with `kiosk-central release
publish` into the releases directory the live server serves. The server's rollout logic is
another branch's work: here the heartbeat's seam, `release_for_device` as the live app's device
API calls it, is replaced with one that targets this kiosk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from central.api import routes as device_api
from central.cli import main as central_main
from central.fleet.bundles import read_envelope
from kiosk import config, outbox, store
from kiosk.protocol.release_manifest import PINNED_KEYS_DIR
from kiosk.sync.agent import Agent
from kiosk.sync.client import RetryPolicy
from kiosk.update.agent_updates import UpdaterFactory, build_updater, run_with_updates
from kiosk.update.download import HttpGet
from kiosk.update.install import ReleaseLayout, install_release, switch_current
from kiosk.update.updater import Progress, Updater
from tests.fixtures_central import FAST, Kiosk
from tests.fixtures_core import DEMO_CONFIG, REPO
from tests.fixtures_updates import DEV_SITE, V1, V2, Keys, UiSupervisor, make_bundle, updater_options
from tests.sync.test_sync_agent import wait_for

LIMIT_S = 120.0  # only keeps a broken agent from hanging the suite; not a timing check


@dataclass
class UpdatingKiosk:
    """A kiosk enrolled with the real server, running V1 from a release layout on a temporary
    root, its UI (the stand-in) started from `current` by a supervisor as systemd would."""

    kiosk: Kiosk
    layout: ReleaseLayout
    keys: Keys
    supervisor: UiSupervisor
    bundles: dict[str, Path]

    def agent(self) -> Agent:
        """A fresh agent process, as systemd starts one: its own connection, short intervals."""
        state_dir = self.kiosk.state_dir
        overrides = {**FAST, "server.heartbeat_interval_s": 5}
        loaded = config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides=overrides)
        retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.05)
        db = store.open_state(state_dir)
        return Agent(db, state_dir, loaded, site_file=DEMO_CONFIG, retry=retry, outbox_poll_s=0.1)

    def factory(self, running: str) -> UpdaterFactory:
        """device_updater's counterpart on the temporary root: the pinned test key, the
        supervisor for systemd, `running` as the version of the code that runs."""

        def make(state_dir: Path, settings: config.Settings, http: HttpGet) -> Updater:
            return Updater(
                db=store.open_state(state_dir),
                state_dir=state_dir,
                layout=self.layout,
                keys=self.keys.pinned,
                http=http,
                services=self.supervisor,
                current_version=running,
                timezone=settings.site.timezone,
                options=updater_options(),
            )

        return make

    def server_results(self) -> list[dict[str, Any]]:
        events = self.kiosk.server.store.list_events(self.kiosk.device_id, "update.result", 0, 100)
        return [e.data for e in events]


@pytest.fixture
def updating(
    kiosk: Kiosk,
    keys: Keys,
    release_wheels: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[UpdatingKiosk]:
    bundles = {v: make_bundle(tmp_path / f"bundle-{v}", release_wheels[v], v, keys.signing) for v in (V1, V2)}
    central_db = kiosk.server.releases_dir.parent / "central.db"
    argv = ["release", "publish", str(bundles[V2]), "--keys", str(keys.dir), "--db", str(central_db)]
    assert central_main(argv) == 0
    target = kiosk.device_id
    monkeypatch.setattr(
        device_api,
        "release_for_device",
        lambda ctx, device, beat, view=None: V2 if device.id == target else None,
    )
    layout = ReleaseLayout(tmp_path / "opt-kiosk")
    switch_current(
        layout, install_release(layout, read_envelope(bundles[V1]), bundles[V1], extra_site_packages=DEV_SITE)
    )
    supervisor = UiSupervisor(layout, kiosk.state_dir)
    supervisor.start()
    try:
        wait_for(lambda: ui_version(kiosk) == V1, "the V1 UI reported healthy")
        yield UpdatingKiosk(kiosk, layout, keys, supervisor, bundles)
    finally:
        supervisor.stop()


def ui_version(kiosk: Kiosk) -> str | None:
    from kiosk.device import health

    report = health.read_ui_health(kiosk.db)
    return report.version if report.healthy_at is not None else None


def run_agent(agent: Agent, updater: Updater | None, until: Any = None) -> Progress | None:
    """run_with_updates on a thread, as `kiosk agent` runs it; stopped (as by SIGTERM) once
    `until()` holds, or left to end by itself (the updater's exit) when `until` is None."""
    stop = threading.Event()
    outcome: list[Progress | None] = []
    thread = threading.Thread(target=lambda: outcome.append(run_with_updates(agent, updater, stop)))
    thread.start()
    try:
        if until is not None:
            wait_for(until, "the agent got there", LIMIT_S)
            stop.set()
        thread.join(LIMIT_S)
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive() and outcome, "the agent did not stop"
    return outcome[0]


def test_release_offered_by_the_server_is_installed_switched_and_reported(updating: UpdatingKiosk) -> None:
    agent = updating.agent()

    progress = run_agent(agent, build_updater(agent, updating.factory(V1)))

    # The agent ended by itself for systemd to start it on the new code.
    assert progress is not None and (progress.state, progress.exit_agent) == ("switched", True)
    layout = updating.layout
    assert layout.current_target() == layout.release_dir(V2).resolve()
    assert layout.previous.resolve() == layout.release_dir(V1).resolve()

    # systemd starts the agent again, now on V2: it watches the health gate and reports.
    agent = updating.agent()
    progress = run_agent(agent, build_updater(agent, updating.factory(V2)), until=updating.server_results)

    assert progress is None  # stopped from outside (SIGTERM), not by the updater
    [result] = updating.server_results()
    assert (result["from"], result["to"], result["ok"], result["stage"]) == (V1, V2, True, "health")
    assert ui_version(updating.kiosk) == V2  # the UI runs the new code
    agent.heartbeat_pass()
    beat = updating.kiosk.server.store.get_device(updating.kiosk.device_id).last_heartbeat  # type: ignore[union-attr]
    assert beat["ui_healthy"] is True
    assert beat["update"]["last_result"]["ok"] is True and beat["update"]["last_result"]["to"] == V2


def test_release_changed_on_the_server_is_refused_and_reported_without_a_switch(
    updating: UpdatingKiosk,
) -> None:
    served = next((updating.kiosk.server.releases_dir / V2).glob("*.whl"))
    data = bytearray(served.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed after signing
    served.write_bytes(bytes(data))
    agent = updating.agent()

    progress = run_agent(agent, build_updater(agent, updating.factory(V1)), until=updating.server_results)

    assert progress is None  # no switch, so no exit: the agent went on syncing
    [result] = updating.server_results()
    assert (result["ok"], result["stage"], result["to"]) == (False, "verify", V2)
    assert "SHA-256" in result["detail"]
    assert updating.layout.current_target() == updating.layout.release_dir(V1).resolve()
    assert not updating.layout.release_dir(V2).exists()


@pytest.mark.skipif(PINNED_KEYS_DIR.exists(), reason="this machine pins release keys")
def test_kiosk_agent_without_pinned_keys_reports_it_and_runs_without_updates(kiosk: Kiosk) -> None:
    env = {**os.environ, "KIOSK_STATE_DIR": str(kiosk.state_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(DEMO_CONFIG), "agent"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    device = kiosk.server.store.get_device
    try:
        wait_for(lambda: device(kiosk.device_id).last_heartbeat is not None, "a heartbeat")  # type: ignore[union-attr]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    beat = device(kiosk.device_id).last_heartbeat  # type: ignore[union-attr]
    assert beat["update"]["status"].startswith("updates disabled")
    assert "no release keys" in beat["last_error"]
    [event] = kiosk.server.store.list_events(kiosk.device_id, "kiosk.error", 0, 10)
    assert "no release keys" in event.data["detail"]

    # Started again with the same reason: reported in the heartbeat, not as a new event.
    assert build_updater(kiosk.agent()) is None
    assert [e.type for e in outbox.pending(kiosk.db)] == []
