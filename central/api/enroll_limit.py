"""Wrong enrollment codes, counted per client address: after MAX_FAILURES in WINDOW_S, POST
/enroll answers 429 with Retry-After until the oldest failure leaves the window.

A code is 8 characters from 25 (about 37 bits) and a province may have a hundred codes
outstanding, so guessing at thousands of tries a second would hit one within days; ten tries
per ten minutes makes that centuries. Each attempt takes its place in the count before the code
is looked up (and gives it back when the code was right), so a burst of parallel guesses gets no
more tries than a sequence. IPv6 addresses count by their /64, which one machine can rotate
through. The address is the connection's peer, or what a proxy the operator listed says it saw
(central/forwarded.py; none by default); behind an unlisted proxy it is the proxy's, the limit is
then shared, and a guessing attack pauses enrolment rather than succeeding.

Counted in the store (`begin_attempt`/`end_attempt`, as console logins are), so the limit holds
across every server instance sharing it and across restarts.
"""

from __future__ import annotations

import ipaddress

from central.auth import hash_secret
from central.store.contract import AttemptLimit

MAX_FAILURES = 10
WINDOW_S = 600.0


def enroll_limit(address: str) -> AttemptLimit:
    """The limit on wrong codes from one client (`client_key`), keyed by a hash of it."""
    return AttemptLimit(hash_secret(f"enroll\0{address}"), MAX_FAILURES, WINDOW_S)


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
