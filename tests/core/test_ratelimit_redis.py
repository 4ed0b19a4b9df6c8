"""Rate limits kept in Redis: several server processes spend one allowance, and a Redis
that does not answer leaves each process counting its own (with a warning).

Redis is ``INTERLINK_TEST_REDIS_URL`` (default the local one). Like PostgreSQL in
``conftest.py``: the tests that need it skip when it is unreachable, except in CI
(``CI=true``), where they fail. Each test's keys sit under a prefix of its own, removed
at its end.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from interlink.app import create_app
from interlink.core.config import Settings
from interlink.core.ratelimit import (
    RateLimiter,
    RedisRateLimiter,
    TooManyRequests,
    limiter_for,
)
from interlink.members.models import User
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("INTERLINK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(scope="module")
def store() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if IN_CI:
            pytest.fail(f"Redis is required in CI but unreachable: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    yield client
    client.close()


@pytest.fixture
def prefix(store: redis.Redis) -> Iterator[str]:
    """A namespace of this test's own in the shared Redis, emptied at its end."""
    namespace = f"interlink-test:{uuid.uuid4().hex}:"
    yield namespace
    keys = list(store.scan_iter(match=f"{namespace}*"))
    if keys:
        store.delete(*keys)


@pytest.fixture
def limiters(prefix: str) -> Iterator[Callable[..., RedisRateLimiter]]:
    made: list[RedisRateLimiter] = []

    def make(**options: object) -> RedisRateLimiter:
        limiter = RedisRateLimiter(REDIS_URL, prefix=prefix, **options)  # type: ignore[arg-type]
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        limiter.close()


def test_two_processes_spend_one_allowance(limiters: Callable[..., RedisRateLimiter]) -> None:
    first, second = limiters(), limiters()  # as two server processes would
    assert [first.take("k", 4), second.take("k", 4), first.take("k", 4)] == [None] * 3
    assert second.take("k", 4) is None
    wait = first.take("k", 4)  # the four a minute are spent, whoever spent them
    assert wait is not None and 14.5 < wait <= 15.0  # one refills each 15 s
    with pytest.raises(TooManyRequests) as refused:
        second.check("k", 4, "screenings")
    assert refused.value.headers == {"Retry-After": "15"}
    assert "at most 4 a minute; retry in 15 s" in refused.value.detail
    # Another key has its own bucket; 0 means no limit.
    assert second.take("other", 4) is None
    assert all(first.take("k", 0) is None for _ in range(100))


def test_the_store_keeps_digests_that_expire(
    limiters: Callable[..., RedisRateLimiter], store: redis.Redis, prefix: str
) -> None:
    limiter = limiters()
    limiter.take("signin:user:alice@example.org", 10)
    (key,) = store.scan_iter(match=f"{prefix}*")
    assert b"alice" not in key  # what was tried is not kept in the store
    assert 0 < store.ttl(key) <= 61  # a minute idle is a full bucket: nothing to keep


def test_an_unreachable_store_falls_back_to_the_process_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    limiter = RedisRateLimiter(UNREACHABLE, timeout=0.5, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="interlink.ratelimit"):
        # The process's own bucket holds the caller to the allowance meanwhile.
        assert [limiter.take("k", 2) for _ in range(2)] == [None, None]
        assert limiter.take("k", 2) == pytest.approx(30.0)
        now[0] += 10  # tried again (past retry_seconds), still down: no second warning
        limiter.take("k", 2)
        assert len(caplog.records) == 1
        assert "Redis does not answer" in caplog.records[0].getMessage()
        now[0] += 60  # a minute on: said again
        limiter.take("k", 2)
        assert len(caplog.records) == 2
    limiter.close()


def test_the_store_is_used_again_once_it_answers(
    limiters: Callable[..., RedisRateLimiter],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    limiter, other = limiters(clock=lambda: now[0], retry_seconds=5.0), limiters()
    script = limiter._take

    def down(**_: object) -> object:
        raise redis.ConnectionError("down")

    monkeypatch.setattr(limiter, "_take", down)
    assert limiter.take("k", 2) is None  # counted in the process
    monkeypatch.setattr(limiter, "_take", script)
    assert limiter.take("k", 2) is None  # within retry_seconds: still in the process
    assert limiter.take("k", 2) is not None  # the process's bucket (2) is spent
    now[0] += 5
    # Back to the store, where nothing was spent yet: two pass, shared with the other.
    with caplog.at_level(logging.WARNING, logger="interlink.ratelimit"):
        assert [limiter.take("k", 2), other.take("k", 2)] == [None, None]
    assert "Redis answers again" in caplog.text
    assert limiter.take("k", 2) is not None


def test_settings_choose_where_the_buckets_live() -> None:
    assert type(limiter_for(Settings())) is RateLimiter
    shared = limiter_for(Settings(redis_url=REDIS_URL))
    assert isinstance(shared, RedisRateLimiter)
    shared.close()
    with pytest.raises(ValueError, match="starts with redis://"):
        Settings(redis_url="http://127.0.0.1:6379")


def test_two_apps_share_one_sign_in_allowance(
    settings: Settings,
    session_factory: sessionmaker[Session],
    make_user: Callable[..., User],
    store: redis.Redis,
) -> None:
    """Two server processes behind a load balancer: a username gets one allowance (from
    one address)."""
    shared = settings.model_copy(
        update={
            "redis_url": REDIS_URL,
            "signin_per_minute": 2,
            "signin_per_minute_per_address": 0,  # the test client's address is everyone's
            "signin_backoff_after": 100,
        }
    )
    user = make_user("officer", "FR", username=f"shared.{uuid.uuid4().hex[:12]}")
    apps = [create_app(shared, session_factory=session_factory) for _ in range(2)]
    form = {"username": user.username, "password": "wrong"}
    try:
        with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
            assert isinstance(one.app.state.rate_limiter, RedisRateLimiter)  # type: ignore[attr-defined]
            assert one.post("/api/v1/auth/token", data=form).status_code == 401
            assert two.post("/api/v1/auth/token", data=form).status_code == 401
            for client in (one, two):
                refused = client.post("/api/v1/auth/token", data=form)
                assert refused.status_code == 429
                assert 1 <= int(refused.headers["Retry-After"]) <= 30
                assert "sign-in attempts for this username" in refused.json()["detail"]
    finally:
        limiter = apps[0].state.rate_limiter
        store.delete(limiter.store_key(f"signin:user:{user.username.casefold()}:testclient"))
