"""Checks against the central server through the real sync client: reachable (TLS verified as
the agent verifies it), the device token accepted, the local clock close to the server's."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from kiosk import config
from kiosk.doctor.base import Check, DoctorOptions, failed, passed, skipped
from kiosk.errors import BadAnswer, ConfigError, NotEnrolled, SyncError
from kiosk.sync import identity
from kiosk.sync.client import API, RetryPolicy, ServerClient, Timeouts

ENROLL_FIX = (
    "ask the operator for a code (kiosk-central enroll-code --site SITE) and run "
    "`kiosk enroll CODE --server URL` as the kiosk user"
)


def check_server_side(
    settings: config.Settings, db: sqlite3.Connection | None, state_dir: Path, options: DoctorOptions
) -> list[Check]:
    """server, token and clock, in that order; each later one needs the one before."""
    who = identity.identity(db, state_dir) if db is not None else None
    url = who.server_url if who else settings.server.url
    if not url:
        reason = "offline-only kiosk: server.url is empty and the kiosk is not enrolled"
        return [skipped(name, reason) for name in ("server", "token", "clock")]
    server, client = check_server(url, settings.server.ca_file, options)
    if client is None:
        return [server, *(skipped(name, "the server did not answer") for name in ("token", "clock"))]
    try:
        return [server, check_token(client, who), check_clock(client, options.max_clock_offset_s)]
    finally:
        client.close()


def check_server(url: str, ca_file: str, options: DoctorOptions) -> tuple[Check, ServerClient | None]:
    """GET /health, one try: the server answers, over verified TLS unless on this machine."""
    try:
        client = ServerClient(
            url,
            ca_file=ca_file,
            timeouts=Timeouts(options.server_connect_s, options.server_read_s, options.server_deadline_s),
            retry=RetryPolicy(attempts=1),
        )
    except ConfigError as exc:
        fix = "in /etc/kiosk/kiosk.toml set server.url to https://HOST, server.ca_file to a readable PEM file"
        return failed("server", str(exc), fix), None
    started = time.monotonic()
    try:
        reply = client.call("GET", f"{API}/health", auth=False, retries=False)
    except BadAnswer as exc:
        client.close()
        fix = f"something else answers at {url}: check server.url and any proxy in between"
        return failed("server", f"{url}: {exc}", fix), None
    except SyncError as exc:
        client.close()
        if "TLS" in str(exc):
            fix = (
                "the server's certificate is not trusted: check server.ca_file, the clock and the certificate"
            )
        else:
            fix = f"check the network (ip route, DNS) and that the server runs: curl {url}/api/v1/health"
        return failed("server", f"{url}: {exc}", fix), None
    elapsed_ms = (time.monotonic() - started) * 1000
    transport = "TLS verified" if url.startswith("https://") else "plain http (this machine only)"
    version = reply.data.get("version") if isinstance(reply.data, dict) else None
    detail = f"{url} answered in {elapsed_ms:.0f} ms, {transport}, server {version or 'version unknown'}"
    return passed("server", detail), client


def check_token(client: ServerClient, who: identity.Identity | None) -> Check:
    """An authenticated call (GET /config) is accepted with this kiosk's device token."""
    if who is None:
        return failed("token", "this kiosk is not enrolled (no device token)", ENROLL_FIX)
    client.token = who.token
    try:
        client.call("GET", f"{API}/config", retries=False)
    except NotEnrolled:
        detail = f"the server refused the token of {who.device_id}: revoked, or enrolled again elsewhere"
        return failed("token", detail, ENROLL_FIX)
    except SyncError as exc:
        return failed(
            "token",
            f"could not be checked: {exc}",
            "run kiosk doctor again; if it persists see `kiosk sync --once`",
        )
    return passed("token", f"accepted for {who.device_id}")


def check_clock(client: ServerClient, max_offset_s: float) -> Check:
    """The local clock against the server's Date header (middle of the exchange)."""
    offset = client.clock_offset_s
    if offset is None:
        return skipped("clock", "the server's answers carry no Date header")
    side = "behind" if offset > 0 else "ahead of"
    detail = f"{abs(offset):.1f} s {side} the server"
    if abs(offset) <= max_offset_s:
        return passed("clock", detail)
    fix = "turn on time sync: sudo timedatectl set-ntp true; `timedatectl` shows whether it is synchronised"
    return failed("clock", f"{detail} (more than {max_offset_s:g} s)", fix)
