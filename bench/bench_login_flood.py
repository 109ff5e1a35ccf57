"""Heartbeats per second from 500 kiosks (50 in flight) against the real central server (its own
process, `kiosk-central serve`, on loopback), undisturbed and then beside a console login flood:
20 clients trying made-up names at 40 attempts/s in all, from one address, as issue 19 measured
it (before the fix: 2,670/s fell to 594/s). Goal: the flood costs at most 20 %."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import Figure, percentile
from bench.bench_sync import _beat, _prepare_database, _start_server

CONNECTIONS = 50
WARM_UP = 1_000
HEARTBEATS = 16_000  # per phase (about 6 s each)
FLOOD_CLIENTS = 20
FLOOD_RATE = 40.0  # login attempts per second, all clients together
MAX_ATTEMPTS = 200  # per client: the flood ends with the heartbeats, or after this many


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        tokens = _prepare_database(root / "central.db")
        server = _start_server(root)
        try:
            url: str = server.url  # type: ignore[attr-defined]
            return asyncio.run(_measure(url, tokens))
        finally:
            server.terminate()
            server.wait(timeout=30)


async def _measure(url: str, tokens: list[str]) -> list[Figure]:
    host, port_s = url.removeprefix("http://").split(":")
    port = int(port_s)
    await _heartbeats(host, port, tokens, WARM_UP)
    quiet_rate, quiet = await _heartbeats(host, port, tokens, HEARTBEATS)
    stop = asyncio.Event()
    answers: Counter[int] = Counter()
    flood = [asyncio.create_task(_flood(host, port, i, stop, answers)) for i in range(FLOOD_CLIENTS)]
    flooded_rate, flooded = await _heartbeats(host, port, tokens, HEARTBEATS)
    stop.set()
    await asyncio.gather(*flood)
    cost = 100 * (quiet_rate - flooded_rate) / quiet_rate
    return [
        Figure("heartbeats/s, undisturbed", round(quiet_rate), "/s"),
        Figure(
            f"heartbeats/s, beside {FLOOD_RATE:.0f} logins/s from {FLOOD_CLIENTS}", round(flooded_rate), "/s"
        ),
        Figure("heartbeats lost to the flood", round(cost, 1), "%", "<= 20 %"),
        Figure("heartbeat p99, undisturbed", round(percentile(quiet, 99) * 1000, 1), "ms"),
        Figure("heartbeat p99, beside the flood", round(percentile(flooded, 99) * 1000, 1), "ms"),
        Figure("login attempts sent", sum(answers.values()), ""),
        Figure("logins whose password was checked (401)", answers[401], "", "<= 20 per address"),
        Figure("logins refused before any check (429)", answers[429], ""),
    ]


async def _heartbeats(host: str, port: int, tokens: list[str], total: int) -> tuple[float, list[float]]:
    """(heartbeats per second, latencies) of `total` heartbeats over CONNECTIONS connections."""
    latencies: list[float] = []
    groups = [tokens[i::CONNECTIONS] for i in range(CONNECTIONS)]
    started = time.perf_counter()
    await asyncio.gather(*(_beat(host, port, g, total // CONNECTIONS, latencies) for g in groups))
    return len(latencies) / (time.perf_counter() - started), latencies


async def _flood(host: str, port: int, client: int, stop: asyncio.Event, answers: Counter[int]) -> None:
    """One client on one keep-alive connection: a made-up name every FLOOD_CLIENTS / FLOOD_RATE
    seconds, the clients spread evenly over that interval."""
    interval = FLOOD_CLIENTS / FLOOD_RATE
    reader, writer = await asyncio.open_connection(host, port)
    start = time.perf_counter() + client * interval / FLOOD_CLIENTS
    for n in range(MAX_ATTEMPTS):
        delay = start + n * interval - time.perf_counter()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            break
        answers[await _login(reader, writer, host, f"khach-{client}-{secrets.token_hex(4)}")] += 1
    writer.close()


async def _login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, name: str) -> int:
    body = f"name={name}&password=mat-khau-doan-bua&next=%2Fconsole%2F".encode()
    writer.write(
        (
            f"POST /console/login HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])
