"""The fleet console against the real central server (its own process, `kiosk-central serve`,
on loopback) with 500 kiosks that reported, a running rollout and ten thousand events: how
long an operator waits for the fleet table, one kiosk's page and the releases page, and what
an active rollout adds to each heartbeat."""

from __future__ import annotations

import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench import Figure, median, percentile
from bench.bench_sync import _start_server
from central.auth import hash_secret, new_token
from central.console.passwords import hash_password
from central.store.contract import IncomingEvent, RolloutPlan, Site
from central.store.sqlite import SQLiteStore

KIOSKS = 500
PAGES = 20  # requests per page measured
OPERATOR, PASSWORD = "bench", "bench-password-2026"
SITES = [Site(f"xa-{n:02d}", f"UBND xã số {n}", "Asia/Ho_Chi_Minh") for n in range(25)]
PRINTER = ["ready"] * 17 + ["paper_near_end", "paper_out", "offline"]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        tokens = _prepare(root / "central.db")
        server = _start_server(root)
        try:
            return _measure(server.url, tokens)  # type: ignore[attr-defined]
        finally:
            server.terminate()
            server.wait(timeout=30)


def _prepare(path: Path) -> list[str]:
    """500 kiosks over 25 offices, each with a heartbeat and 20 events; an operator; a rollout
    record (the releases directory is empty: the page must still list it)."""
    store = SQLiteStore(path)
    now = datetime.now(UTC)
    store.set_operator_password(OPERATOR, hash_password(PASSWORD), now)
    tokens = []
    for i in range(KIOSKS):
        site = SITES[i % len(SITES)]
        store.put_site(site)
        code, token = f"BENCH{i:05d}", new_token()
        store.add_enrollment_code(hash_secret(code), site.id, now + timedelta(days=1))
        device = store.enroll(hash_secret(code), f"sim-{i}", "1.0.0", hash_secret(token), now)
        beat = {"app_version": "1.0.0", "printer": {"state": PRINTER[i % len(PRINTER)], "detail": ""}}
        store.record_heartbeat(device.id, {**beat, "outbox_pending": i % 7}, now - timedelta(seconds=i))
        store.add_events(device, _events(i, now), now)
        tokens.append(token)
    plan = RolloutPlan("1.1.0", stages=(10, 50, 100), canary_sites=(SITES[0].id,))
    store.create_rollout(plan, None, now)
    store.close()
    return tokens


def _events(i: int, now: datetime) -> list[IncomingEvent]:
    at = now.isoformat()
    return [
        IncomingEvent(f"ev-{i}-{n}", "printer.status", at, {"state": "ready", "detail": ""})
        for n in range(20)
    ]


def _timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    answer = session.get(url, timeout=60)
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed


def _measure(url: str, tokens: list[str]) -> list[Figure]:
    session = requests.Session()
    login = session.post(f"{url}/console/login", data={"name": OPERATOR, "password": PASSWORD}, timeout=60)
    assert login.ok and "kiosk-0001" in login.text, "the bench operator could not log in"
    assert len(re.findall(r"data-device=", login.text)) == KIOSKS
    figures = []
    for name, path in (
        (f"fleet table, {KIOSKS} kiosks", "/console/"),
        ("one kiosk's page", "/console/kiosks/kiosk-0250"),
        ("releases page (rollout status)", "/console/releases"),
    ):
        times = [_timed_get(session, f"{url}{path}") for _ in range(PAGES)]
        figures.append(Figure(f"{name}, median", round(median(times) * 1000, 1), "ms", "<= 500 ms"))
    figures.append(Figure("fleet table, bytes", len(session.get(f"{url}/console/").content), "B"))
    figures.extend(_heartbeats(url, tokens))
    return figures


def _heartbeats(url: str, tokens: list[str]) -> list[Figure]:
    """One heartbeat from each kiosk while the rollout runs (each reads the current rollout)."""
    session = requests.Session()
    latencies = []
    offered = 0
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        answer = session.post(f"{url}/api/v1/heartbeat", json={"app_version": "1.0.0"}, headers=headers)
        latencies.append(time.perf_counter() - started)
        offered += answer.json()["release"] is not None
    return [
        Figure(
            "heartbeat during a rollout, p50 (one client)", round(percentile(latencies, 50) * 1000, 2), "ms"
        ),
        Figure(f"kiosks offered the release (canary: 1 office of {len(SITES)})", offered, "kiosks"),
    ]
