"""Operators' console passwords: scrypt with a random salt (standard library, no extra
dependency). Failed logins are limited before any check (central/console/login_limit.py).

Unlike device and operator tokens (256 random bits, one SHA-256 is enough), a password is
chosen by a person, so a stolen database must not be cheap to guess from: scrypt costs about
50 ms and 16 MB per try."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading

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


# Checks run on the thread pool (never on the event loop, where heartbeats are answered), and
# at most this many at once: a burst from many addresses queues instead of taking every core.
_CHECKS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def check_password(password: str, stored: str | None) -> bool:
    """`verify_password`, at most a few at a time across the server process."""
    with _CHECKS:
        return verify_password(password, stored)
