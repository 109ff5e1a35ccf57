"""The UI process's last log lines for the technician screen: a ring buffer on the root logger,
or the unit's journal when the kiosk runs under systemd and journalctl can read it (that one
also holds the lines of the runs before a restart)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections import deque

RING_LINES = 200
JOURNAL_TIMEOUT_S = 5.0
_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")


class LogRing(logging.Handler):
    """Keeps the last `size` formatted records (with a traceback's last line)."""

    def __init__(self, size: int = RING_LINES) -> None:
        super().__init__(level=logging.INFO)
        self._lines: deque[str] = deque(maxlen=size)
        self._guard = threading.Lock()
        self.setFormatter(_FORMAT)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a bad format string in someone's log call must not break logging
            text = f"{record.levelname} {record.name}: {record.msg!r}"
        with self._guard:
            self._lines.extend(text.splitlines() or [""])

    def lines(self) -> list[str]:
        with self._guard:
            return list(self._lines)


_installed: LogRing | None = None


def install() -> LogRing:
    """The process-wide ring, attached to the root logger once."""
    global _installed
    if _installed is None:
        _installed = LogRing()
        logging.getLogger().addHandler(_installed)
    return _installed


def journal_lines(unit: str = "kiosk.service", count: int = RING_LINES) -> list[str] | None:
    """The unit's last lines from journald, or None when not under systemd or unreadable."""
    if not os.environ.get("INVOCATION_ID") or shutil.which("journalctl") is None:
        return None
    try:
        done = subprocess.run(
            ["journalctl", "--unit", unit, "--lines", str(count), "--no-pager", "--output", "short"],
            capture_output=True,
            text=True,
            timeout=JOURNAL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not lines or lines[0].startswith("-- No entries"):
        return None  # e.g. not in the systemd-journal group: the ring still has this run
    return lines[-count:]


def last_lines(count: int = RING_LINES) -> tuple[str, list[str]]:
    """("journal" | "ring", lines): the journal when it can be read, else this process's ring."""
    journal = journal_lines(count=count)
    if journal is not None:
        return "journal", journal
    return "ring", install().lines()[-count:]
