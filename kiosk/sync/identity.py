"""Who this kiosk is to the server: its hardware id, its device token (a file of mode 0600 in the
state directory, never logged) and the facts enrolment recorded. Local reads and writes only:
the UI reads them too (the technician screen, the dossier lookup); trading a code for a token
over the network is kiosk/sync/enrollment.py's, the agent's."""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from kiosk import store

TOKEN_FILE = "device-token"
HARDWARE_ID_FILE = "hardware-id"
# device_state keys written by enrolment and read by the agent and the technician screen.
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
