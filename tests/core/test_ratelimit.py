"""The token buckets behind the rate limits, on a controlled clock."""

from __future__ import annotations

import pytest

from interlink.core.ratelimit import RateLimiter, TooManyRequests


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_minutes_allowance_passes_then_the_pace_is_the_rate() -> None:
    clock = Clock()
    limits = RateLimiter(clock=clock)
    assert [limits.take("a", 60) for _ in range(60)] == [None] * 60
    wait = limits.take("a", 60)
    assert wait == pytest.approx(1.0)  # one a second refills
    clock.now += 0.5
    assert limits.take("a", 60) == pytest.approx(0.5)
    clock.now += 0.5
    assert limits.take("a", 60) is None
    assert limits.take("b", 60) is None  # each key has its own bucket


def test_refusal_says_the_limit_and_when_to_retry() -> None:
    clock = Clock()
    limits = RateLimiter(clock=clock)
    limits.check("k", 2, "screenings")
    limits.check("k", 2, "screenings")
    with pytest.raises(TooManyRequests) as refused:
        limits.check("k", 2, "screenings")
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "30"}
    assert "at most 2 a minute" in refused.value.detail


def test_zero_means_no_limit_and_memory_is_bounded() -> None:
    limits = RateLimiter(clock=Clock(), max_keys=3)
    assert all(limits.take("x", 0) is None for _ in range(1000))
    for key in "abcd":
        limits.take(key, 1)
    assert limits.take("a", 1) is None  # forgotten (the idlest): a full bucket again
    assert limits.take("d", 1) is not None
