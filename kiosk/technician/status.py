"""What the technician status screen shows, gathered without Kivy: who the kiosk is, its
addresses, sync state, catalogue, clock and outbox (local and instant), and whether the server
answers (a network call with short timeouts, for the worker thread only)."""

from __future__ import annotations

import fcntl
import socket
import sqlite3
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk import __version__
from kiosk.errors import KioskError
from kiosk.sync.client import API, RetryPolicy, ServerClient, Timeouts
from kiosk.sync.status import sync_status

SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address
IF_INET6 = Path("/proc/net/if_inet6")
# A technician waits for this on the screen: a server that needs longer is as good as down.
REACH_TIMEOUTS = Timeouts(connect_s=3.0, read_s=3.0, deadline_s=5.0)


@dataclass(frozen=True)
class DeviceFacts:
    device_id: str | None
    site: str
    version: str
    addresses: tuple[str, ...]
    server_url: str | None
    enrolled: bool
    last_sync_at: str | None
    last_error: str | None
    catalogue_version: int | None
    catalogue_procedures: int
    catalogue_fields: int
    clock: datetime
    clock_offset_s: float | None
    outbox_pending: int
    outbox_rejected: int


@dataclass(frozen=True)
class Reachability:
    ok: bool
    detail: str  # the server's version when it answered, else why not


def gather(db: sqlite3.Connection, state_dir: Path, site: str, now: datetime) -> DeviceFacts:
    """Every local fact at once (reads only; no network)."""
    sync = sync_status(db, state_dir)
    times = [p["ok_at"] for p in sync.parts.values() if p.get("ok_at")]
    procedures, fields = catalogue_size(db)
    return DeviceFacts(
        device_id=sync.device_id,
        site=sync.site_name or site,
        version=__version__,
        addresses=tuple(ip_addresses()),
        server_url=sync.server_url,
        enrolled=sync.enrolled,
        last_sync_at=max(t for t in times if t) if times else None,
        last_error=sync.last_error,
        catalogue_version=sync.catalogue_version,
        catalogue_procedures=procedures,
        catalogue_fields=fields,
        clock=now,
        clock_offset_s=sync.clock_offset_s,
        outbox_pending=sync.outbox_pending,
        outbox_rejected=sync.outbox_rejected,
    )


def catalogue_size(db: sqlite3.Connection) -> tuple[int, int]:
    """(procedures, fields) in the local catalogue."""
    procedures = db.execute("SELECT COUNT(*) FROM catalogue_procedure").fetchone()[0]
    fields = db.execute("SELECT COUNT(*) FROM catalogue_field").fetchone()[0]
    return int(procedures), int(fields)


def ip_addresses() -> list[str]:
    """This machine's addresses other than loopback: IPv4 per interface, then global IPv6."""
    found = []
    for _index, name in socket.if_nameindex():
        address = _ipv4_of(name)
        if address and not address.startswith("127."):
            found.append(address)
    return found + _global_ipv6()


def _ipv4_of(interface: str) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, struct.pack("256s", interface[:15].encode()))
        except OSError:  # no IPv4 address on this interface (or it is down)
            return None
    return socket.inet_ntoa(packed[20:24])


def _global_ipv6() -> list[str]:
    try:
        lines = IF_INET6.read_text(encoding="ascii").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 4 and fields[3] == "00":  # scope 00 = global
            raw = bytes.fromhex(fields[0])
            found.append(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def check_server(url: str | None, ca_file: str = "") -> Reachability:
    """GET /health on the enrolled (or configured) server, once, within a few seconds."""
    if not url:
        return Reachability(False, "no server configured")
    try:
        client = ServerClient(url, ca_file=ca_file, timeouts=REACH_TIMEOUTS, retry=RetryPolicy(attempts=1))
    except KioskError as exc:
        return Reachability(False, str(exc))
    try:
        reply = client.call("GET", f"{API}/health", auth=False, retries=False)
    except KioskError as exc:
        return Reachability(False, str(exc))
    finally:
        client.close()
    version = reply.data.get("version", "") if isinstance(reply.data, dict) else ""
    return Reachability(True, str(version))
