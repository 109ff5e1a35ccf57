"""The real central server on a free loopback port (uvicorn in a thread), and a small
misbehaving HTTP server that stands between a kiosk and it: the real-world stand-in for a flaky
commune link (refused connections, 500s, 503 with Retry-After, slow, cut-off, wrong or huge
answers)."""

from __future__ import annotations

import email.utils
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn

from central.api.dossiers import DossierSource
from central.app import create_app
from central.auth import hash_secret
from central.context import utc_now
from central.forwarded import server_options
from central.store.contract import Site
from central.store.open import open_store
from central.store.postgres import PostgresStore
from central.store.sqlite import SQLiteStore
from tests.fixtures_core import DEMO_CONFIG

ADMIN_TOKEN = "test-admin-token-0123456789"
SITE = Site("me-linh-xa", "UBND xã Mê Linh", "Asia/Ho_Chi_Minh")


class ServerClock:
    """The server's clock: the real time plus an offset a test moves forward (a kiosk goes
    silent for ten minutes without the test waiting ten minutes)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class RunningServer:
    url: str
    store: SQLiteStore | PostgresStore
    releases_dir: Path
    server: uvicorn.Server
    thread: threading.Thread
    clock: ServerClock

    def admin(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/api/v1/admin{path}",
            json=body,
            timeout=10,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )

    def enrollment_code(self, site: str = SITE.id) -> str:
        answer = self.admin("POST", "/enrollment-codes", {"site": site})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["code"])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.store.close()


def publish_releases(server: RunningServer, root: Path, keys: Any, wheels: dict[str, Path]) -> None:
    """Real bundles of this repository at 1.0.0 and 1.1.0, signed and published into the
    server's releases directory (keys and wheels: tests/fixtures_updates.py)."""
    from central.fleet.bundles import publish
    from tests.fixtures_updates import V1, V2, make_bundle

    for version in (V1, V2):
        bundle = make_bundle(root / f"bundle-{version}", wheels[version], version, keys.signing)
        publish(bundle, server.releases_dir, keys.pinned)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def start_server(
    directory: Path,
    *,
    dossiers: DossierSource | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    forwarded_allow_ips: list[str] | None = None,
    db_url: str | None = None,
) -> RunningServer:
    """Start the real server on its own SQLite file (or on the store at `db_url`); returns once
    it accepts connections. Forwarded headers are read as `kiosk-central serve` reads them:
    from the listed proxies."""
    store = SQLiteStore(directory / "central.db") if db_url is None else _open(db_url)
    store.add_admin_token(hash_secret(ADMIN_TOKEN), "tests", utc_now())
    store.put_site(SITE)
    releases = directory / "releases"
    clock = ServerClock()
    app = create_app(store, releases, dossiers=dossiers, clock=clock)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        **server_options(forwarded_allow_ips or []),
    )
    server = uvicorn.Server(config)
    sock = free_socket()
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the central server did not start")
        time.sleep(0.02)
    scheme = "https" if ssl_certfile else "http"
    host = "localhost" if ssl_certfile else "127.0.0.1"
    return RunningServer(f"{scheme}://{host}:{port}", store, releases, server, thread, clock)


def _open(db_url: str) -> SQLiteStore | PostgresStore:
    store = open_store(db_url)
    assert isinstance(store, SQLiteStore | PostgresStore)
    return store


@pytest.fixture
def central_server(tmp_path: Path) -> Iterator[RunningServer]:
    directory = tmp_path / "central"
    directory.mkdir()
    running = start_server(directory)
    yield running
    running.stop()


# --- the misbehaving server -----------------------------------------------------------------

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


@dataclass
class Fault:
    """What the link does to one request. `forward` sends it to the real server first (the
    server acted, the kiosk never hears of it)."""

    kind: str
    path: str = "/"
    times: int = 1
    forward: bool = False
    seconds: float = 0.0
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class FaultyServer:
    """A proxy on loopback to a real server, doing what the current faults say."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str, str]] = []  # (method, path, fault kind or "ok")
        self.bytes_sent_by_fault = 0
        self.lock = threading.Lock()
        self._sock = free_socket()
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._httpd: ThreadingHTTPServer | None = None
        self.up()

    def fail(self, kind: str, path: str = "/", **kw: Any) -> Fault:
        fault = Fault(kind, path, **kw)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def take(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def down(self) -> None:
        """Stop listening: connections are refused, as when the server is off."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def up(self) -> None:
        proxy = self

        class Handler(_ProxyHandler):
            owner = proxy

        self._sock.close()  # the port was held only until the proxy binds it
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.allow_reuse_address = True
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


class _ProxyHandler(BaseHTTPRequestHandler):
    owner: FaultyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def end_headers(self) -> None:
        self.send_header("Connection", "close")
        super().end_headers()

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        # One request per connection: `down()` then refuses the very next call.
        self.close_connection = True
        fault = self.owner.take(self.path)
        self.owner.seen.append((self.command, self.path, fault.kind if fault else "ok"))
        try:
            if fault is None:
                self._relay(*self._forward(body))
            else:
                _act(self, fault, body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = _any

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.owner.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
        return answer.status, answer.getheaders(), data

    def _relay(
        self, status: int, headers: list[tuple[str, str]], data: bytes, clock_shift_s: float = 0.0
    ) -> None:
        self.log_request(status)
        self.send_response_only(status)
        self.send_header("Date", email.utils.formatdate(time.time() + clock_shift_s, usegmt=True))
        for key, value in headers:
            if key.lower() not in _HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _act(handler: _ProxyHandler, fault: Fault, body: bytes) -> None:
    forwarded = handler._forward(body) if fault.forward else None
    kind = fault.kind
    if kind == "clock":  # the server's clock is `seconds` ahead of ours
        assert forwarded is not None
        handler._relay(*forwarded, clock_shift_s=fault.seconds)
    elif kind == "drop":  # close without a word
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)
    elif kind == "slow":
        time.sleep(fault.seconds)
        if forwarded:
            handler._relay(*forwarded)
        else:
            _send(handler, 200, b"{}")
    elif kind == "status":
        body_out = fault.body or json.dumps({"error": {"code": "test", "message": "fault"}}).encode()
        _send(handler, fault.status, body_out, fault.headers)
    elif kind == "truncated":
        status, _, data = forwarded or (200, [], b'{"accepted": [], "rejected": []}' * 50)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)
    elif kind == "body":  # a 200 with the given bytes (invalid JSON, wrong shape)
        _send(handler, 200, fault.body)
    elif kind == "huge":
        _huge(handler, int(fault.seconds) or 50 * 1024 * 1024, chunked="chunked" in fault.headers)
    else:
        raise AssertionError(f"unknown fault {kind}")


def _send(handler: _ProxyHandler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _huge(handler: _ProxyHandler, size: int, *, chunked: bool) -> None:
    """A JSON-looking body of `size` bytes, generated as it is sent (never held whole)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    if chunked:
        handler.send_header("Transfer-Encoding", "chunked")
    else:
        handler.send_header("Content-Length", str(size))
    handler.end_headers()
    piece = b'{"accepted": [' + b" " * (64 * 1024 - 14)
    sent = 0
    while sent < size:
        chunk = piece[: size - sent]
        if chunked:
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        else:
            handler.wfile.write(chunk)
        sent += len(chunk)
        handler.owner.bytes_sent_by_fault += len(chunk)
    if chunked:
        handler.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def faulty(central_server: RunningServer) -> Iterator[FaultyServer]:
    proxy = FaultyServer(central_server.url)
    yield proxy
    proxy.down()


# --- a kiosk enrolled with the server ---------------------------------------------------------

# Through the misbehaving server: short timeouts, so a slow answer (3 s) is felt in seconds.
FAST = {
    "server.connect_timeout_s": 1.0,
    "server.read_timeout_s": 2.0,
    "server.call_deadline_s": 5.0,
}
# Straight to the server: room for a loaded CI machine, where a batch of 500 events may take
# more than a second.
ROOMY = {
    "server.connect_timeout_s": 2.0,
    "server.read_timeout_s": 15.0,
    "server.call_deadline_s": 30.0,
}


@dataclass
class Kiosk:
    db: Any
    state_dir: Path
    device_id: str
    server: RunningServer
    flaky: bool = False  # its link goes through the misbehaving server

    def agent(self, **kw: Any) -> Any:
        from kiosk import config
        from kiosk.sync.agent import Agent
        from kiosk.sync.client import RetryPolicy

        timeouts = FAST if self.flaky else ROOMY
        loaded = config.load(site_file=DEMO_CONFIG, state_dir=self.state_dir, overrides=timeouts)
        retry = kw.pop("retry", RetryPolicy(attempts=3, base_s=0.01, cap_s=0.05))
        return Agent(self.db, self.state_dir, loaded, site_file=DEMO_CONFIG, retry=retry, **kw)

    def add_tickets(self, count: int, start: int = 1) -> list[str]:
        """Issue-like ticket.issued events, committed as the queue commits them."""
        from zoneinfo import ZoneInfo

        from kiosk import outbox, store

        at = datetime.now(ZoneInfo(SITE.timezone))  # the queue numbers days in the site's time
        ids = []
        with store.transaction(self.db):
            for n in range(start, start + count):
                data = {
                    "ticket": f"A{n % 10000:03d}",
                    "service": "A",
                    "number": n % 10000,
                    "day": at.date().isoformat(),
                    "priority": None,
                    "issued_at": at.isoformat(),
                }
                ids.append(outbox.add(self.db, "ticket.issued", data, at))
        return ids

    def issue(self, count: int, service: str = "B") -> list[str]:
        """Tickets issued the way the ticket screen issues them; the ids of their events."""
        from zoneinfo import ZoneInfo

        from kiosk import config
        from kiosk.queue.numbering import issue_ticket

        settings = config.load(site_file=DEMO_CONFIG, state_dir=self.state_dir).settings
        before = {r[0] for r in self.db.execute("SELECT id FROM outbox")}
        for _ in range(count):
            issue_ticket(self.db, settings, service, datetime.now(ZoneInfo(SITE.timezone)))
        return [r[0] for r in self.db.execute("SELECT id FROM outbox ORDER BY seq") if r[0] not in before]

    def report_update(
        self, ok: bool, to: str, stage: str = "health", detail: str = "", retrying: bool = False
    ) -> None:
        """An update.result in the outbox, written by the updater's own reporter."""
        from kiosk import __version__
        from kiosk.update.gate import Reporter

        Reporter(self.db, SITE.timezone).result(ok, stage, __version__, to, detail, retrying=retrying)

    def server_event_ids(self) -> list[str]:
        events = self.server.store.list_events(self.device_id, None, 0, 1_000_000)
        return [e.id for e in events]


def enroll_kiosk(server: RunningServer, db: Any, state_dir: Path, url: str | None = None) -> Kiosk:
    from kiosk.sync.enrollment import enroll

    answer = enroll(db, state_dir, url or server.url, server.enrollment_code())
    return Kiosk(db, state_dir, answer.device_id, server, flaky=url is not None)


@pytest.fixture
def kiosk(central_server: RunningServer, db: Any, state_dir: Path) -> Kiosk:
    """A kiosk enrolled directly with the real server."""
    return enroll_kiosk(central_server, db, state_dir)


@pytest.fixture
def make_kiosk(central_server: RunningServer, tmp_path: Path) -> Iterator[Callable[[], Kiosk]]:
    """make_kiosk(): one more kiosk, with its own state directory and database, enrolled with
    the real server (a fleet in one test). Kiosks on one test machine share its hardware id,
    and the same hardware enrolling at the same site is the same device again; so each kiosk
    gets a site of its own (xa-0, xa-1, …)."""
    from kiosk import store
    from kiosk.sync.enrollment import enroll

    made: list[Kiosk] = []

    def make() -> Kiosk:
        n = len(made)
        state = tmp_path / f"kiosk-state-{n}"
        state.mkdir()
        site = f"xa-{n}"
        central_server.admin("PUT", f"/sites/{site}", {"name": f"UBND xã Số {n}"}).raise_for_status()
        db = store.open_state(state)
        answer = enroll(db, state, central_server.url, central_server.enrollment_code(site))
        made.append(Kiosk(db, state, answer.device_id, central_server))
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.db.close()


@pytest.fixture
def flaky_kiosk(central_server: RunningServer, faulty: FaultyServer, db: Any, state_dir: Path) -> Kiosk:
    """A kiosk whose link to the real server goes through the misbehaving server."""
    return enroll_kiosk(central_server, db, state_dir, faulty.url)
