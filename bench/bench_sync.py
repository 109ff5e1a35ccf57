"""Sync against the real central server (its own process, `kiosk-central serve`, on loopback):
a full catalogue sync of 6,000 procedures, a delta of 10 changed procedures, flushing 10,000
queued events, and the heartbeats per second the server sustains from 500 simulated kiosks."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench import Figure, percentile
from bench.bench_catalogue import generate
from central.auth import hash_secret, new_token
from central.store.contract import Site
from central.store.sqlite import SQLiteStore
from kiosk import outbox, store
from kiosk.sync.catalogue_sync import sync_catalogue
from kiosk.sync.client import ServerClient
from kiosk.sync.enrollment import enroll
from kiosk.sync.identity import load_token
from kiosk.sync.outbox_push import push_outbox

PROCEDURES = 6_000
CHANGED = 10
EVENTS = 10_000
KIOSKS = 500
CONNECTIONS = 50  # heartbeats in flight at once; each connection speaks for 10 kiosks
HEARTBEATS = 10_000
ADMIN = "bench-admin-token-0123456789"
SITE = Site("me-linh-xa", "UBND xã Mê Linh", "Asia/Ho_Chi_Minh")


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        tokens = _prepare_database(root / "central.db")
        server = _start_server(root)
        try:
            return _measure(server, root, tokens)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _prepare_database(path: Path) -> list[str]:
    """The site, an operator token and 500 enrolled kiosks (their device tokens)."""
    central = SQLiteStore(path)
    now = datetime.now(UTC)
    central.add_admin_token(hash_secret(ADMIN), "bench", now)
    central.put_site(SITE)
    tokens = []
    for i in range(KIOSKS):
        code, token = f"BENCH{i:05d}", new_token()
        central.add_enrollment_code(hash_secret(code), SITE.id, now.replace(year=now.year + 1))
        central.enroll(hash_secret(code), f"sim-{i}", "0.1.0", hash_secret(token), now)
        tokens.append(token)
    central.close()
    return tokens


def _start_server(root: Path) -> subprocess.Popen[bytes]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "central",
            "serve",
            "--db",
            str(root / "central.db"),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    give_up = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{process.url}/api/v1/health", timeout=1)  # type: ignore[attr-defined]
            return process
        except requests.ConnectionError:
            if time.monotonic() > give_up or process.poll() is not None:
                raise RuntimeError("the central server did not start") from None
            time.sleep(0.1)


def _admin(url: str, method: str, path: str, body: Any) -> Any:
    answer = requests.request(
        method,
        f"{url}/api/v1/admin{path}",
        json=body,
        timeout=300,
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    answer.raise_for_status()
    return answer.json()


def _measure(server: subprocess.Popen[bytes], root: Path, tokens: list[str]) -> list[Figure]:
    url: str = server.url  # type: ignore[attr-defined]
    v1 = generate(PROCEDURES)
    _admin(url, "POST", "/catalogue", v1)
    state = root / "kiosk"
    db = store.open_state(state)
    code = _admin(url, "POST", "/enrollment-codes", {"site": SITE.id})["code"]
    enroll(db, state, url, code)
    client = ServerClient(url, load_token(state))
    figures = _catalogue_figures(url, client, db, v1)
    figures.append(_flush_figure(client, db))
    figures.extend(asyncio.run(_heartbeat_figures(url, tokens)))
    client.close()
    db.close()
    return figures


def _catalogue_figures(url: str, client: ServerClient, db: Any, v1: dict[str, Any]) -> list[Figure]:
    started = time.perf_counter()
    full = sync_catalogue(client, db)
    full_s = time.perf_counter() - started
    assert full.ok and full.figures["full"], full.detail
    v2 = copy.deepcopy(v1)
    v2["version"] = 2
    for proc in v2["procedures"][:: PROCEDURES // CHANGED][:CHANGED]:
        proc["name"] += " (sửa đổi)"
    _admin(url, "POST", "/catalogue", v2)
    delta = sync_catalogue(client, db)
    assert delta.ok and delta.figures["full"] is False, delta.detail
    full_bytes, delta_bytes = full.figures["wire_bytes"], delta.figures["wire_bytes"]
    return [
        Figure(f"full catalogue sync, {PROCEDURES:,} procedures", round(full_s, 2), "s"),
        Figure("full catalogue sync, bytes on the wire (gzip)", full_bytes, "B"),
        Figure(f"delta of {CHANGED} changed procedures, bytes on the wire", delta_bytes, "B"),
        Figure("delta / full", round(100 * delta_bytes / full_bytes, 3), "%", "<= 2 %"),
    ]


def _flush_figure(client: ServerClient, db: Any) -> Figure:
    at = datetime.now().astimezone()
    with store.transaction(db):
        for n in range(EVENTS):
            data = {
                "ticket": f"A{n % 1000:03d}",
                "service": "A",
                "number": n % 1000,
                "day": at.date().isoformat(),
                "priority": None,
                "issued_at": at.isoformat(),
            }
            outbox.add(db, "ticket.issued", data, at)
    started = time.perf_counter()
    pushed = push_outbox(client, db)
    seconds = time.perf_counter() - started
    assert pushed.accepted == EVENTS and outbox.counts(db)["pending"] == 0
    return Figure(f"flush {EVENTS:,} queued events ({pushed.batches} batches)", round(seconds, 2), "s")


async def _heartbeat_figures(url: str, tokens: list[str]) -> list[Figure]:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    per_connection = HEARTBEATS // CONNECTIONS
    groups = [tokens[i::CONNECTIONS] for i in range(CONNECTIONS)]
    started = time.perf_counter()
    await asyncio.gather(*(_beat(host, int(port), g, per_connection, latencies) for g in groups))
    elapsed = time.perf_counter() - started
    return [
        Figure(
            f"heartbeats/s, {KIOSKS} kiosks, {CONNECTIONS} in flight",
            round(len(latencies) / elapsed),
            "/s",
            ">= 500/s",
        ),
        Figure("heartbeat latency p50", round(percentile(latencies, 50) * 1000, 1), "ms"),
        Figure("heartbeat latency p99", round(percentile(latencies, 99) * 1000, 1), "ms"),
    ]


async def _beat(host: str, port: int, tokens: list[str], count: int, latencies: list[float]) -> None:
    """One keep-alive connection sending heartbeats for its kiosks in turn (raw HTTP/1.1, so
    the client costs little next to the server being measured)."""
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps(
        {
            "app_version": "0.1.0",
            "catalogue_version": 2,
            "config_version": 0,
            "uptime_s": 3600,
            "clock": datetime.now().astimezone().isoformat(),
            "clock_offset_s": 0.0,
            "printer": {"state": "ready", "detail": ""},
            "outbox_pending": 0,
            "disk_free_mb": 5120,
            "ui_healthy": True,
            "last_error": None,
        }
    ).encode()
    for i in range(count):
        request = (
            f"POST /api/v1/heartbeat HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {tokens[i % len(tokens)]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"heartbeat refused: {head[:40]!r}")
    writer.close()
