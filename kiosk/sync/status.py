"""The sync state at a glance, for the technician screen and `kiosk sync status`: read-only,
local, instant (no network)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk import config, outbox, store
from kiosk.catalogue.store import catalogue_version
from kiosk.queue.numbering import CLOCK_OFFSET_KEY
from kiosk.sync import identity
from kiosk.sync.report import LAST_ERROR

PARTS = ("outbox", "heartbeat", "config", "catalogue")


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    not_enrolled_reason: str | None
    device_id: str | None
    site_name: str | None
    server_url: str | None
    clock_offset_s: float | None
    outbox_pending: int
    outbox_rejected: int
    config_version: int | None
    catalogue_version: int | None
    last_error: str | None
    parts: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def applied_config_version(state_dir: Path) -> int | None:
    """The version of the server settings in force (server-settings.json), None if none."""
    try:
        data = json.loads((state_dir / config.SERVER_SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def sync_status(db: sqlite3.Connection, state_dir: Path) -> SyncStatus:
    counts = outbox.counts(db)
    reason = store.get_state(db, identity.NOT_ENROLLED)
    offset = store.get_state(db, CLOCK_OFFSET_KEY)
    return SyncStatus(
        enrolled=identity.identity(db, state_dir) is not None and reason is None,
        not_enrolled_reason=reason,
        device_id=store.get_state(db, identity.DEVICE_ID),
        site_name=store.get_state(db, identity.SITE_NAME),
        server_url=store.get_state(db, identity.SERVER_URL),
        clock_offset_s=float(offset) if offset else None,
        outbox_pending=counts["pending"],
        outbox_rejected=counts["rejected"],
        config_version=applied_config_version(state_dir),
        catalogue_version=catalogue_version(db),
        last_error=store.get_state(db, LAST_ERROR),
        parts={
            part: {
                "ok_at": store.get_state(db, f"sync.{part}.ok_at"),
                "error": store.get_state(db, f"sync.{part}.error"),
            }
            for part in PARTS
        },
    )
