"""Live questions the UI asks the server while a citizen waits: a dossier's status and the queue
figures. Called from a worker thread with short timeouts and no retries; the answer is a value
or a failure kind the screen can word, never an exception and never a stale figure.

    lookup = ServerLookups.from_state(settings, db, state_dir)   # once, in app.py
    result = lookup.dossier("000.00.06.H56-231027-0361")          # on a worker thread
    if isinstance(result, DossierResult): show it
    else: word the LookupFailure (offline, unknown, not enrolled, invalid code)
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kiosk import config
from kiosk.errors import BadAnswer, NotEnrolled, SyncError
from kiosk.protocol.dossiers import DOSSIER_STATUSES
from kiosk.sync import identity
from kiosk.sync.answers import Shape
from kiosk.sync.client import API, RetryPolicy, ServerClient, Timeouts

log = logging.getLogger("kiosk.sync")
# A citizen is looking at the screen: a few seconds, one try.
LOOKUP_TIMEOUTS = Timeouts(connect_s=3.0, read_s=5.0, deadline_s=8.0)
MAX_CODE_LENGTH = 100


class LookupFailure(enum.Enum):
    OFFLINE = "offline"  # no answer, or a broken one: try again later
    UNKNOWN = "unknown"  # the server has no dossier with this code
    NOT_ENROLLED = "not_enrolled"  # this kiosk has no valid token
    INVALID_CODE = "invalid_code"  # empty or far too long; nothing was asked


@dataclass(frozen=True)
class DossierResult:
    code: str
    procedure: str
    applicant: str  # already masked by the server, e.g. "Nguyễn V*** A"
    received_at: str
    due_at: str | None
    status: str
    late: bool


@dataclass(frozen=True)
class ServiceQueue:
    id: str
    waiting: int
    serving: str | None
    avg_service_s: int | None


@dataclass(frozen=True)
class QueueStatus:
    at: str
    services: tuple[ServiceQueue, ...]


class ServerLookups:
    def __init__(self, client: ServerClient | None) -> None:
        self._client = client

    @classmethod
    def from_state(
        cls,
        settings: config.Settings,
        db: sqlite3.Connection,
        state_dir: Path,
        timeouts: Timeouts = LOOKUP_TIMEOUTS,
    ) -> ServerLookups:
        """Lookups for the server this kiosk enrolled with (all NOT_ENROLLED if none)."""
        who = identity.identity(db, state_dir)
        if who is None:
            return cls(None)
        client = ServerClient(
            who.server_url,
            who.token,
            ca_file=settings.server.ca_file,
            timeouts=timeouts,
            retry=RetryPolicy(attempts=1),
        )
        return cls(client)

    def dossier(self, code: str) -> DossierResult | LookupFailure:
        code = code.strip()
        if not code or len(code) > MAX_CODE_LENGTH:
            return LookupFailure.INVALID_CODE
        if self._client is None:
            return LookupFailure.NOT_ENROLLED
        try:
            reply = self._client.call(
                "GET", f"{API}/dossiers/{quote(code, safe='')}", accept=(200, 404), retries=False
            )
            if reply.status == 404:
                return LookupFailure.UNKNOWN
            return _dossier(reply.data)
        except NotEnrolled:
            return LookupFailure.NOT_ENROLLED
        except SyncError as exc:
            log.warning("dossier lookup failed: %s", exc)
            return LookupFailure.OFFLINE

    def queue(self) -> QueueStatus | LookupFailure:
        """The site's queue figures now; a failure (never old figures) when they cannot be had."""
        if self._client is None:
            return LookupFailure.NOT_ENROLLED
        try:
            return _queue(self._client.call("GET", f"{API}/queue", retries=False).data)
        except NotEnrolled:
            return LookupFailure.NOT_ENROLLED
        except SyncError as exc:
            log.warning("queue lookup failed: %s", exc)
            return LookupFailure.OFFLINE

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _dossier(data: Any) -> DossierResult:
    shape = Shape("dossier", data)
    d = shape.data
    status = shape.text(d, "status")
    if status not in DOSSIER_STATUSES:
        raise BadAnswer(f"dossier answer: $.status {status!r} is not a known status")
    return DossierResult(
        code=shape.text(d, "code"),
        procedure=shape.text(d, "procedure"),
        applicant=shape.text(d, "applicant"),
        received_at=shape.text(d, "received_at"),
        due_at=shape.get(d, "due_at", str, "$", optional=True),
        status=status,
        late=shape.get(d, "late", bool, "$"),
    )


def _queue(data: Any) -> QueueStatus:
    shape = Shape("queue", data)
    services = []
    for i, item in enumerate(shape.get(shape.data, "services", list, "$")):
        path = f"$.services[{i}]"
        obj = shape.object(item, path)
        services.append(
            ServiceQueue(
                id=shape.text(obj, "id", path),
                waiting=shape.get(obj, "waiting", int, path),
                serving=shape.get(obj, "serving", str, path, optional=True),
                avg_service_s=shape.get(obj, "avg_service_s", int, path, optional=True),
            )
        )
    return QueueStatus(at=shape.text(shape.data, "at"), services=tuple(services))
