"""Pushes the outbox to POST /events in batches of at most 500.

An event leaves the outbox only when the server names its id in `accepted`; ids it rejects are
kept, marked with the reason, and never sent again by this loop (invariant 2). No database lock
is held while waiting on the network, so the UI keeps issuing tickets."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from kiosk import outbox, store
from kiosk.errors import BadAnswer
from kiosk.protocol.events import MAX_EVENTS_PER_BATCH
from kiosk.sync.answers import parse_events
from kiosk.sync.client import API, ServerClient

BATCH = MAX_EVENTS_PER_BATCH  # the most the server takes in one request


@dataclass
class PushResult:
    accepted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    batches: int = 0
    wire_bytes: int = 0


def push_outbox(client: ServerClient, db: sqlite3.Connection, *, batch: int = BATCH) -> PushResult:
    """Send every pending event; raises `SyncError` (after keeping what was accepted so far)."""
    if not 0 < batch <= BATCH:
        raise ValueError(f"batch must be 1 to {BATCH}")
    result = PushResult()
    while events := outbox.pending(db, batch):
        sent = {e.id for e in events}
        reply = client.call("POST", f"{API}/events", body={"events": [e.to_json() for e in events]})
        accepted, rejected = parse_events(reply.data)
        taken = [i for i in dict.fromkeys(accepted) if i in sent]
        refused = [(i, r) for i, r in rejected if i in sent and i not in taken]
        with store.transaction(db):
            result.accepted += outbox.accepted(db, taken)
            for event_id, reason in refused:
                outbox.rejected(db, event_id, reason)
        result.rejected.extend(refused)
        result.batches += 1
        result.wire_bytes += reply.wire_bytes
        if not taken and not refused:
            # Neither accepted nor refused: sending the same batch again would loop forever.
            raise BadAnswer("events answer named none of the events sent")
    return result
