"""Settings pushed by the server (GET /config).

Only keys the server may set (config.SERVER_KEYS) are taken; any other key is ignored and
reported. The settings are checked against the packaged defaults and the site file exactly as
they would load; a set that fails is rejected whole, reported (a kiosk.error event and the
heartbeat's last_error) and the running settings stay. Accepted settings are written
atomically to server-settings.json, which the UI and the agent read as their third layer."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import config, outbox, store
from kiosk.sync.answers import parse_config
from kiosk.sync.client import API, ServerClient
from kiosk.sync.report import PartResult

ETAG = "sync.config_etag"
REJECTED_VERSION = "sync.config_rejected_version"


def split_server_keys(settings: dict[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """(the settings the server may set, the dotted keys it may not)."""
    allowed: dict[str, Any] = {}
    ignored: list[str] = []
    for key, value in settings.items():
        dotted = f"{prefix}{key}"
        if config.server_may_set(dotted):
            allowed[key] = value
        elif isinstance(value, dict) and any(k.startswith(dotted + ".") for k in config.SERVER_KEYS):
            inner, skipped = split_server_keys(value, dotted + ".")
            if inner:
                allowed[key] = inner
            ignored.extend(skipped)
        else:
            ignored.append(dotted)
    return allowed, ignored


def write_server_settings(state_dir: Path, version: int, settings: dict[str, Any]) -> None:
    """Replace server-settings.json atomically: a reader sees the old file or the new one."""
    path = state_dir / config.SERVER_SETTINGS_FILE
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"version": version, "settings": settings}, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def sync_config(
    client: ServerClient, db: sqlite3.Connection, state_dir: Path, base: config.Loaded | None
) -> PartResult:
    reply = client.call("GET", f"{API}/config", etag=store.get_state(db, ETAG))
    if reply.status == 304:
        rejected = store.get_state(db, REJECTED_VERSION)
        if rejected:
            return PartResult(
                "config",
                False,
                f"settings version {rejected} stays rejected; "
                "the running settings stay until the server sends a corrected one",
            )
        return PartResult("config", True, "unchanged")
    version, pushed = parse_config(reply.data)
    allowed, ignored = split_server_keys(pushed)
    problems = config.check_server_settings(allowed, base)
    note = f"; ignored keys the server may not set: {', '.join(ignored)}" if ignored else ""
    if problems:
        detail = f"settings version {version} rejected, the running settings stay: {problems[0]}{note}"
        _report_once(db, version, detail, reply.etag)
        return PartResult("config", False, detail, {"rejected_version": version})
    write_server_settings(state_dir, version, allowed)
    with store.transaction(db):
        if reply.etag:
            store.set_state(db, ETAG, reply.etag)
        db.execute("DELETE FROM device_state WHERE key = ?", [REJECTED_VERSION])
        if ignored:
            _event(db, f"settings version {version} applied{note}")
    return PartResult("config", True, f"settings version {version} applied{note}", {"version": version})


def _report_once(db: sqlite3.Connection, version: int, detail: str, etag: str | None) -> None:
    """Tell the server once per rejected version, and remember the ETag so the same answer is
    not fetched and judged again every heartbeat."""
    with store.transaction(db):
        if store.get_state(db, REJECTED_VERSION) != str(version):
            _event(db, detail)
        store.set_state(db, REJECTED_VERSION, str(version))
        if etag:
            store.set_state(db, ETAG, etag)


def _event(db: sqlite3.Connection, detail: str) -> None:
    outbox.add(db, "kiosk.error", {"detail": detail[:1000]}, datetime.now().astimezone())
