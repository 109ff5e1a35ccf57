"""Who this kiosk is to the server: its hardware id, its device token (a file of mode 0600 in the
state directory, never logged), and `enroll`, which trades an enrollment code for a token."""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from kiosk import __version__, store
from kiosk.errors import SyncError
from kiosk.sync.answers import EnrollAnswer, parse_enroll
from kiosk.sync.client import API, DEFAULT_TIMEOUTS, ServerClient, Timeouts, check_server_url

TOKEN_FILE = "device-token"
HARDWARE_ID_FILE = "hardware-id"
# device_state keys written here and read by the agent and the technician screen.
DEVICE_ID = "sync.device_id"
SITE_ID = "sync.site_id"
SITE_NAME = "sync.site_name"
SERVER_URL = "sync.server_url"
NOT_ENROLLED = "sync.not_enrolled"


@dataclass(frozen=True)
class Identity:
    server_url: str
    token: str
    device_id: str


def token_path(state_dir: Path) -> Path:
    return state_dir / TOKEN_FILE


def load_token(state_dir: Path) -> str | None:
    try:
        token = token_path(state_dir).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return token or None


def save_token(state_dir: Path, token: str) -> None:
    """Write the token atomically, readable by this user only, before anything else knows it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = token_path(state_dir).with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, token.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, token_path(state_dir))


def hardware_id(state_dir: Path) -> str:
    """A stable id for this machine: the Raspberry Pi serial, else /etc/machine-id, else a
    random id kept in the state directory."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
        match = re.search(r"^Serial\s*:\s*([0-9a-fA-F]{8,})\s*$", cpuinfo, re.MULTILINE)
        if match and set(match.group(1)) != {"0"}:
            return f"rpi-{match.group(1).lower()}"
    except OSError:
        pass
    try:
        machine = Path("/etc/machine-id").read_text(encoding="ascii").strip()
        if machine:
            return f"mid-{machine[:32]}"
    except (OSError, UnicodeDecodeError):
        pass
    kept = state_dir / HARDWARE_ID_FILE
    if kept.exists():
        return kept.read_text(encoding="ascii").strip()
    made = f"gen-{uuid.uuid4().hex}"
    kept.write_text(made, encoding="ascii")
    return made


def identity(db: sqlite3.Connection, state_dir: Path) -> Identity | None:
    """The server, token and device id this kiosk enrolled with; None when not enrolled."""
    token = load_token(state_dir)
    url = store.get_state(db, SERVER_URL)
    device = store.get_state(db, DEVICE_ID)
    if not (token and url and device):
        return None
    return Identity(server_url=url, token=token, device_id=device)


def enroll(
    db: sqlite3.Connection,
    state_dir: Path,
    server_url: str,
    code: str,
    *,
    ca_file: str = "",
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> EnrollAnswer:
    """Enroll with a single-use code. The token is saved first, then the device facts, so a
    crash in between leaves a kiosk that can still prove who it is."""
    url = check_server_url(server_url)
    client = ServerClient(url, ca_file=ca_file, timeouts=timeouts)
    try:
        body = {
            "enrollment_code": code.strip(),
            "hardware_id": hardware_id(state_dir),
            "app_version": __version__,
        }
        reply = client.call("POST", f"{API}/enroll", body=body, accept=(201,), auth=False, retries=False)
    except SyncError as exc:
        raise SyncError(f"enrollment failed: {exc}") from None
    finally:
        client.close()
    answer = parse_enroll(reply.data)
    save_token(state_dir, answer.token)
    with store.transaction(db):
        store.set_state(db, SERVER_URL, url)
        store.set_state(db, DEVICE_ID, answer.device_id)
        store.set_state(db, SITE_ID, answer.site_id)
        store.set_state(db, SITE_NAME, answer.site_name)
        db.execute("DELETE FROM device_state WHERE key = ?", [NOT_ENROLLED])
    return answer
