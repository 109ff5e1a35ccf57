"""Which release a device should run: the hook the heartbeat answer's `release` field comes from.

Fleet updates (staged rollouts, canaries, halting on failures) fill this in; until a rollout
targets a device the answer is None and the kiosk stays on its version."""

from __future__ import annotations

from typing import Any

from central.context import Central
from central.storage import Device


def release_for_device(ctx: Central, device: Device, heartbeat: dict[str, Any]) -> str | None:
    """The version the device should install, or None to stay where it is."""
    return None
