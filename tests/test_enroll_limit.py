"""The wrong-code limiter behind POST /enroll (central/enroll_limit.py), on a clock the test
moves; the 429 over HTTP is in test_central_api.py."""

from __future__ import annotations

from central.enroll_limit import FailureLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_per_address_until_the_oldest_failure_ages_out() -> None:
    clock = Clock()
    limiter = FailureLimiter(max_failures=3, window_s=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.5") is None
        limiter.failed("10.0.0.5")
        clock.now += 10
    assert limiter.retry_after("10.0.0.5") == 30  # the first failure leaves the window at +60
    assert limiter.retry_after("10.0.0.6") is None, "another address is not held back"
    clock.now += 30
    assert limiter.retry_after("10.0.0.5") is None
    limiter.failed("10.0.0.5")
    assert limiter.retry_after("10.0.0.5") == 10


def test_memory_stays_bounded_by_forgetting_the_oldest_address(monkeypatch) -> None:
    monkeypatch.setattr("central.enroll_limit.MAX_ADDRESSES", 5)
    limiter = FailureLimiter(max_failures=1, window_s=600, clock=Clock())
    for i in range(8):
        limiter.failed(f"10.0.0.{i}")
    assert limiter.retry_after("10.0.0.0") is None and limiter.retry_after("10.0.0.7") is not None
    assert len(limiter._failures) == 5
