"""The wrong-code limiter behind POST /enroll (central/api/enroll_limit.py), on a clock the test
moves; the 429 over HTTP is in test_central_api.py."""

from __future__ import annotations

import pytest

from central.api.enroll_limit import FailureLimiter, client_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_per_address_until_the_oldest_failure_ages_out() -> None:
    clock = Clock()
    limiter = FailureLimiter(max_failures=3, window_s=60, clock=clock)
    for _ in range(3):
        wait, token = limiter.attempt("10.0.0.5")
        assert wait is None and token is not None  # each attempt counts until it succeeds
        clock.now += 10
    assert limiter.attempt("10.0.0.5") == (30, None)  # the first leaves the window at +60
    assert limiter.attempt("10.0.0.6")[0] is None, "another address is not held back"
    clock.now += 30
    assert limiter.attempt("10.0.0.5")[0] is None
    assert limiter.attempt("10.0.0.5") == (10, None)


def test_a_right_code_gives_its_attempt_back() -> None:
    limiter = FailureLimiter(max_failures=2, window_s=60, clock=Clock())
    for _ in range(5):
        wait, token = limiter.attempt("10.0.0.5")
        assert wait is None and token is not None
        limiter.succeeded("10.0.0.5", token)


def test_parallel_guesses_get_no_more_tries_than_sequential_ones() -> None:
    limiter = FailureLimiter(max_failures=10, window_s=600, clock=Clock())
    started = [limiter.attempt("10.0.0.5") for _ in range(40)]  # all in flight, none answered
    assert sum(1 for wait, _ in started if wait is None) == 10


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


def test_memory_stays_bounded_by_forgetting_the_oldest_address(monkeypatch) -> None:
    monkeypatch.setattr("central.api.enroll_limit.MAX_ADDRESSES", 5)
    limiter = FailureLimiter(max_failures=1, window_s=600, clock=Clock())
    for i in range(8):
        limiter.attempt(f"10.0.0.{i}")
    assert limiter.attempt("10.0.0.0")[0] is None and limiter.attempt("10.0.0.7")[0] is not None
    assert len(limiter._failures) == 5
