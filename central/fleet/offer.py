"""Which release a device should run: the hook the heartbeat answer's `release` field comes from.

It answers from the current staged rollout (central/fleet/rollouts.py); with no rollout targeting the
device the answer is None and the kiosk stays on its version."""

from __future__ import annotations

from typing import Any

from central.context import Central
from central.fleet import rollouts
from central.store.contract import Device, HeartbeatView


def release_for_device(
    ctx: Central, device: Device, heartbeat: dict[str, Any], view: HeartbeatView | None = None
) -> str | None:
    """The version the device should install, or None to stay where it is; from `view` (what
    the heartbeat's own store call read) when given, else asking the store."""
    if view is None:
        return rollouts.release_for(ctx.store, device.id, device.site_id, _app_version(heartbeat))
    return rollouts.offered(
        view.rollout, view.rollout_result, device.id, device.site_id, _app_version(heartbeat)
    )


def _app_version(heartbeat: dict[str, Any]) -> str | None:
    app_version = heartbeat.get("app_version")
    return app_version if isinstance(app_version, str) else None
