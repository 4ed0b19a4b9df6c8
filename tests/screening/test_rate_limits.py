"""Screening and sign-in are rate limited per account, per API client and per address:
429 with Retry-After, and a stream slows to the allowed pace instead of failing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from interlink.access import Role
from interlink.app import create_app
from interlink.core.config import Settings
from interlink.members.auth import actor_for_user
from interlink.members.models import User
from interlink.members.schemas import ApiClientCreate
from interlink.members.service import create_api_client
from tests.conftest import PASSWORD

QUERY = {"document": {"number": "00000000"}}


@pytest.fixture
def limited(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    tight = settings.model_copy(
        update={
            "screening_per_minute": 3,
            "client_screening_per_minute": 5,
            "signin_per_minute": 4,
            "signin_per_minute_per_address": 7,
            "signin_backoff_after": 100,
        }
    )
    app = create_app(tight, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_screening_is_limited_per_account_with_retry_after(
    limited: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    officer, colleague = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "FR")
    for _ in range(3):
        assert limited.post("/api/v1/screen", json=QUERY, headers=auth(officer)).status_code == 200
    refused = limited.post("/api/v1/screen", json=QUERY, headers=auth(officer))
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 20  # a screening every 20 s
    assert "at most 3 a minute" in refused.json()["detail"]
    # The allowance is the account's, not the bureau's.
    assert limited.post("/api/v1/screen", json=QUERY, headers=auth(colleague)).status_code == 200
    # The stream takes from the same allowance: spent, it is refused before it starts.
    stream = limited.post("/api/v1/screen/stream", content=b"{}", headers=auth(officer))
    assert stream.status_code == 429 and "Retry-After" in stream.headers


def test_api_clients_have_their_own_larger_allowance(
    limited: TestClient, make_user: Callable[..., User], session: Session
) -> None:
    supervisor = make_user(Role.SUPERVISOR, "ES")
    _, key = create_api_client(
        session, ApiClientCreate(name="e-gates"), actor=actor_for_user(supervisor)
    )
    session.commit()
    answers = [
        limited.post("/api/v1/screen", json=QUERY, headers={"X-API-Key": key}).status_code
        for _ in range(6)
    ]
    assert answers == [200] * 5 + [429]


def test_a_stream_refuses_the_lines_beyond_the_allowance(
    settings: Settings,
    session_factory: sessionmaker[Session],
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
) -> None:
    paced = settings.model_copy(update={"screening_per_minute": 6})  # one each 10 s
    app = create_app(paced, session_factory=session_factory)
    officer = make_user(Role.OFFICER, "DE")
    for _ in range(4):  # spend all but two of the allowance
        app.state.rate_limiter.take(f"screen:user:{officer.id}", 6)
    lines = "\n".join(json.dumps(QUERY) for _ in range(4)).encode()
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.post("/api/v1/screen/stream", content=lines, headers=auth(officer))
    assert response.status_code == 200
    answers = [json.loads(line) for line in response.text.splitlines()]
    assert answers[:2] == [{"hit": False, "matches": []}] * 2
    assert [a["line"] for a in answers[2:]] == [3, 4]
    assert all(a["error"]["status"] == 429 for a in answers[2:])
    assert 1 <= answers[2]["error"]["retry_after"] <= 10


def test_sign_in_is_limited_per_username_known_or_not_and_per_address(
    limited: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.OFFICER, "IT")

    def sign_in(username: str, password: str = "wrong") -> int:
        form = {"username": username, "password": password}
        return limited.post("/api/v1/auth/token", data=form).status_code

    assert [sign_in(user.username) for _ in range(4)] == [401] * 4
    refused = limited.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # An unknown username is limited exactly alike: the limit tells nothing of accounts.
    assert [sign_in("nobody.here") for _ in range(2)] == [401, 401]
    # The address has now tried 8 > 7 times a minute: every username is refused.
    assert sign_in("someone.else") == 429
