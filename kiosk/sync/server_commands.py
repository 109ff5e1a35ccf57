"""Commands from the heartbeat answer. Each id runs at most once on this kiosk (the server
re-sends a command until its command.done arrives); the result and the command.done event are
committed together, so an acknowledgement is never lost or doubled."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Mapping
from datetime import datetime

from kiosk import outbox, store
from kiosk.device import ui_commands
from kiosk.sync.answers import ServerCommand

log = logging.getLogger("kiosk.sync")
# A handler does the work and says (ok, detail). It must be idempotent: a crash after the work
# but before the commit runs it again when the command is re-sent.
Handler = Callable[[ServerCommand], tuple[bool, str]]


def restart_ui(command: ServerCommand) -> tuple[bool, str]:
    """Restart the UI service; systemd brings it back on the current release."""
    if shutil.which("systemctl") is None:
        return False, "no systemd on this machine; restart the UI by hand"
    done = subprocess.run(
        ["systemctl", "restart", "kiosk.service"], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        return False, f"systemctl failed: {done.stderr.strip()[:300]}"
    return True, "kiosk.service restarted"


def already_run(db: sqlite3.Connection, command_id: str) -> bool:
    return db.execute("SELECT 1 FROM sync_commands WHERE id = ?", [command_id]).fetchone() is not None


def run_commands(
    db: sqlite3.Connection, commands: list[ServerCommand], handlers: Mapping[str, Handler]
) -> list[tuple[str, bool, str]]:
    """Run each new command once; returns (id, ok, detail) for those run now."""
    results = []
    for command in commands:
        if already_run(db, command.id):
            continue
        if command.type in ui_commands.UI_COMMANDS and command.type not in handlers:
            # The printer is the UI's: it runs the command and sends command.done itself.
            with store.transaction(db):
                if _record(db, command, True, "handed to the UI"):
                    ui_commands.hand_over(db, command.id, command.type, command.args)
            results.append((command.id, True, "handed to the UI"))
            continue
        ok, detail = _run_one(command, handlers)
        with store.transaction(db):
            if not _record(db, command, ok, detail):
                continue  # another agent (the technician's "sync now") got there first
            outbox.add(
                db,
                "command.done",
                {"command": command.id, "ok": ok, "detail": detail},
                datetime.now().astimezone(),
            )
        results.append((command.id, ok, detail))
    return results


def _record(db: sqlite3.Connection, command: ServerCommand, ok: bool, detail: str) -> bool:
    """Record that the command ran; False when it was already recorded (once per id)."""
    args = json.dumps(command.args, ensure_ascii=False)
    inserted = db.execute(
        "INSERT INTO sync_commands (id, type, args, received_at, ok, detail) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
        [command.id, command.type, args, store.now_utc(), ok, detail],
    )
    return inserted.rowcount > 0


def _run_one(command: ServerCommand, handlers: Mapping[str, Handler]) -> tuple[bool, str]:
    handler = handlers.get(command.type)
    if handler is None:
        return False, f"command {command.type!r} is not supported by this kiosk's agent"
    try:
        ok, detail = handler(command)
    except Exception as exc:  # a handler's failure is reported, never fatal to the agent
        log.exception("command %s (%s) failed", command.id, command.type)
        return False, f"failed: {exc}"[:500]
    return ok, detail[:500]
