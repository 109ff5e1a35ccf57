"""The two stores side by side (`python -m bench stores`): 5,000 simulated kiosks heartbeating
and pushing events against `kiosk-central serve` on SQLite (one instance), and on PostgreSQL
with one and with two instances (the kiosks' connections split between them, as a load
balancer would); then `kiosk-central store copy` of 1,000 devices and 1 million events, its
time and peak memory beside a copy a tenth the size (memory should not grow with size).

Everything on loopback, PostgreSQL started for the run from Debian's package (initdb, pg_ctl)
in a temporary directory. Figures are printed, never asserted."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench import Figure, percentile
from bench.bench_sync import ADMIN, SITE
from central.auth import hash_secret
from central.store.open import open_store
from tests.central_instances import start_instance
from tests.fixtures_postgres import start_postgres

KIOSKS = 5_000
CONNECTIONS = 100  # requests in flight; each connection speaks for 50 kiosks in turn
REQUESTS = 12_000  # per configuration: 4 heartbeats to 1 batch of events
EVENTS_PER_BATCH = 10
COPY_DEVICES = 1_000
COPY_EVENTS = 1_000_000


def run() -> list[Figure]:
    # The server runs as the postgres user: its directory must not be inside a private one.
    pg_root = Path(tempfile.mkdtemp(prefix="kiosk-bench-pg-"))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        postgres = start_postgres(pg_root)
        try:
            figures = _load_figures(root, postgres)
            figures += _copy_figures(root, postgres)
            return figures
        finally:
            postgres.stop("fast")
            shutil.rmtree(pg_root, ignore_errors=True)


def _load_figures(root: Path, postgres: object) -> list[Figure]:
    sqlite_url = f"sqlite:///{root / 'central.db'}"
    tokens = _enrol(sqlite_url)
    pg_url = postgres.database("bench")  # type: ignore[attr-defined]
    _copy(root / "central.db", pg_url)  # the same fleet, moved as an operator would
    figures: list[Figure] = []
    for label, url, count in (("SQLite, 1 instance", sqlite_url, 1), ("PostgreSQL, 1 instance", pg_url, 1),
                              ("PostgreSQL, 2 instances", pg_url, 2)):  # fmt: skip
        figures += _measure(label, url, count, root, tokens)
    return figures


def _enrol(url: str) -> list[str]:
    store = open_store(url)
    now = datetime.now(UTC)
    store.put_site(SITE)
    store.add_admin_token(hash_secret(ADMIN), "bench", now)
    tokens = []
    db: sqlite3.Connection = store._db()  # type: ignore[attr-defined]
    db.execute("PRAGMA synchronous = OFF")  # setting up, not measuring
    for n in range(KIOSKS):
        code, token = f"code-{n}", uuid.uuid4().hex
        store.add_enrollment_code(hash_secret(code), SITE.id, datetime(2099, 1, 1, tzinfo=UTC))
        store.enroll(hash_secret(code), f"rpi-{n:05d}", "0.1.0", hash_secret(token), now)
        tokens.append(token)
    store.close()
    return tokens


def _copy(source: Path, target: str, log: Path | None = None) -> tuple[float, float]:
    """`kiosk-central store copy` in its own process: (seconds, peak resident MB)."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _COPY_AND_REPORT,
            "store",
            "copy",
            "--from",
            f"sqlite:///{source}",
            "--to",
            target,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, int(done.stderr.strip().splitlines()[-1]) / 1024


# `kiosk-central …`, then its own peak resident memory (kB) on standard error.
_COPY_AND_REPORT = (
    "import resource, sys\nfrom central.cli import main\ncode = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(code)"
)


def _measure(label: str, url: str, count: int, root: Path, tokens: list[str]) -> list[Figure]:
    token_file = root / "admin-token"
    token_file.write_text(ADMIN)
    releases = root / "releases"
    releases.mkdir(exist_ok=True)
    instances = [
        start_instance(url, releases, token_file, root / f"{label[:6]}-{n}.log") for n in range(count)
    ]
    try:
        ports = [int(i.url.rsplit(":", 1)[1]) for i in instances]
        beats, batches, elapsed = asyncio.run(_load(ports, tokens))
    finally:
        for instance in instances:
            instance.stop()
    hb_rate, ev_rate = round(len(beats) / elapsed), round(len(batches) * EVENTS_PER_BATCH / elapsed)
    return [
        Figure(
            f"{label}: heartbeats/s, {KIOSKS} kiosks, {CONNECTIONS} in flight",
            hb_rate,
            "/s",
            ">= 2,000/s (2 PG)",
        ),
        Figure(f"{label}: events/s (batches of {EVENTS_PER_BATCH})", ev_rate, "/s"),
        Figure(f"{label}: heartbeat p50 / p99", _p50_p99(beats), "ms", "p99 <= 100 ms"),
        Figure(f"{label}: events p50 / p99", _p50_p99(batches), "ms"),
    ]


def _p50_p99(latencies: list[float]) -> str:
    return f"{percentile(latencies, 50) * 1000:.1f} / {percentile(latencies, 99) * 1000:.1f}"


async def _load(ports: list[int], tokens: list[str]) -> tuple[list[float], list[float], float]:
    beats: list[float] = []
    batches: list[float] = []
    groups = [tokens[i::CONNECTIONS] for i in range(CONNECTIONS)]
    per_connection = REQUESTS // CONNECTIONS
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _kiosks(ports[n % len(ports)], group, per_connection, beats, batches)
            for n, group in enumerate(groups)
        )
    )
    return beats, batches, time.perf_counter() - started


_BEAT = json.dumps(
    {"app_version": "0.1.0", "catalogue_version": None, "config_version": 0, "uptime_s": 3600,
     "printer": {"state": "ready", "detail": ""}, "outbox_pending": 0, "ui_healthy": True}
).encode()  # fmt: skip


def _events_body() -> bytes:
    at = datetime.now(UTC).isoformat()
    events = [{"id": str(uuid.uuid4()), "type": "kiosk.error", "at": at, "data": {"detail": "bench"}}
              for _ in range(EVENTS_PER_BATCH)]  # fmt: skip
    return json.dumps({"events": events}).encode()


async def _kiosks(port: int, tokens: list[str], count: int, beats: list[float], batches: list[float]) -> None:
    """One keep-alive connection speaking for its kiosks in turn: four heartbeats, then a batch
    of events (raw HTTP/1.1, so the client costs little next to the servers measured)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(count):
        events = i % 5 == 4
        body, path = (_events_body(), "events") if events else (_BEAT, "heartbeat")
        request = (
            f"POST /api/v1/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {tokens[i % len(tokens)]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        (batches if events else beats).append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"{path} refused: {head[:40]!r}")
    writer.close()


def _copy_figures(root: Path, postgres: object) -> list[Figure]:
    figures = []
    for events in (COPY_EVENTS // 10, COPY_EVENTS):
        source = root / f"fleet-{events}.db"
        _fleet(source, events)
        seconds, peak_mb = _copy(source, postgres.database("copy"))  # type: ignore[attr-defined]
        what = f"store copy, {COPY_DEVICES:,} devices and {events:,} events"
        goal = "<= 120 s" if events == COPY_EVENTS else ""
        figures += [
            Figure(f"{what}: time", round(seconds, 1), "s", goal),
            Figure(f"{what}: peak memory of the copying process", round(peak_mb), "MB", "flat with size"),
        ]
    return figures


def _fleet(path: Path, events: int) -> None:
    """A SQLite store with COPY_DEVICES devices and `events` events, written straight into the
    tables (the store's own API would take an fsync per call)."""
    open_store(f"sqlite:///{path}").close()
    db = sqlite3.connect(path)
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    with db:
        db.execute("PRAGMA synchronous = OFF")
        db.execute(
            "INSERT INTO sites (id, name, timezone) VALUES (?, ?, ?)", [SITE.id, SITE.name, SITE.timezone]
        )
        db.executemany(
            "INSERT INTO devices (id, site_id, hardware_id, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)",
            [(f"kiosk-{n:04d}", SITE.id, f"rpi-{n}", uuid.uuid4().hex, now) for n in range(COPY_DEVICES)],
        )
        data = json.dumps({"ticket": "A012", "service": "A", "number": 12, "day": "2026-11-28"})
        db.executemany(
            "INSERT INTO events (id, device_id, site_id, type, at, data, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((uuid.uuid4().hex, f"kiosk-{n % COPY_DEVICES:04d}", SITE.id, "ticket.issued", now, data, now)
             for n in range(events)),
        )  # fmt: skip
    db.close()
