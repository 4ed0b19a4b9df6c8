"""Rate limits: how many screenings and sign-in attempts one caller may make a minute.

A token bucket per key (an account, an API client, a username tried, an address): it
holds a minute's allowance and refills continuously, so a burst up to the allowance
passes and a steady stream above it is refused with 429 and ``Retry-After`` (the
seconds until the next call would pass).

Where the buckets live (``limiter_for(settings)``, chosen by ``create_app``):

- ``RateLimiter``, in the server process (``INTERLINK_REDIS_URL`` unset): with several
  workers or hosts, each counts its own share, so a caller may get up to N allowances.
- ``RedisRateLimiter``, in Redis (``INTERLINK_REDIS_URL=redis://host:6379/0``): every
  process spends from the same bucket, so an allowance is one behind a load balancer.
  When Redis does not answer it falls back to the process's own buckets (see there).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated

import redis
from fastapi import Depends, Request

from interlink.core.config import Settings
from interlink.core.errors import AppError

__all__ = [
    "RateLimiter",
    "RateLimits",
    "RedisRateLimiter",
    "TooManyRequests",
    "limiter_for",
    "rate_limiter",
]

log = logging.getLogger("interlink.ratelimit")


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

    def close(self) -> None:
        """Release what the limiter holds outside the process (nothing, here)."""


# One bucket: read, refill by the time since its last call, spend a call if a whole one
# is there, all in one step on the Redis server (nothing runs between). Redis's own clock
# (TIME), so that server processes on hosts whose clocks differ still agree; numbers are
# written with %.6f because Lua's tostring keeps 14 digits, too few for a Unix time in
# microseconds. A bucket untouched for a minute is full again, as if it did not exist:
# it expires then. Returns '' when the call passes, else the seconds to wait.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = capacity / 60
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = ''
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = string.format('%.6f', (1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
           'at', string.format('%.6f', now))
redis.call('EXPIRE', KEYS[1], 61)
return wait
"""


class RedisRateLimiter(RateLimiter):
    """Token buckets in Redis (5 or later), shared by every server process that uses the
    same store: a caller has one allowance, whichever process answers. Each call is one
    Lua script (``register_script``: sent once, then called by its digest), atomic on
    the server. Keys are ``prefix`` and a digest of the bucket's key, so the usernames
    and addresses tried are not kept in the store.

    If Redis does not answer (down, unreachable, slower than ``timeout``), the call is
    counted in this process's own buckets instead (the ``RateLimiter`` this extends),
    with a warning logged at most once a minute, and Redis is tried again
    ``retry_seconds`` later (meanwhile requests do not each wait for a timeout). That is
    the safe side for this service: screening at borders must not stop because the
    limiter's store is down, and a caller is still held to an allowance in each process
    (at most N allowances with N processes) rather than to none.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "interlink:ratelimit:",
        timeout: float = 0.25,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        super().__init__(clock=clock, max_keys=max_keys)
        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._take = self._redis.register_script(_TAKE)
        self._prefix = prefix
        self._retry_seconds = retry_seconds
        self._down_until = float("-inf")
        self._warned_at = float("-inf")

    def take(self, key: str, per_minute: int) -> float | None:
        if per_minute <= 0:
            return None
        now = self._clock()
        if now < self._down_until:
            return super().take(key, per_minute)
        try:
            wait = self._take(keys=[self.store_key(key)], args=[per_minute])
        except redis.RedisError as exc:
            self._down_until = now + self._retry_seconds
            if now - self._warned_at >= 60:
                self._warned_at = now
                log.warning(
                    "rate limits: Redis does not answer (%s); each process counts its own "
                    "allowances until it does",
                    exc,
                )
            return super().take(key, per_minute)
        if self._down_until > float("-inf"):
            self._down_until = float("-inf")
            log.warning("rate limits: Redis answers again; allowances are shared again")
        return float(wait) if wait else None

    def store_key(self, key: str) -> str:
        """Where ``key``'s bucket is kept in Redis."""
        return self._prefix + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    def close(self) -> None:
        self._redis.close()


def limiter_for(settings: Settings) -> RateLimiter:
    """The limiter ``settings`` ask for: in Redis if ``redis_url`` is set, else in process."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url)
    return RateLimiter()


def rate_limiter(request: Request) -> RateLimiter:
    """The app's limiter (``app.state.rate_limiter``)."""
    found: RateLimiter = request.app.state.rate_limiter
    return found


RateLimits = Annotated[RateLimiter, Depends(rate_limiter)]
