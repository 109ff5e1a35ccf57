"""Technician mode without Kivy: the PIN (a salted scrypt hash, never the PIN itself), checking a
typed PIN with a lock-out after five wrong tries, and the hidden corner gesture that opens it.

Where the hash lives: the file `technician-pin` in the state directory (mode 0600, written by
`kiosk set-pin`) when it exists, else the setting `technician.pin_hash` (site file or pushed by
the server). The file wins so a technician on site can always set a PIN without editing a
root-owned TOML file; `kiosk set-pin --clear` removes it and the setting applies again.

Hash format, self-describing so parameters can grow later: `scrypt$N$r$p$SALT$KEY` with SALT and
KEY in unpadded URL-safe base64. The lock-out counter lives in device_state, so a restart does
not give five fresh tries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kiosk import store
from kiosk.errors import ConfigError

PIN_FILE = "technician-pin"
SCHEME = "scrypt"
# N=2^14, r=8, p=1: the usual interactive parameters (16 MiB, ~0.1 s on a Raspberry Pi 4).
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
# Limits on what a (server-pushed) hash may ask for, so a bad one cannot exhaust memory.
MAX_N, MAX_R, MAX_P = 2**20, 32, 16
PIN_PATTERN = re.compile(r"^[0-9]{4,12}$")
MAX_TRIES = 5
LOCK_S = 300.0
FAILURES_KEY = "technician.failures"
LOCKED_UNTIL_KEY = "technician.locked_until"
CORNER_TAPS = 5
CORNER_WINDOW_S = 3.0


# --- hashing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def check_pin_format(pin: str) -> str:
    """The PIN as typed on the pad: 4 to 12 digits. Raises ConfigError otherwise."""
    if not PIN_PATTERN.match(pin):
        raise ConfigError("the technician PIN must be 4 to 12 digits (the PIN pad has only digits)")
    return pin


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, size: int) -> bytes:
    # maxmem: OpenSSL's default cap (32 MiB) is below what the allowed N and r may need.
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=size, maxmem=256 * 1024 * 1024)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    # validate=True: a stray character is an error, not silently dropped.
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """`scrypt$N$r$p$SALT$KEY` for a PIN, with a fresh random salt."""
    check_pin_format(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(pin, salt, n, r, p, KEY_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(key)}"


def parse_hash(encoded: str) -> PinHash:
    """Read a stored hash; ConfigError naming the problem when it is not one we can check."""
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ConfigError("technician PIN hash: expected scrypt$N$r$p$SALT$KEY (set it with kiosk set-pin)")
    try:
        n, r, p = (int(v) for v in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error):
        raise ConfigError("technician PIN hash: N, r and p must be numbers, SALT and KEY base64") from None
    if n < 2 or n > MAX_N or n & (n - 1):
        raise ConfigError(f"technician PIN hash: N must be a power of two up to {MAX_N}")
    if not (1 <= r <= MAX_R and 1 <= p <= MAX_P):
        raise ConfigError(f"technician PIN hash: r must be 1–{MAX_R} and p 1–{MAX_P}")
    if len(salt) < 8 or len(key) < 16:
        raise ConfigError("technician PIN hash: the salt or the key is too short")
    return PinHash(n, r, p, salt, key)


def verify_pin(pin: str, encoded: str) -> bool:
    """True when `pin` matches the hash; the keys are compared in constant time."""
    stored = parse_hash(encoded)
    if not PIN_PATTERN.match(pin):
        return False
    typed = _derive(pin, stored.salt, stored.n, stored.r, stored.p, len(stored.key))
    return hmac.compare_digest(typed, stored.key)


# --- where the hash is kept ------------------------------------------------------------------


def pin_file(state_dir: Path) -> Path:
    return state_dir / PIN_FILE


def stored_hash(state_dir: Path, setting: str) -> tuple[str, str]:
    """(hash, where it came from): the state-dir file when present, else the setting; ("", "")
    when technician mode has no PIN."""
    path = pin_file(state_dir)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the technician PIN file: {exc}") from None
    if text:
        return text, str(path)
    if setting.strip():
        return setting.strip(), "technician.pin_hash"
    return "", ""


def write_pin_file(state_dir: Path, encoded: str) -> Path:
    """Write the hash atomically with mode 0600. Run as root (sudo), the file is given to the
    state directory's owner, or the kiosk user could not read it."""
    parse_hash(encoded)
    state_dir.mkdir(parents=True, exist_ok=True)
    path = pin_file(state_dir)
    tmp = path.with_name(PIN_FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        if os.geteuid() == 0:
            owner = state_dir.stat()
            os.fchown(fd, owner.st_uid, owner.st_gid)
        os.write(fd, (encoded + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def clear_pin_file(state_dir: Path) -> bool:
    """Remove the PIN file; True when there was one."""
    try:
        pin_file(state_dir).unlink()
    except FileNotFoundError:
        return False
    return True


# --- trying a PIN ----------------------------------------------------------------------------


class Outcome(StrEnum):
    ok = "ok"
    wrong = "wrong"
    locked = "locked"
    not_set = "not_set"  # no PIN anywhere: technician mode cannot be opened
    bad_hash = "bad_hash"  # the stored hash is malformed: say so, never open


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    tries_left: int = MAX_TRIES
    locked_for_s: float = 0.0


def locked_for(db: sqlite3.Connection, now: float) -> float:
    """Seconds the pad stays locked (0 when open). A clock set back never makes it longer than
    LOCK_S: the lock ends at most five minutes after the clock says now."""
    until = float(store.get_state(db, LOCKED_UNTIL_KEY, "0") or 0)
    return max(0.0, min(until - now, LOCK_S))


def try_pin(db: sqlite3.Connection, encoded: str, pin: str, now: float) -> Attempt:
    """Check a typed PIN against the stored hash, counting wrong tries in device_state: the fifth
    wrong one locks the pad for LOCK_S. While locked nothing is checked (no guessing)."""
    remaining = locked_for(db, now)
    if remaining > 0:
        return Attempt(Outcome.locked, 0, remaining)
    if not encoded:
        return Attempt(Outcome.not_set)
    try:
        right = verify_pin(pin, encoded)
    except ConfigError:
        return Attempt(Outcome.bad_hash)
    with store.transaction(db):
        failures = int(store.get_state(db, FAILURES_KEY, "0") or 0)
        if right:
            store.set_state(db, FAILURES_KEY, "0")
            return Attempt(Outcome.ok)
        failures += 1
        if failures >= MAX_TRIES:
            store.set_state(db, FAILURES_KEY, "0")
            store.set_state(db, LOCKED_UNTIL_KEY, f"{now + LOCK_S:.3f}")
            return Attempt(Outcome.locked, 0, LOCK_S)
        store.set_state(db, FAILURES_KEY, str(failures))
    return Attempt(Outcome.wrong, MAX_TRIES - failures)


# --- the hidden gesture ----------------------------------------------------------------------


class CornerTaps:
    """Five taps in the corner within three seconds. A tap anywhere else starts over, so ordinary
    use of the screen never adds up to the gesture."""

    def __init__(self, taps: int = CORNER_TAPS, within_s: float = CORNER_WINDOW_S) -> None:
        self.taps = taps
        self.within_s = within_s
        self._times: deque[float] = deque(maxlen=taps)

    def tap(self, in_corner: bool, at: float) -> bool:
        """Record one tap (monotonic seconds); True when it completes the gesture."""
        if not in_corner:
            self._times.clear()
            return False
        self._times.append(at)
        if len(self._times) == self.taps and at - self._times[0] <= self.within_s:
            self._times.clear()
            return True
        return False
