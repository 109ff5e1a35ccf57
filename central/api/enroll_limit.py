"""Wrong enrollment codes, counted per client address: after MAX_FAILURES in WINDOW_S, POST
/enroll answers 429 with Retry-After until the oldest failure leaves the window.

A code is 8 characters from 25 (about 37 bits) and a province may have a hundred codes
outstanding, so guessing at thousands of tries a second would hit one within days; ten tries
per ten minutes makes that centuries. Each attempt takes its place in the count before the code
is looked up (and gives it back when the code was right), so a burst of parallel guesses gets no
more tries than a sequence. IPv6 addresses count by their /64, which one machine can rotate
through. The address is the connection's peer, or what a proxy the operator listed says it saw
(central/forwarded.py; none by default); behind an unlisted proxy it is the proxy's, the limit is
then shared, and a guessing attack pauses enrolment rather than succeeding. In memory, per
server process: a restart forgets.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_FAILURES = 10
WINDOW_S = 600.0
MAX_ADDRESSES = 10_000  # the oldest address is forgotten beyond this (memory stays bounded)


class FailureLimiter:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def attempt(self, key: str) -> tuple[int | None, float | None]:
        """(seconds to wait, None) when `key` must wait; else (None, token): the attempt is
        counted as a failure until `succeeded(key, token)` gives it back."""
        with self._lock:
            times = self._recent(key)
            if len(times) >= self.max_failures:
                return max(1, math.ceil(times[0] + self.window_s - self.clock())), None
            token = self.clock()
            times.append(token)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)
            return None, token

    def succeeded(self, key: str, token: float) -> None:
        with self._lock:
            times = self._failures.get(key)
            if times is not None and token in times:
                times.remove(token)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= self.clock() - self.window_s:
            times.popleft()
        return times


def client_key(address: str) -> str:
    """What the limit counts by: an IPv4 address, or an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
