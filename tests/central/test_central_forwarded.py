"""The server believes X-Forwarded-For only from the proxies the operator lists (none by
default): a client on loopback rotating a forged header stays one address to the enrolment
limit, and behind a listed proxy the address counted is the one the proxy saw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central.forwarded import parse_proxies
from tests.fixtures_central import RunningServer, start_server

WRONG = {"enrollment_code": "", "hardware_id": "rpi-x", "app_version": "0.1.0"}


def enroll(server: RunningServer, code: str, forwarded_for: str) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/enroll",
        json={**WRONG, "enrollment_code": code},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=10,
    )


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[RunningServer]:
    """A server told that 127.0.0.1 is its reverse proxy."""
    server = start_server(tmp_path, forwarded_allow_ips=parse_proxies("127.0.0.1"))
    yield server
    server.stop()


def test_forged_forwarded_for_does_not_reset_the_enrolment_limit(central_server: RunningServer) -> None:
    for i in range(10):
        assert enroll(central_server, f"WRONG-{i:03d}", f"198.51.100.{i}").status_code == 404
    right = enroll(central_server, central_server.enrollment_code(), "198.51.100.200")
    assert right.status_code == 429, "a forged X-Forwarded-For chose a fresh address"
    assert central_server.store.list_devices() == []


def test_a_listed_proxy_is_believed_about_its_client(behind_proxy: RunningServer) -> None:
    # The proxy appends the address it saw; what the client wrote before it is not believed.
    for i in range(10):
        chain = f"198.51.100.{i}, 203.0.113.7"
        assert enroll(behind_proxy, f"WRONG-{i:03d}", chain).status_code == 404
    code = behind_proxy.enrollment_code()
    assert enroll(behind_proxy, code, "198.51.100.99, 203.0.113.7").status_code == 429
    assert enroll(behind_proxy, code, "203.0.113.8").status_code == 201, "another client is not held up"


def test_the_proxy_list_takes_addresses_and_networks_only() -> None:
    assert parse_proxies(None) == [] and parse_proxies(" ") == []
    assert parse_proxies("127.0.0.1, 10.0.0.0/8,::1") == ["127.0.0.1", "10.0.0.0/8", "::1"]
    for bad in ("*", "proxy.local", "10.0.0.0/33"):
        with pytest.raises(ValueError):
            parse_proxies(bad)
