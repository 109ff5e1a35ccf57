"""Fleet update figures on loopback: how long from "release available" (the heartbeat names it)
to the new version running healthy, for a real bundle of this repository; and how many bytes a
download cut in the middle fetches in all, against a full download of the same file."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import requests

from bench import Figure, median
from central.fleet.build import build_project_wheel
from central.fleet.bundles import generate_key, publish, read_envelope
from kiosk.protocol.release_manifest import KeySet
from kiosk.update.download import Downloader, DownloadOptions, file_url, session_get
from kiosk.update.install import ReleaseLayout, install_release, switch_current
from tests.fixtures_core import REPO
from tests.fixtures_updates import (
    DEV_SITE,
    V1,
    V2,
    Device,
    UiSupervisor,
    make_bundle,
    updater_options,
)
from tests.release_server import ReleaseServer

RUNS = 3
LARGE_FILE_BYTES = 32 * 2**20  # about the size of the Kivy wheel in a real bundle


class WallClock:
    """The device's real clock (the tests use a clock they move by hand)."""

    def __call__(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> None:
        raise RuntimeError("a wall clock cannot be moved")


def _update_once(root: Path, bundles: dict[str, Path], keys: KeySet) -> float:
    server = ReleaseServer(root / "server")
    server.start()
    state = root / "state"
    state.mkdir()
    layout = ReleaseLayout(root / "opt-kiosk")
    supervisor = UiSupervisor(layout, state)
    try:
        for bundle in bundles.values():
            publish(bundle, server.releases_dir, keys)
        release = install_release(
            layout, read_envelope(bundles[V1]), bundles[V1], extra_site_packages=DEV_SITE
        )
        switch_current(layout, release)
        supervisor.start()
        device = Device(
            layout,
            state,
            keys,
            server,
            WallClock(),
            supervisor,
            updater_options(),
        )
        device.wait_ui(V1)
        started = time.perf_counter()
        device.offer(V2)
        device.run_until(lambda p: p.state == "healthy")
        return time.perf_counter() - started
    finally:
        supervisor.stop()
        server.stop()


def _download_bytes(root: Path) -> tuple[int, int, int]:
    """(bytes of a full download, bytes fetched in all when cut at half, bytes fetched twice)."""
    server = ReleaseServer(root / "server")
    server.start()
    try:
        data = os.urandom(LARGE_FILE_BYTES)
        (server.releases_dir / V2).mkdir()
        (server.releases_dir / V2 / "big.whl").write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        url = file_url(f"/api/v1/releases/{V2}/manifest", "big.whl")
        options = DownloadOptions(read_timeout_s=2.0, attempts=3, backoff_s=0.0)
        for name in ("full", "resumed"):
            (root / name).mkdir()
        full = Downloader(session_get(requests.Session(), server.url), options)
        full.fetch_file(url, root / "full" / "big.whl", len(data), sha)
        full_served = sum(s.bytes_sent for s in server.file_requests("big.whl"))
        server.faults["big.whl"] = ("cut", len(data) // 2)
        resumed = Downloader(session_get(requests.Session(), server.url), options)
        resumed.fetch_file(url, root / "resumed" / "big.whl", len(data), sha)
        # What the server sent for the cut download: the first half, then the rest on resume.
        served = sum(s.bytes_sent for s in server.file_requests("big.whl")) - full_served
        return full_served, served, served - len(data)
    finally:
        server.stop()


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        root = Path(tmp)
        _, private, _ = generate_key(root / "keys", "bench")
        keys = KeySet.from_dir(root / "keys")
        bundles = {}
        for version in (V1, V2):
            wheel = build_project_wheel(REPO, version, root / "wheels" / version)
            bundles[version] = make_bundle(root / "bundles" / version, wheel, version, private)
        bundle_bytes = sum(p.stat().st_size for p in bundles[V2].glob("*.whl"))
        times = []
        for run_no in range(RUNS):
            times.append(_update_once(root / f"run{run_no}", bundles, keys))
            shutil.rmtree(root / f"run{run_no}", ignore_errors=True)
        full, resumed, twice = _download_bytes(root / "download")
    return [
        Figure(
            "release available → new version healthy (median of 3)",
            median(times),
            "s",
            "download, verify, install, self-test, switch, UI healthy",
        ),
        Figure("  bundle size (project wheel only)", bundle_bytes, "B"),
        Figure(f"full download of a {LARGE_FILE_BYTES // 2**20} MiB file", full, "B"),
        Figure(
            "download cut at half, then resumed: bytes fetched",
            resumed,
            "B",
            f"= {LARGE_FILE_BYTES:,} (the file once)",
        ),
        Figure("  bytes fetched twice", twice, "B", "0"),
    ]
