"""Wrong enrollment codes, counted per client address: after MAX_FAILURES in WINDOW_S, POST
/enroll answers 429 with Retry-After until the oldest failure leaves the window.

A code is 8 characters from 25 (about 37 bits) and a province may have a hundred codes
outstanding, so guessing at thousands of tries a second would hit one within days; ten tries
per ten minutes makes that centuries. Behind a reverse proxy every kiosk shares the proxy's
address: then the limit is the whole province's, and a guessing attack pauses enrolment rather
than succeeding (a technician waits, or the operator blocks the address at the proxy).
In memory, per server process: a restart forgets, which costs an attacker one restart's worth.
"""

from __future__ import annotations

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

    def retry_after(self, key: str) -> int | None:
        """Seconds until `key` may try again, or None when it may now."""
        with self._lock:
            times = self._recent(key)
            if len(times) < self.max_failures:
                return None
            return max(1, math.ceil(times[0] + self.window_s - self.clock()))

    def failed(self, key: str) -> None:
        with self._lock:
            times = self._recent(key)
            times.append(self.clock())
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= self.clock() - self.window_s:
            times.popleft()
        return times
