"""Work the UI asks of the agent, because only the agent talks to the server for the kiosk: the
technician's "sync now" and "enrol" (the other way from kiosk/device/ui_commands.py).

The UI puts a request in (`ask`) and looks at it on its worker thread from the Kivy clock
(`progress`). The agent's watcher thread claims what is waiting every CLAIM_POLL_S (`claim`,
which takes the arguments and blanks them in the row: an enrolment code is kept no longer than
that and never logged), its loop runs it and writes the answer (`answer`). Who writes what:

- the UI: the row (`ask`), and `withdrawn_at` for one nobody claimed within CLAIM_S;
- the agent: `claimed_at`, `answered_at`, `ok`, `result`; it also answers what it will never
  run (a request older than MAX_AGE_S that no UI withdrew; one claimed by an agent that died,
  found at the next start), and deletes finished rows after KEEP_S.

Claiming and withdrawing are each one UPDATE guarded by both being unset, so a request is either
run once or withdrawn, never both. That is also the liveness rule: a request not claimed within
CLAIM_S means the agent is not running (the watcher claims within a fraction of a second, even
while the agent's loop is busy with a pass or asleep between passes). Once claimed, an agent
that stops stamping ALIVE_KEY for ALIVE_S has died with the request in hand. Ages are measured
on the kiosk's own clock, the one every timestamp here is written with.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from kiosk import store

SYNC_NOW = "sync_now"
ENROL = "enrol"
KINDS = frozenset({SYNC_NOW, ENROL})
CLAIM_POLL_S = 0.25  # how often the agent's watcher looks for requests
CLAIM_S = 5.0  # unclaimed after this: the agent is not running (the UI withdraws it)
MAX_AGE_S = 60.0  # unclaimed and not withdrawn after this (the UI died): the agent answers it
ALIVE_KEY = "agent.alive_at"  # device_state, the agent's watcher's: when it last looked
ALIVE_STAMP_S = 2.0  # how often the watcher stamps it
ALIVE_S = 15.0  # a claimed request whose agent has not stamped for this long: the agent died
KEEP_S = 86400.0  # finished rows are deleted after a day
EXPIRED = "expired: no agent took it up in time"
INTERRUPTED = "interrupted: the agent stopped while carrying it out"

State = Literal["waiting", "running", "answered", "no_agent"]


@dataclass(frozen=True)
class Request:
    """A claimed request, as the agent runs it."""

    id: str
    kind: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Progress:
    """Where a request stands, for the UI. `result` is the agent's answer when answered."""

    state: State
    ok: bool = False
    result: dict[str, Any] = field(default_factory=dict)


def ask(db: sqlite3.Connection, kind: str, args: dict[str, Any] | None = None) -> str:
    """Put a request in for the agent (the UI); returns its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown agent request {kind!r}")
    request_id = uuid.uuid4().hex
    with store.transaction(db):
        db.execute(
            "INSERT INTO agent_requests (id, kind, args, queued_at) VALUES (?, ?, ?, ?)",
            [request_id, kind, json.dumps(args or {}, ensure_ascii=False), _stamp(_now())],
        )
    return request_id


def progress(db: sqlite3.Connection, request_id: str, wall: datetime | None = None) -> Progress:
    """Where the request stands (the UI, on its worker). One the agent has not claimed within
    CLAIM_S is withdrawn here, and the answer is that the agent is not running."""
    wall = wall or _now()
    row = db.execute(
        "SELECT queued_at, withdrawn_at, claimed_at, answered_at, ok, result "
        "FROM agent_requests WHERE id = ?",
        [request_id],
    ).fetchone()
    if row is None:
        return Progress("no_agent")  # pruned: asked too long ago to be waited for
    queued_at, withdrawn_at, claimed_at, answered_at, ok, result = row
    if answered_at is not None:
        return Progress("answered", bool(ok), json.loads(result or "{}"))
    if withdrawn_at is not None:
        return Progress("no_agent")
    if claimed_at is not None:
        return Progress("running" if agent_alive(db, wall) else "no_agent")
    if wall - _parse(queued_at) < timedelta(seconds=CLAIM_S):
        return Progress("waiting")
    with store.transaction(db):
        withdrawn = db.execute(
            "UPDATE agent_requests SET withdrawn_at = ?, args = '{}' "
            "WHERE id = ? AND claimed_at IS NULL AND withdrawn_at IS NULL",
            [_stamp(wall), request_id],
        ).rowcount
    return Progress("no_agent") if withdrawn else progress(db, request_id, wall)


def agent_alive(db: sqlite3.Connection, wall: datetime | None = None) -> bool:
    """Whether the agent's watcher stamped ALIVE_KEY within ALIVE_S."""
    stamp = store.get_state(db, ALIVE_KEY)
    return stamp is not None and (wall or _now()) - _parse(stamp) < timedelta(seconds=ALIVE_S)


# --- the agent's side ---------------------------------------------------------------------


def stamp_alive(db: sqlite3.Connection, wall: datetime | None = None) -> None:
    store.set_state(db, ALIVE_KEY, _stamp(wall or _now()))


def waiting(db: sqlite3.Connection) -> bool:
    """Whether any request waits to be claimed (a read: the watcher asks this many times a second)."""
    return (
        db.execute(
            "SELECT 1 FROM agent_requests WHERE claimed_at IS NULL AND withdrawn_at IS NULL "
            "AND answered_at IS NULL LIMIT 1"
        ).fetchone()
        is not None
    )


def claim(db: sqlite3.Connection, wall: datetime | None = None) -> list[Request]:
    """Take every request that waits, oldest first, each once; the arguments leave the row
    with the claim. One older than MAX_AGE_S is answered as expired instead of run."""
    wall = wall or _now()
    claimed = []
    with store.transaction(db):
        rows = db.execute(
            "SELECT id, kind, args, queued_at FROM agent_requests "
            "WHERE claimed_at IS NULL AND withdrawn_at IS NULL AND answered_at IS NULL "
            "ORDER BY queued_at, id"
        ).fetchall()
        for request_id, kind, args, queued_at in rows:
            if wall - _parse(queued_at) > timedelta(seconds=MAX_AGE_S):
                _answer(db, request_id, False, {"error": EXPIRED}, wall, "claimed_at IS NULL")
                continue
            db.execute(
                "UPDATE agent_requests SET claimed_at = ?, args = '{}' WHERE id = ? AND claimed_at IS NULL",
                [_stamp(wall), request_id],
            )
            claimed.append(Request(request_id, kind, json.loads(args)))
    return claimed


def answer(db: sqlite3.Connection, request_id: str, ok: bool, result: dict[str, Any]) -> bool:
    """Write the answer to a claimed request, once; False when it was already answered."""
    with store.transaction(db):
        return _answer(db, request_id, ok, result, _now(), "claimed_at IS NOT NULL")


def settle(db: sqlite3.Connection, wall: datetime | None = None) -> list[str]:
    """At the agent's start: requests claimed but never answered (by an agent that died with
    them) are answered as interrupted, not run again. Returns their ids."""
    wall = wall or _now()
    with store.transaction(db):
        stale = db.execute(
            "SELECT id FROM agent_requests WHERE claimed_at IS NOT NULL AND answered_at IS NULL"
        ).fetchall()
        return [i for (i,) in stale if _answer(db, i, False, {"error": INTERRUPTED}, wall, "1")]


def prune(db: sqlite3.Connection, wall: datetime | None = None) -> int:
    """Delete finished requests older than KEEP_S (the agent, now and then)."""
    before = _stamp((wall or _now()) - timedelta(seconds=KEEP_S))
    with store.transaction(db):
        return db.execute(
            "DELETE FROM agent_requests WHERE coalesce(answered_at, withdrawn_at) < ?", [before]
        ).rowcount


def _answer(
    db: sqlite3.Connection, request_id: str, ok: bool, result: dict[str, Any], wall: datetime, guard: str
) -> bool:
    changed = db.execute(
        "UPDATE agent_requests SET answered_at = ?, ok = ?, result = ?, args = '{}' "
        f"WHERE id = ? AND answered_at IS NULL AND withdrawn_at IS NULL AND {guard}",
        [_stamp(wall), int(ok), json.dumps(result, ensure_ascii=False), request_id],
    ).rowcount
    return bool(changed)


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)
