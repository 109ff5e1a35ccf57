"""A heartbeat's store work made of the store's single-purpose calls, for a store where each
call is cheap (SQLite: a local file, no round trip). PostgreSQL does the same work in one
statement (central/store/postgres/heartbeat.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.store.contract import CentralStore, Device, HeartbeatView


def compose_heartbeat(
    store: CentralStore, token_hash: str, heartbeat: dict[str, Any], at: datetime
) -> tuple[Device, HeartbeatView] | None:
    device = store.device_by_token(token_hash)
    if device is None:
        return None
    store.record_heartbeat(device.id, heartbeat, at)
    site, own = store.config_layers(device.site_id, device.id)
    head = store.catalogue_head()
    rollout = store.current_rollout()
    results = store.rollout_results(rollout.id, device.id, limit=1) if rollout else []
    return device, HeartbeatView(
        config_version=max(site.version if site else 0, own.version if own else 0),
        catalogue_version=head.version if head else None,
        rollout=rollout,
        rollout_result=results[0] if results else None,
        commands=store.pending_commands(device.id),
    )
