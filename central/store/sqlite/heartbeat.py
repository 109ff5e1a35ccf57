"""The heartbeat's store work on SQLite: its single-purpose calls one after another (each a
local read, no round trip to save)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from central.store.contract import CentralStore, Device, HeartbeatView
from central.store.heartbeat import compose_heartbeat
from central.store.sqlite.base import SQLiteBase


class HeartbeatPart(SQLiteBase):
    def heartbeat(
        self, token_hash: str, heartbeat: dict[str, Any], at: datetime
    ) -> tuple[Device, HeartbeatView] | None:
        return compose_heartbeat(cast(CentralStore, self), token_hash, heartbeat, at)
