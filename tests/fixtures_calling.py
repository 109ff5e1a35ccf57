"""Calling on the real server over loopback: a site with services and counters, tickets that
arrive as a kiosk's real `ticket.issued` events, and counter officers signed in through the
counter page's own login, pressing its buttons (the JSON twin of its forms)."""

from __future__ import annotations

import secrets
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from central.calling.session import COOKIE, csrf_token
from central.console.passwords import hash_password
from central.context import utc_now
from tests.fixtures_central import SITE, RunningServer, start_server
from tests.fixtures_core import DEMO_CONFIG

PASSWORD = "mat-khau-quay-1"
SERVICES = [
    {"id": "A", "name": "Hộ tịch", "counters": ["1", "2"]},
    {"id": "B", "name": "Chứng thực", "counters": ["3"]},
    {"id": "C", "name": "Đất đai – Xây dựng", "counters": ["4", "10"]},
]


def demo_services() -> list[dict[str, object]]:
    """The demo site's services as the server pushes them, open around the clock (a test may run
    at night)."""
    with DEMO_CONFIG.open("rb") as f:
        return [{k: v for k, v in s.items() if k != "hours"} for s in tomllib.load(f)["queue"]["services"]]


@dataclass
class Counter:
    """One officer's browser at one counter."""

    url: str
    name: str
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def csrf(self) -> str:
        return csrf_token(self.http.cookies.get(COOKIE, path="/counter") or "")

    def login(self, password: str = PASSWORD, site: str = SITE.id) -> requests.Response:
        return self.http.post(
            f"{self.url}/counter/login",
            data={"site": site, "name": self.name, "password": password},
            allow_redirects=False,
            timeout=10,
        )

    def seat(self, counter: str, services: list[str]) -> None:
        answer = self.http.post(
            f"{self.url}/counter/seat",
            data={"csrf": self.csrf, "counter": counter, "services": services},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303 and "error" not in answer.headers["location"], answer.headers

    def press(self, action: str, key: str | None = None, **fields: str) -> requests.Response:
        return self.http.post(
            f"{self.url}/counter/action",
            data={"csrf": self.csrf, "key": key or secrets.token_urlsafe(12), "action": action, **fields},
            headers={"Accept": "application/json"},
            timeout=30,
        )

    def called(self, action: str = "call_next", **fields: str) -> str | None:
        """Press and return the ticket the answer names (None: nobody waiting)."""
        answer = self.press(action, **fields)
        assert answer.status_code == 200, answer.text
        ticket = answer.json()["ticket"]
        return None if ticket is None else str(ticket["ticket"])


@dataclass
class CallingSite:
    server: RunningServer
    token: str
    device_id: str
    counters: list[Counter] = field(default_factory=list)

    @property
    def day(self) -> str:
        return utc_now().astimezone(ZoneInfo(SITE.timezone)).date().isoformat()

    def issue(self, *tickets: str, priority: str | None = None, at: datetime | None = None) -> None:
        """Tickets as the kiosk sends them: one `ticket.issued` event each, issued a second apart
        in the order given (or from `at`)."""
        start = at or utc_now() - timedelta(hours=1)
        events = []
        for n, ticket in enumerate(tickets):
            issued = (start + timedelta(seconds=n)).astimezone(ZoneInfo(SITE.timezone)).isoformat()
            data = {
                "ticket": ticket,
                "service": ticket.rstrip("0123456789"),
                "number": int(ticket.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                "day": self.day,
                "priority": priority,
                "issued_at": issued,
            }
            events.append({"id": str(uuid.uuid4()), "type": "ticket.issued", "at": issued, "data": data})
        for first in range(0, len(events), 500):
            answer = requests.post(
                f"{self.server.url}/api/v1/events",
                json={"events": events[first : first + 500]},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=30,
            )
            assert answer.status_code == 200 and not answer.json()["rejected"], answer.text

    def officer(self, name: str, counter: str, services: list[str], role: str = "officer") -> Counter:
        self.server.store.set_staff(SITE.id, name, role, hash_password(PASSWORD), utc_now())  # type: ignore[arg-type]
        officer = Counter(self.server.url, name)
        assert officer.login().status_code == 303
        officer.seat(counter, services)
        self.counters.append(officer)
        return officer

    def queue(self) -> dict[str, Any]:
        answer = requests.get(
            f"{self.server.url}/api/v1/queue", headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )
        return {s["id"]: s for s in answer.json()["services"]}


def make_calling_site(server: RunningServer) -> CallingSite:
    answer = requests.post(
        f"{server.url}/api/v1/enroll",
        json={
            "enrollment_code": server.enrollment_code(),
            "hardware_id": "rpi-calling",
            "app_version": "0.1.0",
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    config = {"settings": {"queue": {"services": SERVICES}, "ui": {"notices": ["Giờ làm việc: 7:30–17:00."]}}}
    server.admin("PUT", f"/sites/{SITE.id}/config", config).raise_for_status()
    return CallingSite(server, answer.json()["token"], answer.json()["device_id"])


@pytest.fixture
def calling_server(tmp_path: Path, store_url: str) -> Iterator[RunningServer]:
    """The real server on loopback, once on SQLite and once on PostgreSQL (store_url)."""
    directory = tmp_path / "central"
    directory.mkdir()
    running = start_server(directory, db_url=store_url)
    yield running
    running.stop()


@pytest.fixture
def calling_site(calling_server: RunningServer) -> Iterator[CallingSite]:
    """A calling site on each store: every calling test runs on SQLite and on PostgreSQL."""
    site = make_calling_site(calling_server)
    yield site
    for counter in site.counters:
        counter.http.close()
