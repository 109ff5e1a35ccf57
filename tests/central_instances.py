"""Several `kiosk-central serve` processes on one store, as a province runs them behind a load
balancer, and a load balancer of the plainest kind: a proxy on loopback that sends each request
to the next instance in turn, so every kiosk's calls alternate between them."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from central.auth import hash_secret
from central.context import utc_now
from central.store.contract import CentralStore
from central.store.open import open_store
from tests.fixtures_central import ADMIN_TOKEN, SITE, FaultyServer, ServerClock, free_socket


@dataclass
class Instance:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_instance(db_url: str, releases: Path, token_file: Path, log: Path) -> Instance:
    """`kiosk-central serve` in its own process on a free port; returns once /health answers."""
    with free_socket() as sock:
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "central", "serve", "--db", db_url, "--releases", str(releases)]
    command += ["--port", str(port), "--admin-token-file", str(token_file), "--log-level", "warning"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return Instance(url, process, log)
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"kiosk-central serve did not start: {log.read_text(errors='replace')}")
        time.sleep(0.1)


class Alternating(FaultyServer):
    """The load balancer: each request to the next upstream, round robin."""

    def __init__(self, upstreams: list[str]) -> None:
        self._turn = itertools.cycle([u.removeprefix("http://") for u in upstreams])
        self._turn_lock = threading.Lock()
        super().__init__(upstreams[0])

    @property
    def upstream(self) -> str:
        with self._turn_lock:
            return next(self._turn)

    @upstream.setter
    def upstream(self, value: str) -> None:
        pass  # the rotation decides


@dataclass
class Cluster:
    """Two (or more) instances on one store, a store handle for the test to look with, and the
    proxy that alternates between them. Quacks like tests.fixtures_central.RunningServer, so
    the kiosk fixtures (enroll_kiosk, Kiosk) work against it."""

    instances: list[Instance]
    store: CentralStore
    releases_dir: Path
    proxy: Alternating
    clock: ServerClock = field(default_factory=ServerClock)

    @property
    def url(self) -> str:
        return self.proxy.url

    def admin(self, method: str, path: str, body: Any = None, instance: int = 0) -> requests.Response:
        return requests.request(
            method,
            f"{self.instances[instance].url}/api/v1/admin{path}",
            json=body,
            timeout=30,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )

    def enrollment_code(self, site: str = SITE.id) -> str:
        answer = self.admin("POST", "/enrollment-codes", {"site": site})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["code"])

    def stop(self) -> None:
        self.proxy.down()
        for instance in self.instances:
            instance.stop()
        self.store.close()


def start_cluster(db_url: str, directory: Path, count: int = 2) -> Cluster:
    """`count` instances of `kiosk-central serve` on `db_url`, sharing one releases directory."""
    store = open_store(db_url)
    store.put_site(SITE)
    store.add_admin_token(hash_secret(ADMIN_TOKEN), "tests", utc_now())
    token_file = directory / "admin-token"
    token_file.write_text(ADMIN_TOKEN, encoding="utf-8")
    releases = directory / "releases"
    releases.mkdir(exist_ok=True)
    instances = [
        start_instance(db_url, releases, token_file, directory / f"instance-{n}.log") for n in range(count)
    ]
    return Cluster(instances, store, releases, Alternating([i.url for i in instances]))
