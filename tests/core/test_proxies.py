"""Forwarded headers are believed only from the proxies named in INTERLINK_TRUSTED_PROXIES
(none by default): a client that rotates ``X-Forwarded-For`` is still counted under the
address it connects from, through a real ``interlink serve`` (uvicorn) as in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from interlink.app import create_app
from interlink.core.config import Settings
from tests.messaging.live import Server

LIMIT = 3  # sign-in attempts a minute from one address


def _attempts(post: object, forwarded: list[str]) -> list[int]:
    """One failed sign-in per ``X-Forwarded-For`` value, each under a name of its own
    (so that only the per-address allowance can refuse them)."""
    answers = []
    for value in forwarded:
        form = {"username": f"nobody.{uuid.uuid4().hex[:8]}", "password": "wrong"}
        answers.append(post("/api/v1/auth/token", data=form,  # type: ignore[operator]
                            headers={"X-Forwarded-For": value}).status_code)  # fmt: skip
    return answers


ROTATING = [f"198.51.100.{n}" for n in range(1, LIMIT + 2)]
SAME = ["198.51.100.7"] * (LIMIT + 1)
REFUSED_LAST = [401] * LIMIT + [429]


@pytest.fixture
def served(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Starts ``interlink serve`` on the database, with the environment given."""
    started: list[Server] = []

    def start(**environment: str) -> httpx.Client:
        monkeypatch.setenv("INTERLINK_SIGNIN_PER_MINUTE_PER_ADDRESS", str(LIMIT))
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        server = Server(fresh_database_url).start()
        started.append(server)
        return httpx.Client(base_url=server.base, timeout=30)

    yield start
    for server in started:
        server.stop()


def test_a_real_server_ignores_forwarded_for_from_a_peer_not_configured(served: object) -> None:
    # uvicorn trusts 127.0.0.1 by default: the limit then counted whatever the client wrote.
    client = served()  # type: ignore[operator]
    assert _attempts(client.post, ROTATING) == REFUSED_LAST


def test_a_real_server_honours_a_configured_proxy(served: object) -> None:
    client = served(INTERLINK_TRUSTED_PROXIES="127.0.0.1")  # type: ignore[operator]
    assert _attempts(client.post, ROTATING) == [401] * len(ROTATING)
    assert _attempts(client.post, SAME) == REFUSED_LAST


@pytest.fixture
def app_with(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[object]:
    def make(peer: str, **changes: object) -> TestClient:
        changed = settings.model_copy(update={"signin_per_minute_per_address": LIMIT, **changes})
        return TestClient(create_app(changed, session_factory=session_factory),
                          client=(peer, 40000))  # fmt: skip

    yield make


def test_in_process_forwarded_headers_count_only_from_listed_proxies(app_with: object) -> None:
    stranger = app_with("203.0.113.9", trusted_proxies="10.0.0.0/8")  # type: ignore[operator]
    assert _attempts(stranger.post, ROTATING) == REFUSED_LAST
    proxy = app_with("10.1.2.3", trusted_proxies="10.0.0.0/8, 192.0.2.1")  # type: ignore[operator]
    assert _attempts(proxy.post, ROTATING) == [401] * len(ROTATING)
    # The client is the last address the listed proxies did not add themselves.
    chained = [f"{address}, 192.0.2.1" for address in SAME]
    assert _attempts(proxy.post, chained) == REFUSED_LAST


def test_the_forwarded_scheme_counts_only_from_listed_proxies(
    app_with: object, make_user: object
) -> None:
    from tests.conftest import PASSWORD

    user = make_user("officer", "FR")  # type: ignore[operator]
    for peer, secure in (("203.0.113.9", False), ("10.1.2.3", True)):
        client = app_with(peer, trusted_proxies="10.0.0.0/8")  # type: ignore[operator]
        token = client.get("/signin").cookies.get("interlink_csrf")
        signed_in = client.post(
            "/signin",
            data={"username": user.username, "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-Proto": "https"},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        cookie = next(c for c in signed_in.headers.get_list("set-cookie")
                      if c.startswith("interlink_session="))  # fmt: skip
        assert ("Secure" in cookie) is secure, peer


@pytest.mark.parametrize("value", ["10.0.0.1/8", "proxy.example", "*", "300.1.1.1"])
def test_trusted_proxies_must_be_addresses_or_networks(value: str) -> None:
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(trusted_proxies=value)


@pytest.mark.parametrize(
    "value", ["interlink.example.org", "ftp://x.example", "https://x.example/?a=1", "https://"]
)
def test_base_url_must_be_an_http_address(value: str) -> None:
    with pytest.raises(ValidationError, match="base_url"):
        Settings(base_url=value)


def test_base_url_loses_its_trailing_slash() -> None:
    assert (
        Settings(base_url="https://x.example/interlink/").base_url == "https://x.example/interlink"
    )
