"""Settings pushed to kiosks: one layer per site, one per device; the device layer wins key by
key (tables merge, lists and values replace). The version a kiosk sees is the newer of its two
layers' versions, both drawn from one server-wide counter, so it only ever grows."""

from __future__ import annotations

from typing import Any

from central.store.contract import CentralStore, Device


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def effective_config(store: CentralStore, device: Device) -> tuple[int, dict[str, Any]]:
    """(version, settings) for one device; (0, {}) when nothing was ever set."""
    site, own = store.config_layers(device.site_id, device.id)
    version = max(site.version if site else 0, own.version if own else 0)
    settings = merge(site.settings if site else {}, own.settings if own else {})
    return version, settings


def etag_of(version: int) -> str:
    return f'"config-{version}"'
