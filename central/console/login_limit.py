"""Console logins are limited before any password is checked, in the store (so a burst of
parallel tries, or tries spread over several server instances, get no more than the limit):

- by the pair (name as typed, source address): 5 failures in 5 minutes, and one check at a time;
- by source address alone: 20 failures in 5 minutes, whatever the names (a flood of made-up
  names costs at most 20 password hashes per address per window, then nothing but a 429).

Nothing counts by name alone: a guesser elsewhere cannot lock an operator out; the right
password from an address that was not guessing gets in. A success forgets its pair's failures.
The address is the connection's peer or what a listed proxy says (central/forwarded.py); an
IPv6 client counts by its /64 (central/api/enroll_limit.client_key)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from central.auth import hash_secret
from central.store.contract import AttemptLimit, CentralStore


@dataclass(frozen=True)
class LoginLimits:
    pair_failures: int = 5
    source_failures: int = 20
    window_s: float = 300.0

    def limits(self, name: str, source: str) -> list[AttemptLimit]:
        return [
            AttemptLimit(pair_key(name, source), self.pair_failures, self.window_s, one_at_a_time=True),
            AttemptLimit(source_key(source), self.source_failures, self.window_s),
        ]


LIMITS = LoginLimits()


def pair_key(name: str, source: str) -> str:
    # Hashed: a password typed into the name field must not be kept in clear.
    return hash_secret(f"console-login\0{name.casefold()}\0{source}")


def source_key(source: str) -> str:
    return hash_secret(f"console-login-source\0{source}")


def wait_text(seconds: int) -> str:
    """'5 phút', '1 giây': how long to wait, for the login page."""
    if seconds >= 60:
        return f"{math.ceil(seconds / 60)} phút"
    return f"{max(1, seconds)} giây"


def checked_login(
    store: CentralStore, name: str, source: str, now: datetime, check: Callable[[], bool]
) -> tuple[bool, int]:
    """(the password was right, seconds to wait): the attempt is counted before `check` runs
    and settled after it; refused outright (False, seconds) while a limit is reached. A
    success forgets its pair's failures."""
    verdict = store.begin_attempt(LIMITS.limits(name, source), now)
    if verdict.attempt is None:
        return False, max(1, verdict.retry_after_s)
    ok = False
    try:
        ok = check()
    finally:
        store.end_attempt(verdict.attempt, ok, [pair_key(name, source)] if ok else [])
    return ok, 0
