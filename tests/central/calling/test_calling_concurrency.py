"""Twenty counters pressing "call next" in parallel over loopback for 10 seconds: every ticket is
called exactly once, and within each service in issue order (priority first)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest

from tests.fixtures_calling import CallingSite
from tests.fixtures_central import SITE

COUNTERS = 20
RUN_S = 10.0


@pytest.mark.slow
def test_twenty_counters_never_call_a_ticket_twice(calling_site: CallingSite) -> None:
    counters = [str(n) for n in range(1, COUNTERS + 1)]
    services = [{"id": s, "name": f"Lĩnh vực {s}", "counters": counters} for s in "ABC"]
    calling_site.server.admin(
        "PUT", f"/sites/{SITE.id}/config", {"settings": {"queue": {"services": services}}}
    )
    for service in "ABC":
        calling_site.issue(*(f"{service}{n:03d}" for n in range(1, 700)))
    calling_site.issue("A900", "B900", priority="disabled")  # issued last, called first
    # Each counter serves two of the three services, so the counters' queues overlap.
    officers = [
        calling_site.officer(f"can-bo-{n}", n, list(["AB", "BC", "AC"][int(n) % 3])) for n in counters
    ]
    called: dict[str, list[str]] = defaultdict(list)
    errors: list[str] = []
    deadline = time.monotonic() + RUN_S

    def work(officer_index: int) -> None:
        officer = officers[officer_index]
        while time.monotonic() < deadline:
            answer = officer.press("call_next")
            if answer.status_code != 200:
                errors.append(answer.text)
                return
            ticket = answer.json()["ticket"]
            if ticket is None:
                return
            called[officer.name].append(ticket["ticket"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(COUNTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    every = [t for tickets in called.values() for t in tickets]
    assert len(every) == len(set(every)) and len(every) > COUNTERS
    # In the order the store took them (event seq), each service's tickets come in issue order.
    events = calling_site.server.store.calling_events(SITE.id, 0, 100_000)
    order = [e.ticket for e in events if e.action == "call_next" and e.ticket]
    assert sorted(order) == sorted(every)
    for service in "ABC":
        mine = [t for t in order if t.startswith(service)]
        expected = sorted(mine, key=lambda t: (not t.endswith("900"), t))
        assert mine == expected, service
