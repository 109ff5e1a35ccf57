"""Console logins are counted in the store before any password is checked: parallel guesses get
no more checks than the limit, a guesser cannot lock an operator out from elsewhere, and a flood
of made-up names from one address costs a bounded number of password hashes while heartbeats
go on. Real server on loopback; clients bind their own loopback source addresses."""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests

from central.console.login_limit import LIMITS
from central.store.contract import AttemptLimit, CentralStore
from tests.console_fleet import OPERATOR, PASSWORD, add_operator, enroll
from tests.fixtures_central import SITE, RunningServer

WRONG = "sai-mat-khau-roi"


@pytest.fixture
def server(central_server: RunningServer) -> RunningServer:
    add_operator(central_server)
    return central_server


def login_from(
    server: RunningServer, name: str, password: str, source: str = "127.0.0.1"
) -> tuple[int, dict[str, str]]:
    """(status, headers) of one login sent from `source` (any 127.x address is this machine)."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        body = urlencode({"name": name, "password": password})
        conn.request("POST", "/console/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        conn.close()


def test_parallel_guesses_get_exactly_the_limit_and_the_operator_still_gets_in(
    server: RunningServer,
) -> None:
    with ThreadPoolExecutor(50) as pool:
        burst = list(pool.map(lambda _: login_from(server, OPERATOR, WRONG)[0], range(50)))
    assert set(burst) <= {401, 429}
    assert burst.count(401) <= LIMITS.pair_failures, "more password checks than the limit"
    later = [login_from(server, OPERATOR, WRONG) for _ in range(LIMITS.pair_failures + 1)]
    checked = burst.count(401) + [status for status, _ in later].count(401)
    assert checked == LIMITS.pair_failures
    status, headers = later[-1]
    assert status == 429 and 240 <= int(headers["retry-after"]) <= 300
    assert login_from(server, OPERATOR, PASSWORD)[0] == 429, "the guessing address stays out"
    status, headers = login_from(server, OPERATOR, PASSWORD, source="127.0.0.2")
    assert status == 303 and headers["location"] == "/console/", "the operator was locked out"


def test_a_login_flood_is_throttled_before_hashing_while_heartbeats_go_on(server: RunningServer) -> None:
    kiosk = enroll(server, SITE.id, "rpi-beat")
    beats: list[int] = []
    stop = threading.Event()

    def beat() -> None:
        url, auth = f"{server.url}/api/v1/heartbeat", {"Authorization": f"Bearer {kiosk.token}"}
        while not stop.is_set() and len(beats) < 5000:
            beats.append(
                requests.post(url, json={"app_version": "0.1.0"}, headers=auth, timeout=30).status_code
            )

    def flood(client: int) -> list[tuple[int, dict[str, str]]]:
        answers = []
        for i in range(6):  # 20 clients, one try each per 0.5 s: about 40 logins/s for 3 s
            answers.append(login_from(server, f"ke-doan-{client}-{i}", WRONG, source="127.0.0.3"))
            time.sleep(0.5)
        return answers

    beating = threading.Thread(target=beat)
    beating.start()
    try:
        with ThreadPoolExecutor(20) as pool:
            answers = [a for batch in pool.map(flood, range(20)) for a in batch]
        during = len(beats)
    finally:
        stop.set()
        beating.join(timeout=60)
    statuses = [status for status, _ in answers]
    assert statuses.count(401) <= LIMITS.source_failures, "made-up names were each hashed"
    assert statuses.count(429) == len(answers) - statuses.count(401)
    assert all(int(headers["retry-after"]) >= 1 for status, headers in answers if status == 429)
    assert during > 0 and set(beats) == {200}, "heartbeats stopped or failed during the flood"
    assert login_from(server, OPERATOR, PASSWORD, source="127.0.0.4")[0] == 303


def test_the_store_counts_attempts_per_key_and_forgets_on_success(central_store: CentralStore) -> None:
    store = central_store
    now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)

    def fail(limits: list[AttemptLimit], seconds: float) -> None:
        verdict = store.begin_attempt(limits, now + timedelta(seconds=seconds))
        assert verdict.attempt is not None
        store.end_attempt(verdict.attempt, False, [])

    pair = AttemptLimit("pair", 2, 300, one_at_a_time=True)
    first = store.begin_attempt([pair], now)
    assert first.attempt is not None
    assert store.begin_attempt([pair], now).retry_after_s == 1, "one check at a time"
    store.end_attempt(first.attempt, False, [])
    fail([pair], 10)
    refused = store.begin_attempt([pair], now + timedelta(seconds=60))
    assert (refused.attempt, refused.retry_after_s) == (None, 240)
    good = store.begin_attempt([pair], now + timedelta(seconds=301))
    assert good.attempt is not None
    store.end_attempt(good.attempt, True, ["pair"])
    fail([pair], 302)
    fail([pair], 303)  # the failure at 10 s was forgotten with the success

    source = AttemptLimit("source", 3, 300)
    for n in range(3):
        fail([AttemptLimit(f"name-{n}", 2, 300), source], 400 + n)
    assert (
        store.begin_attempt([AttemptLimit("name-3", 2, 300), source], now + timedelta(seconds=403)).attempt
        is None
    )
