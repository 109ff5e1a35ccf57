"""Fixtures for fleet updates: real wheels of this repository at two versions (and a broken
one), signing keys, a loopback release server with Range and injectable faults, and a device
on a temporary root: releases directory, state database, a supervisor that runs the UI from
`current` the way systemd does, and the updater as the agent drives it."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import requests

from central.fleet.build import build_project_wheel
from central.fleet.bundles import (
    generate_key,
    publish,
    read_envelope,
    sign_bundle,
    write_manifest,
)
from kiosk import store
from kiosk.device import health
from kiosk.protocol.release_manifest import KeySet
from kiosk.update.download import DownloadOptions, session_get
from kiosk.update.gate import GateOptions
from kiosk.update.install import (
    ReleaseLayout,
    install_release,
    installed_envelope,
    switch_current,
)
from kiosk.update.updater import Progress, Updater, UpdaterOptions, platform_tag
from tests.fixtures_core import REPO
from tests.release_server import ReleaseServer

V1, V2 = "1.0.0", "1.1.0"
STAND_IN = Path(__file__).with_name("ui_stand_in.py")
# The release venvs see the dev venv's dependencies (see install_release): tests install only
# the project wheel, never the dependency set.
DEV_SITE = tuple(dict.fromkeys(Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")))
_HEALTHY_DOC = (
    '    """The first frame is drawn and the database is open: the update health gate may pass."""\n'
)
# The broken release: its UI raises where it would report its first frame (the self-test, which
# does not draw, still passes; only the health gate can catch it).
_CRASH_PATCH = (_HEALTHY_DOC, _HEALTHY_DOC + '    raise RuntimeError("first frame failed")\n')
# Another broken release: a module the UI stand-in does not use fails to import (a dependency
# missing from the bundle); the self-test must stop it before the switch.
_BROKEN_PATCH = (
    "import json\n",
    "import json\nimport kiosk_dependency_not_in_the_bundle  # noqa\n",
)


def _patched_tree(dest: Path, module: str, patch: tuple[str, str]) -> Path:
    shutil.copytree(
        REPO,
        dest,
        symlinks=True,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache"),
    )
    path = dest / module
    text = path.read_text(encoding="utf-8")
    assert patch[0] in text, f"{module} changed: update the patch the update tests make"
    path.write_text(text.replace(patch[0], patch[1], 1), encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def release_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real wheels of this repository: 1.0.0, 1.1.0, and a 1.1.0 whose UI crashes at start."""
    root = tmp_path_factory.mktemp("wheels")
    crash_src = _patched_tree(root / "crash-src", "kiosk/device/health.py", _CRASH_PATCH)
    broken_src = _patched_tree(root / "broken-src", "kiosk/outbox.py", _BROKEN_PATCH)
    return {
        V1: build_project_wheel(REPO, V1, root / V1),
        V2: build_project_wheel(REPO, V2, root / V2),
        "crash": build_project_wheel(crash_src, V2, root / "crash"),
        "broken": build_project_wheel(broken_src, V2, root / "broken"),
    }


@dataclass
class Keys:
    dir: Path
    signing: Path
    pinned: KeySet
    other_signing: Path


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    signing_dir, other_dir = tmp_path / "keys", tmp_path / "other-keys"
    _, private, _ = generate_key(signing_dir, "release")
    _, other, _ = generate_key(other_dir, "stranger")
    return Keys(signing_dir, private, KeySet.from_dir(signing_dir), other)


@pytest.fixture
def release_server(tmp_path: Path) -> Iterator[ReleaseServer]:
    server = ReleaseServer(tmp_path / "server-releases")
    server.start()
    yield server
    server.stop()


def make_bundle(
    dest: Path, wheel: Path, version: str, key: Path, *, rollback: bool = False, platform: str = ""
) -> Path:
    dest.mkdir(parents=True)
    shutil.copyfile(wheel, dest / wheel.name)
    write_manifest(dest, version=version, platform=platform or platform_tag(), rollback=rollback)
    sign_bundle(dest, key)
    return dest


class Clock(Protocol):
    def __call__(self) -> float: ...

    def advance(self, seconds: float) -> None: ...


class FakeClock:
    """The updater's clock: starts at the real time and moves only when told, so deadlines and
    crash windows are reached by the test, not by waiting."""

    def __init__(self) -> None:
        self.now = time.time() - 1.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class UiSupervisor:
    """Runs the UI stand-in from `current` and starts it again whenever it exits, like systemd's
    Restart=always; counts restarts like NRestarts.

    Counting a restart and starting its process is one step under `_lock`, and `stop_ui` takes
    the lock too: a test that saw `restarts` go up and then stops the UI stops the process that
    restart started. (Without the lock, under load, `stop_ui` could run between the count and the
    start, find the previous, already dead, process and do nothing: the crash the test meant to
    cause never happened.)"""

    def __init__(self, layout: ReleaseLayout, state_dir: Path) -> None:
        self.layout, self.state_dir = layout, state_dir
        self.restarts = 0
        self.count_known = True  # False: like a systemctl that fails or times out
        self.process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        first = True
        while True:
            with self._lock:
                if self._stop.is_set():
                    return
                if not first:
                    self.restarts += 1
                first = False
                process = self._start_ui()
            while process is not None and process.poll() is None and not self._stop.is_set():
                time.sleep(0.01)
            self._stop.wait(0.05)  # RestartSec

    def _start_ui(self) -> subprocess.Popen[bytes] | None:
        """Start the stand-in from `current`; a start that fails (as systemd's would) is written
        to the stand-in's error file and tried again, so the supervisor never ends silently."""
        python = self.layout.current / "venv" / "bin" / "python"
        with (self.state_dir / "ui-stand-in.err").open("ab") as err:  # read when a test fails
            try:
                self.process = subprocess.Popen([str(python), str(STAND_IN), str(self.state_dir)], stderr=err)
            except OSError as exc:
                err.write(f"supervisor: cannot start the UI: {exc!r}\n".encode())
                self.process = None
        return self.process

    def ui_restart_count(self) -> int | None:
        return self.restarts if self.count_known else None

    def stop_ui(self) -> None:
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()

    def stop(self) -> None:
        self._stop.set()
        self.stop_ui()  # after the lock: no UI starts from now on
        self._thread.join(timeout=10)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()


@dataclass
class Device:
    """A kiosk on a temporary root. `updater` is rebuilt by `restart_agent`, as systemd
    restarts the agent on the release `current` points to."""

    layout: ReleaseLayout
    state_dir: Path
    keys: KeySet
    server: ReleaseServer
    clock: Clock
    supervisor: UiSupervisor
    options: UpdaterOptions
    updater: Updater = field(init=False)
    db: Any = field(init=False)
    agent_restarts: int = 0

    def __post_init__(self) -> None:
        self.db = store.open_state(self.state_dir)
        self.restart_agent()

    def running_version(self) -> str:
        envelope = installed_envelope(self.layout.current) or {}
        return str(envelope["manifest"]["version"])

    def restart_agent(self) -> None:
        self.updater = Updater(
            db=self.db,
            state_dir=self.state_dir,
            layout=self.layout,
            keys=self.keys,
            http=session_get(requests.Session(), self.server.url),
            services=self.supervisor,
            current_version=self.running_version(),
            timezone="Asia/Ho_Chi_Minh",
            options=self.options,
            clock=self.clock,
        )

    def offer(self, version: str) -> None:
        self.updater.offer({"version": version, "manifest_url": f"/api/v1/releases/{version}/manifest"})

    def run_until(self, done: Callable[[Progress], bool], limit_s: float = 60.0) -> list[Progress]:
        """Step the updater as the agent loop does until `done`; every Progress seen. The limit
        only keeps a broken updater from hanging the suite; it is not a timing check."""
        seen: list[Progress] = []
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            progress = self.updater.step()
            seen.append(progress)
            if progress.exit_agent:
                self.agent_restarts += 1
                self.restart_agent()
            if done(progress):
                return seen
            time.sleep(min(progress.wait_s, 0.02))
        raise AssertionError(f"updater did not finish; last steps: {seen[-5:]}")

    def wait_ui(self, version: str, limit_s: float = 30.0) -> None:
        """Until the UI of `version` reported healthy (before an update starts)."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            report = health.read_ui_health(self.db)
            if report.version == version and report.healthy_at is not None:
                return
            time.sleep(0.02)
        err = self.state_dir / "ui-stand-in.err"
        said = err.read_text(errors="replace")[-1500:] if err.exists() else ""
        process = self.supervisor.process
        running = "none started" if process is None else f"exit code {process.poll()}"
        raise AssertionError(
            f"UI {version} never reported healthy; last report {health.read_ui_health(self.db)}; "
            f"UI process: {running}, {self.supervisor.restarts} restarts; its standard error: {said!r}"
        )


def updater_options() -> UpdaterOptions:
    """Short download timeouts and no disk reserve; the gate's deadline and crash window are
    the defaults but for the deadline, which the tests name (120 s)."""
    return UpdaterOptions(
        gate=GateOptions(health_deadline_s=120.0, crash_window_s=300.0),
        download=DownloadOptions(read_timeout_s=1.0, attempts=4, backoff_s=0.0),
        reserve_bytes=0,
        extra_site_packages=DEV_SITE,
    )


@pytest.fixture
def make_device(
    tmp_path: Path, keys: Keys, release_server: ReleaseServer, state_dir: Path
) -> Iterator[Callable[..., Device]]:
    """make_device(bundle): a device whose current release is installed from `bundle`."""
    supervisors: list[UiSupervisor] = []

    def make(bundle: Path, options: UpdaterOptions | None = None) -> Device:
        layout = ReleaseLayout(tmp_path / "opt-kiosk")
        envelope = read_envelope(bundle)
        release_dir = install_release(layout, envelope, bundle, extra_site_packages=DEV_SITE)
        switch_current(layout, release_dir)
        supervisor = UiSupervisor(layout, state_dir)
        supervisors.append(supervisor)
        supervisor.start()
        device = Device(
            layout,
            state_dir,
            keys.pinned,
            release_server,
            FakeClock(),
            supervisor,
            options or updater_options(),
        )
        device.wait_ui(envelope["manifest"]["version"])
        return device

    yield make
    for supervisor in supervisors:
        supervisor.stop()


@pytest.fixture
def published(
    tmp_path: Path, keys: Keys, release_server: ReleaseServer, release_wheels: dict[str, Path]
) -> Callable[..., Path]:
    """published(which, version, key=None, rollback=False): sign and publish a bundle; its dir."""
    counter = iter(range(1000))

    def make(which: str, version: str, key: Path | None = None, rollback: bool = False) -> Path:
        bundle = make_bundle(
            tmp_path / f"bundle-{next(counter)}",
            release_wheels[which],
            version,
            key or keys.signing,
            rollback=rollback,
        )
        if key is None or key == keys.signing:
            publish(bundle, release_server.releases_dir, keys.pinned)
        else:  # a server does not check the key (it may not know it); the kiosk must refuse
            release_server.put_unchecked(bundle)
        return bundle

    return make
