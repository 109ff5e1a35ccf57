"""Operators' console passwords: scrypt with a random salt (standard library, no extra
dependency), and a throttle on failed logins.

Unlike device and operator tokens (256 random bits, one SHA-256 is enough), a password is
chosen by a person, so a stolen database must not be cheap to guess from: scrypt costs about
50 ms and 16 MB per try."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field

MIN_LENGTH = 10
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


class WeakPassword(ValueError):
    """A password too short to keep; the message says the rule."""


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`, both base64; refuses passwords under MIN_LENGTH characters."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a console password has at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`. With nothing stored (an unknown operator) the same
    work is done anyway, so the time taken does not tell which operator names exist."""
    try:
        scheme, n, r, p, salt, digest = (stored or _DUMMY).split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return stored is not None and hmac.compare_digest(computed, base64.b64decode(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_DUMMY = f"scrypt${_N}${_R}${_P}${_b64(bytes(16))}${_b64(bytes(32))}"


@dataclass
class LoginThrottle:
    """After `limit` failed logins for one operator name within `window_s`, further tries are
    refused until the window has passed since the last failure (one process; a restart forgets,
    which costs a guesser a restart of the server they cannot cause)."""

    limit: int = 5
    window_s: float = 300.0
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, name: str, now: float) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < self.window_s]
            self._failures[name] = recent
            return len(recent) >= self.limit

    def failed(self, name: str, now: float) -> None:
        with self._lock:
            if len(self._failures) > 10_000:  # names made up by a guesser must not pile up
                self._failures = {k: v for k, v in self._failures.items() if now - v[-1] < self.window_s}
            self._failures.setdefault(name, []).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
