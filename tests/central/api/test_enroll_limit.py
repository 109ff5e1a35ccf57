"""The wrong-code limit behind POST /enroll (central/api/enroll_limit.py), counted in the store
(each test on SQLite and on PostgreSQL) at times the test chooses; the 429 over HTTP is in
test_central_api.py, across two server instances in tests/central/test_two_instances.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from central.api.enroll_limit import client_key, enroll_limit
from central.store.contract import CentralStore

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def attempt(store: CentralStore, address: str, seconds: float) -> int | None:
    """None when the attempt may go ahead (and counts as a wrong code); else the wait."""
    verdict = store.begin_attempt([enroll_limit(address)], NOW + timedelta(seconds=seconds))
    if verdict.attempt is None:
        return verdict.retry_after_s
    store.end_attempt(verdict.attempt, False, [])
    return None


def test_the_limit_holds_per_address_until_the_oldest_failure_ages_out(central_store: CentralStore) -> None:
    for n in range(10):
        assert attempt(central_store, "10.0.0.5", n * 10) is None
    assert attempt(central_store, "10.0.0.5", 100) == 500  # the first leaves the window at +600
    assert attempt(central_store, "10.0.0.6", 100) is None, "another address is not held back"
    assert attempt(central_store, "10.0.0.5", 601) is None
    assert attempt(central_store, "10.0.0.5", 602) == 8


def test_a_right_code_gives_its_attempt_back(central_store: CentralStore) -> None:
    for n in range(25):
        verdict = central_store.begin_attempt([enroll_limit("10.0.0.5")], NOW + timedelta(seconds=n))
        assert verdict.attempt is not None
        central_store.end_attempt(verdict.attempt, True, [])


def test_parallel_guesses_get_no_more_tries_than_sequential_ones(central_store: CentralStore) -> None:
    with ThreadPoolExecutor(8) as pool:  # all in flight, none answered
        verdicts = list(
            pool.map(lambda _: central_store.begin_attempt([enroll_limit("10.0.0.5")], NOW), range(40))
        )
    assert sum(1 for v in verdicts if v.attempt is not None) == 10


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
    ],
)
def test_ipv6_counts_by_its_64(address: str, key: str) -> None:
    assert client_key(address) == key
