"""Rate limits: how many screenings and sign-in attempts one caller may make a minute.

A token bucket per key (an account, an API client, a username tried, an address): it
holds a minute's allowance and refills continuously, so a burst up to the allowance
passes and a steady stream above it is refused with 429 and ``Retry-After`` (the
seconds until the next call would pass). Buckets live in the server process: with
several workers, each counts its own share.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from interlink.core.errors import AppError

__all__ = ["RateLimiter", "RateLimits", "TooManyRequests", "rate_limiter"]


class TooManyRequests(AppError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = max(1, math.ceil(retry_after))
        self.headers = {"Retry-After": str(self.retry_after)}


class RateLimiter:
    """Token buckets by key; ``max_keys`` bounds the memory (the idlest are forgotten,
    which only ever lets a forgotten caller start again with a full bucket)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int) -> float | None:
        """Spend one call of ``key``'s allowance: None if it passes, else the seconds to
        wait. ``per_minute`` 0 means no limit."""
        if per_minute <= 0:
            return None
        rate = per_minute / 60.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = None
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / rate
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        return wait

    def check(self, key: str, per_minute: int, what: str) -> None:
        """``take``, raising ``TooManyRequests`` (saying ``what`` is limited) when refused."""
        wait = self.take(key, per_minute)
        if wait is not None:
            raise TooManyRequests(
                f"{what}: at most {per_minute} a minute; retry in {max(1, math.ceil(wait))} s",
                wait,
            )


def rate_limiter(request: Request) -> RateLimiter:
    """The app's limiter (``app.state.rate_limiter``)."""
    found: RateLimiter = request.app.state.rate_limiter
    return found


RateLimits = Annotated[RateLimiter, Depends(rate_limiter)]
