"""Calling (issue 14), on loopback, the server in its own process:
- call → event visible on the display: 50 displays hold the server-sent events stream open; one
  counter calls 40 times; each display notes when each call arrives (p50, p95 over all);
- calls per second one site sustains: 20 counters press "call next" in parallel for 5 s."""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench import Figure, median, percentile
from bench.bench_sync import _start_server
from central.calling.session import COOKIE, csrf_token
from central.console.passwords import hash_password
from central.store.contract import Device, IncomingEvent, Site, TicketIssued
from central.store.sqlite import SQLiteStore

SITE = Site("bench-xa", "UBND xã Thử Nghiệm", "Asia/Ho_Chi_Minh")
COUNTERS = 20
DISPLAYS = 50
CALLS = 40
THROUGHPUT_S = 5.0
PASSWORD = "mat-khau-thu-nghiem"


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        _prepare(root)
        server = _start_server(root)
        try:
            url: str = server.url  # type: ignore[attr-defined]
            latencies = _latency(url)
            rate = _throughput(url)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return [
        Figure(f"call → display, {DISPLAYS} displays, p50", round(median(latencies) * 1000, 1), "ms"),
        Figure(
            f"call → display, {DISPLAYS} displays, p95",
            round(percentile(latencies, 95) * 1000, 1),
            "ms",
            "≤ 1000 ms",
        ),
        Figure(f"calls per second, {COUNTERS} counters", round(rate, 1), "/s", "≥ 200 /s"),
    ]


def _prepare(root: Path) -> None:
    store = SQLiteStore(root / "central.db")
    now = datetime.now(UTC)
    store.put_site(SITE)
    counters = [str(n) for n in range(1, COUNTERS + 1)]
    services = [{"id": s, "name": f"Lĩnh vực {s}", "counters": counters} for s in "ABC"]
    store.set_config("site", SITE.id, {"queue": {"services": services}})
    day = now.astimezone(__import__("zoneinfo").ZoneInfo(SITE.timezone)).date().isoformat()
    device = Device("bench-kiosk", SITE.id, "hw", now)
    for service in "ABC":
        events = []
        for n in range(1, 3000):
            issued = (now - timedelta(hours=2) + timedelta(seconds=n)).isoformat()
            effect = TicketIssued(day, f"{service}{n:04d}", service, n, None, issued)
            events.append(IncomingEvent(secrets.token_hex(8), "ticket.issued", issued, {}, effect))
        store.add_events(device, events, now)
    for n in range(COUNTERS + 1):
        store.set_staff(SITE.id, f"can-bo-{n}", "officer", hash_password(PASSWORD), now)
    store.close()


def _officer(url: str, n: int, counter: str) -> requests.Session:
    http = requests.Session()
    http.post(
        f"{url}/counter/login",
        data={"site": SITE.id, "name": f"can-bo-{n}", "password": PASSWORD},
        timeout=30,
    )
    csrf = csrf_token(http.cookies.get(COOKIE, path="/counter") or "")
    http.post(
        f"{url}/counter/seat", data={"csrf": csrf, "counter": counter, "services": list("ABC")}, timeout=30
    )
    http.headers.update({"Accept": "application/json", "X-CSRF-Token": csrf})
    return http


def _press(http: requests.Session, url: str) -> requests.Response:
    return http.post(
        f"{url}/counter/action", data={"key": secrets.token_urlsafe(12), "action": "call_next"}, timeout=30
    )


def _latency(url: str) -> list[float]:
    sent: dict[str, float] = {}
    arrived: list[tuple[str, float]] = []
    lock = threading.Lock()
    ready = threading.Barrier(DISPLAYS + 1)
    stop = threading.Event()

    def display() -> None:
        with requests.get(
            f"{url}/api/v1/calling/sites/{SITE.id}/events", stream=True, timeout=(5, 30)
        ) as answer:
            ready.wait()
            for line in answer.iter_lines(decode_unicode=True):
                if stop.is_set():
                    return
                ticket = json.loads(line[5:]).get("ticket") if line and line.startswith("data:") else None
                if ticket:
                    with lock:  # the stream may beat the counter's own answer: match later
                        arrived.append((ticket, time.perf_counter()))

    threads = [threading.Thread(target=display, daemon=True) for _ in range(DISPLAYS)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=60)
    time.sleep(0.5)
    counter = _officer(url, 0, "1")
    for _ in range(CALLS):
        started = time.perf_counter()
        ticket = _press(counter, url).json()["ticket"]["ticket"]
        with lock:
            sent[ticket] = started
        time.sleep(0.1)
    time.sleep(1.0)
    stop.set()
    with lock:
        return [at - sent[ticket] for ticket, at in arrived if ticket in sent]


def _throughput(url: str) -> float:
    officers = [_officer(url, n, str(n)) for n in range(1, COUNTERS + 1)]
    calls = [0] * COUNTERS
    deadline = time.monotonic() + THROUGHPUT_S

    def work(i: int) -> None:
        while time.monotonic() < deadline:
            if _press(officers[i], url).status_code == 200:
                calls[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(COUNTERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(calls) / (time.monotonic() - started)
