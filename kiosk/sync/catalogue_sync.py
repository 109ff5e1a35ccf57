"""Catalogue sync: GET /catalogue?since=VERSION with the ETag of the catalogue in force.

The answer is handed whole to `kiosk.catalogue.apply_sync`, which validates all of it and applies
it in one transaction or raises and changes nothing (invariant 3): a truncated, malformed or
wrong answer never replaces a good catalogue. The ETag is kept with the version it belongs to,
so a catalogue replaced by other means (a file import) is never mistaken for the server's."""

from __future__ import annotations

import importlib
from types import ModuleType

import sqlite_utils

from kiosk import store
from kiosk.errors import BadAnswer, CatalogueError
from kiosk.sync.client import API, CATALOGUE_ANSWER_BYTES, ServerClient
from kiosk.sync.report import PartResult

ETAG = "sync.catalogue_etag"  # "VERSION ETAG"


def catalogue_module() -> ModuleType | None:
    """kiosk.catalogue when it offers the sync API (apply_sync, catalogue_version), else None."""
    try:
        module = importlib.import_module("kiosk.catalogue")
    except ImportError:
        return None
    if not all(hasattr(module, name) for name in ("apply_sync", "catalogue_version")):
        return None
    return module


def sync_catalogue(client: ServerClient, db: sqlite_utils.Database) -> PartResult:
    catalogue = catalogue_module()
    if catalogue is None:
        return PartResult("catalogue", True, "skipped: this build has no catalogue sync")
    current = catalogue.catalogue_version(db)
    etag = None
    path = f"{API}/catalogue"
    if current is not None:
        path += f"?since={current}"
        kept_version, _, kept_etag = (store.get_state(db, ETAG) or "").partition(" ")
        etag = kept_etag if kept_version == str(current) and kept_etag else None
    reply = client.call("GET", path, etag=etag, accept=(200, 404), limit=CATALOGUE_ANSWER_BYTES)
    figures = {"wire_bytes": reply.wire_bytes}
    if reply.status == 304:
        return PartResult("catalogue", True, f"version {current} is current", figures)
    if reply.status == 404:
        return PartResult("catalogue", True, "the server has published no catalogue yet", figures)
    try:
        version = catalogue.apply_sync(db, reply.data)
    except CatalogueError as exc:
        where = "; ".join(f"{p}: {m}" for p, m in exc.errors[:3])
        raise BadAnswer(
            f"catalogue answer refused, version {current} stays: {exc} {where}"
        ) from None
    if reply.etag:
        store.set_state(db, ETAG, f"{version} {reply.etag}")
    full = isinstance(reply.data, dict) and reply.data.get("full") is True
    figures.update(version=version, full=full)
    return PartResult(
        "catalogue", True, f"version {version} applied ({'full' if full else 'delta'})", figures
    )
