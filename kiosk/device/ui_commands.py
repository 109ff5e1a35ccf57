"""Server commands the UI carries out, because the printer is the UI's: print_test and
reprint_ticket (PROTOCOL.md, heartbeat answer).

The agent hands a command over (`hand_over`, inside the transaction that records it); the UI runs
what is waiting (`run_pending`) on its worker thread when the home screen is idle, so a test page
never comes out while a citizen waits for a ticket, and acknowledges each one itself: the result
and its command.done event are committed together. Each command prints at most once: it is
marked started before printing, and one found started but not done (the UI died, or an error
nobody expected) is acknowledged as interrupted instead of printed again. A command not run
within EXPIRE_S is acknowledged as not run rather than printed late (a reprint an hour later
would go to nobody); the agent does that too (`expire`), so a command is answered even when no
UI is running. Ages are measured on the kiosk's own clock, the one `queued_at` was written with.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk import outbox, store
from kiosk.config import Settings
from kiosk.drivers.ports import TicketPrinter
from kiosk.errors import KioskError
from kiosk.queue import issuing

log = logging.getLogger(__name__)
UI_COMMANDS = frozenset({"print_test", "reprint_ticket"})
EXPIRE_S = 600


def hand_over(db: sqlite3.Connection, command_id: str, type_: str, args: dict[str, Any]) -> None:
    """Queue a command for the UI (call inside a transaction); a re-sent id is ignored."""
    db.execute(
        "INSERT INTO ui_commands (id, type, args, queued_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
        [command_id, type_, json.dumps(args, ensure_ascii=False), store.now_utc()],
    )


def waiting(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM ui_commands WHERE done_at IS NULL").fetchone()[0])


NOT_FREE = f"not run: the kiosk was not free to print for {EXPIRE_S // 60} minutes"
INTERRUPTED = "interrupted while printing (the kiosk restarted or failed); not printed again"


def run_pending(
    db: sqlite3.Connection,
    settings: Settings,
    printer: TicketPrinter | None,
    moment: datetime,
    wall: datetime | None = None,
) -> list[tuple[str, bool, str]]:
    """Run every waiting command once, oldest first; returns (id, ok, detail) of each.
    `moment` is the site's time for what is recorded; `wall` the kiosk's own clock (default now)."""
    wall = wall or datetime.now(UTC)
    rows = db.execute(
        "SELECT id, type, args, queued_at, started_at FROM ui_commands WHERE done_at IS NULL "
        "ORDER BY queued_at, id"
    ).fetchall()
    results = []
    for command_id, type_, args, queued_at, started_at in rows:
        if started_at is not None:
            ok, detail = False, INTERRUPTED
        elif wall - datetime.fromisoformat(queued_at) > timedelta(seconds=EXPIRE_S):
            ok, detail = False, NOT_FREE
        else:
            with store.transaction(db):
                claimed = db.execute(
                    "UPDATE ui_commands SET started_at = ? WHERE id = ? AND started_at IS NULL",
                    [store.now_utc(), command_id],
                ).rowcount
            if not claimed:
                continue
            try:
                ok, detail = _run(type_, json.loads(args), db, settings, printer, moment)
            except Exception as exc:  # acknowledged as failed: never retried into a print loop
                log.exception("UI command %s (%s) failed", command_id, type_)
                ok, detail = False, f"failed: {exc}"[:500]
        if _finish(db, command_id, ok, detail, moment):
            results.append((command_id, ok, detail))
    return results


def expire(db: sqlite3.Connection, moment: datetime, wall: datetime | None = None) -> list[str]:
    """Acknowledge commands nobody started within EXPIRE_S (no UI running, or never idle): the
    agent calls this so the console does not wait for ever. Returns their ids."""
    wall = wall or datetime.now(UTC)
    rows = db.execute("SELECT id, queued_at FROM ui_commands WHERE done_at IS NULL AND started_at IS NULL")
    stale = [i for i, queued in rows if wall - datetime.fromisoformat(queued) > timedelta(seconds=EXPIRE_S)]
    return [i for i in stale if _finish(db, i, False, NOT_FREE, moment, unstarted=True)]


def _finish(
    db: sqlite3.Connection, command_id: str, ok: bool, detail: str, moment: datetime, unstarted: bool = False
) -> bool:
    """Mark done and queue command.done in one transaction, once (whoever gets there first)."""
    guard = " AND started_at IS NULL" if unstarted else ""
    with store.transaction(db):
        changed = db.execute(
            f"UPDATE ui_commands SET done_at = ?, ok = ?, detail = ? WHERE id = ? AND done_at IS NULL{guard}",
            [store.now_utc(), int(ok), detail, command_id],
        ).rowcount
        if changed:
            outbox.add(db, "command.done", {"command": command_id, "ok": ok, "detail": detail}, moment)
    return bool(changed)


def _run(
    type_: str,
    args: dict[str, Any],
    db: sqlite3.Connection,
    settings: Settings,
    printer: TicketPrinter | None,
    moment: datetime,
) -> tuple[bool, str]:
    runners: dict[str, Callable[[], tuple[bool, str]]] = {
        "print_test": lambda: _print_test(printer),
        "reprint_ticket": lambda: _reprint(args, db, settings, printer, moment),
    }
    runner = runners.get(type_)
    if runner is None:
        return False, f"command {type_!r} is not one the UI runs"
    try:
        return runner()
    except KioskError as exc:  # no printer, paper out, an unknown ticket…: said, not raised
        return False, str(exc)


def _print_test(printer: TicketPrinter | None) -> tuple[bool, str]:
    from kiosk.technician.printer import print_test_page

    if printer is None:
        return False, "no printer configured"
    return True, f"test page printed ({print_test_page(printer)})"


def _reprint(
    args: dict[str, Any],
    db: sqlite3.Connection,
    settings: Settings,
    printer: TicketPrinter | None,
    moment: datetime,
) -> tuple[bool, str]:
    code, day = str(args.get("ticket", "")), args.get("day")
    if not code:
        return False, "no ticket given"
    outcome = issuing.reprint(db, settings, printer, code, moment, str(day) if day else None)
    ticket = outcome.ticket
    if outcome.printed:
        return True, f"ticket {ticket.ticket} of {ticket.day} printed again"
    return False, f"ticket {ticket.ticket} of {ticket.day} not printed: {outcome.reason}"
