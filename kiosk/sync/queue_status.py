"""The server's queue figures for the kiosk: after each heartbeat the agent asks GET /queue and
stores the answer (queue.waiting reads it: people ahead, the wait, "Đang phục vụ: A012" on the
service picker, only while fresh). It also keeps the key of the tickets' phone links (the
SHA-256 of this kiosk's device token, never the token), which the UI needs to print the QR."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk import store
from kiosk.protocol.ticket_link import link_key
from kiosk.queue import waiting
from kiosk.sync.client import API, ServerClient
from kiosk.sync.identity import identity
from kiosk.sync.lookups import _queue
from kiosk.sync.report import PartResult

LINK_KEY = "ticket_link.key"


def fetch_queue_status(client: ServerClient, db: sqlite3.Connection, state_dir: Path) -> PartResult:
    data = client.call("GET", f"{API}/queue").data
    status = _queue(data)  # checked before it is kept
    waiting.save_server_status(db, data)
    who = identity(db, state_dir)
    if who is not None:
        key = link_key(who.token)
        if store.get_state(db, LINK_KEY) != key:
            store.set_state(db, LINK_KEY, key)
    serving = ", ".join(f"{s.id}:{s.serving}" for s in status.services if s.serving) or "nobody called yet"
    return PartResult("queue", True, f"{len(status.services)} services; serving {serving}")


def ticket_link_key(db: sqlite3.Connection) -> str | None:
    return store.get_state(db, LINK_KEY)
