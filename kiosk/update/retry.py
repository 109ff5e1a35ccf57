"""When the updater tries a release again after a failure that was not the release's fault.

A refusal of the signed content itself (a key that is not pinned, a downgrade, bad names, a
self-test or health failure) is final for that signed manifest (update_gate.refuse). Anything
else (a file damaged on the server or on the way, a full disk, a network error) is *transient*:
the same release is tried again with exponential backoff, and installs once the cause is gone.

The schedule lives in the state database (device_state `update.retry`), so an agent restart,
a reboot or a crash keeps it: a kiosk with a damaged file on the server does not hammer the
server at every start, and one with a full disk does not forget that it must look again.
"""

from __future__ import annotations

import errno
import json
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk import store

RETRY_KEY = "update.retry"
# What pip or the venv module print when the disk filled up under them.
_ENOSPC_TEXT = ("No space left on device", f"[Errno {errno.ENOSPC}]")


@dataclass(frozen=True)
class Backoff:
    """The first retry after `first_s`, then doubling up to `cap_s`; each wait is shortened by up
    to `jitter` (a share) so a fleet that failed together does not come back together."""

    first_s: float = 600.0
    cap_s: float = 6 * 3600.0
    jitter: float = 0.25

    def wait_s(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        base = min(self.cap_s, self.first_s * 2 ** max(0, failures - 1))
        return base * (1.0 - self.jitter * rand())


@dataclass(frozen=True)
class Scheduled:
    """The retry after a transient failure: when, after how many failures in a row, and whether
    this failure is news (the first of its stage in the series, so it is reported)."""

    next_at: float
    failures: int
    news: bool


def schedule(db: sqlite3.Connection, version: str, stage: str, now: float, backoff: Backoff) -> Scheduled:
    """Record one more transient failure of `version` at `stage` and when to try again.
    Only one version is tracked: the one offered now."""
    entry = _load(db).get(version) or {}
    failures = int(entry.get("failures", 0)) + 1
    stages = list(entry.get("stages", []))
    news = stage not in stages
    if news:
        stages.append(stage)
    next_at = now + backoff.wait_s(failures)
    entry = {"failures": failures, "next_at": next_at, "stages": stages}
    store.set_state(db, RETRY_KEY, json.dumps({version: entry}))
    return Scheduled(next_at, failures, news)


def due_at(db: sqlite3.Connection, version: str) -> float:
    """When `version` may be tried again (0.0: now)."""
    entry = _load(db).get(version) or {}
    return float(entry.get("next_at", 0.0))


def clear(db: sqlite3.Connection) -> None:
    """Forget the schedule: the release was prepared, or refused for good."""
    store.set_state(db, RETRY_KEY, "")


def is_disk_full(exc: BaseException | str) -> bool:
    """An OSError with ENOSPC (or EDQUOT), or a tool's output that says so."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    text = str(exc)
    return any(marker in text for marker in _ENOSPC_TEXT)


def _load(db: sqlite3.Connection) -> dict[str, Any]:
    raw = store.get_state(db, RETRY_KEY)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
