"""systemd's notify protocol in a few lines: READY=1 after the first frame, WATCHDOG=1 from the UI
clock. A frozen UI stops pinging and systemd restarts it (invariant 5). No-op without systemd."""

from __future__ import annotations

import os
import socket


def notify(message: str) -> bool:
    """Send one datagram to $NOTIFY_SOCKET; False when not run by systemd or the send failed."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
        return True
    except OSError:
        return False


def watchdog_interval_s() -> float | None:
    """Half the WatchdogSec systemd gave this process, or None when there is no watchdog."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return max(0.5, int(usec) / 1_000_000 / 2)
    except ValueError:
        return None
