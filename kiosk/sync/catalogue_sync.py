"""Catalogue sync: GET /catalogue?since=VERSION with the ETag of the catalogue in force.

The answer is handed whole to `catalogue_store.apply_sync`, which validates all of it and applies
it in one transaction or raises and changes nothing (invariant 3): a truncated, malformed or
wrong answer never replaces a good catalogue. The ETag is kept with the version it belongs to,
so a catalogue replaced by other means (a file import) is never mistaken for the server's."""

from __future__ import annotations

import sqlite3
from typing import Any

from kiosk import store
from kiosk.catalogue.store import apply_sync, catalogue_version, ensure_search_index
from kiosk.errors import BadAnswer, CatalogueError
from kiosk.sync.client import API, CATALOGUE_ANSWER_BYTES, ServerClient
from kiosk.sync.report import PartResult

ETAG = "sync.catalogue_etag"  # "VERSION ETAG"


def sync_catalogue(client: ServerClient, db: sqlite3.Connection) -> PartResult:
    current = catalogue_version(db)
    etag = None
    path = f"{API}/catalogue"
    if current is not None:
        path += f"?since={current}"
        kept_version, _, kept_etag = (store.get_state(db, ETAG) or "").partition(" ")
        etag = kept_etag if kept_version == str(current) and kept_etag else None
    ensure_search_index(db)  # an answer "not modified" must not leave stale search rows
    reply = client.call("GET", path, etag=etag, accept=(200, 404), limit=CATALOGUE_ANSWER_BYTES)
    figures: dict[str, Any] = {"wire_bytes": reply.wire_bytes}
    if reply.status == 404:
        return PartResult("catalogue", True, "the server has published no catalogue yet", figures)
    if reply.status == 304 or _same_version(reply.data, current):
        _keep_etag(db, current, reply.etag)
        return PartResult("catalogue", True, f"version {current} is current", figures)
    offered = reply.data.get("version") if isinstance(reply.data, dict) else None
    if isinstance(offered, int) and current is not None and offered < current:
        # A newer catalogue was imported here by hand: keep it, say so once, ask with its ETag.
        _keep_etag(db, current, reply.etag)
        detail = f"the server offers version {offered}, older than this kiosk's {current}; kept {current}"
        return PartResult("catalogue", False, detail, figures)
    try:
        version = apply_sync(db, reply.data)
    except CatalogueError as exc:
        where = "; ".join(f"{p}: {m}" for p, m in exc.errors[:3])
        raise BadAnswer(f"catalogue answer refused, version {current} stays: {exc}: {where}") from None
    _keep_etag(db, version, reply.etag)
    full = reply.data.get("full") is True
    figures.update(version=version, full=full)
    kind = "in full" if full else "as a delta"
    return PartResult("catalogue", True, f"version {version} applied {kind}", figures)


def _same_version(answer: Any, current: int | None) -> bool:
    """An answer for the version already here (no ETag was kept): nothing to apply."""
    return isinstance(answer, dict) and current is not None and answer.get("version") == current


def _keep_etag(db: sqlite3.Connection, version: int | None, etag: str | None) -> None:
    if version is not None and etag:
        store.set_state(db, ETAG, f"{version} {etag}")
