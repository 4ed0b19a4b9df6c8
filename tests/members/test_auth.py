"""Sign-in with passwords, the wait after failures, token expiry, API keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.config import Settings
from interlink.core.types import utcnow
from interlink.members.models import User
from tests.conftest import PASSWORD


def _login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_grant_gives_a_bearer_token(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.OFFICER, "FR")
    response = _login(client, user.username)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["country"] == "FR"


def test_wrong_credentials_are_401(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user(Role.OFFICER, "FR")
    for username, password in [(user.username, "wrong password!"), ("nobody", PASSWORD)]:
        response = _login(client, username, password)
        assert response.status_code == 401
        assert response.json()["detail"] == "wrong username or password"


def test_missing_form_fields_are_named(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "fr.officer"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.password"


def test_repeated_failures_hold_the_address_back_and_are_audited(
    client: TestClient, make_user: Callable[..., User], session: Session, settings: Settings
) -> None:
    """(The backoff itself: ``test_signin_backoff.py``.)"""
    user = make_user(Role.OFFICER, "DE")
    for _ in range(settings.signin_backoff_after):
        assert _login(client, user.username, "not the password").status_code == 401
    held = _login(client, user.username)  # even the right password waits now
    assert held.status_code == 429 and held.headers["Retry-After"] == "60"
    assert "too many failed sign-ins" in held.json()["detail"]
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == str(user.id)).order_by(AuditEntry.seq)
    ).all()
    actions = [entry.action for entry in entries]
    assert actions == ["auth.login_failed"] * settings.signin_backoff_after + [
        "auth.login_held_back"
    ]
    assert "held_back_until" in entries[-2].after and entries[-1].actor == user.username
    # The wait lapses.
    client.app.state.clock = lambda: utcnow() + timedelta(seconds=61)  # type: ignore[attr-defined]
    assert _login(client, user.username).status_code == 200


def test_expired_and_forged_tokens_are_refused(
    client: TestClient, make_user: Callable[..., User], settings: Settings
) -> None:
    user = make_user(Role.OFFICER, "FR")
    now = utcnow()
    expired = jwt.encode(
        {
            "sub": str(user.id),
            "iss": "interlink",
            "exp": int((now - timedelta(minutes=1)).timestamp()),
        },
        settings.signing_key,
        algorithm="HS256",
    )
    forged = jwt.encode(
        {
            "sub": str(user.id),
            "iss": "interlink",
            "exp": int((now + timedelta(minutes=5)).timestamp()),
        },
        "another key that is long enough to be plausible",
        algorithm="HS256",
    )
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401 and "invalid" in answer.json()["detail"]
    assert client.get("/api/v1/me").status_code == 401


def test_disabled_user_token_stops_working(
    client: TestClient,
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
    session: Session,
) -> None:
    user = make_user(Role.OFFICER, "FR")
    headers = auth(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    user.active = False
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_clients_screen_only_and_can_be_revoked(
    client: TestClient,
    make_user: Callable[..., User],
    auth: Callable[[User], dict[str, str]],
    session: Session,
) -> None:
    supervisor = make_user(Role.SUPERVISOR, "ES")
    created = client.post(
        "/api/v1/api-clients", json={"name": "Madrid-Barajas e-gates"}, headers=auth(supervisor)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["api_key"]
    assert body["bureau"] == "ES"
    stored = session.scalars(
        select(AuditEntry.after).where(AuditEntry.object_id == body["id"])
    ).one()
    assert key not in str(stored)  # only the prefix is ever recorded
    me = client.get("/api/v1/me", headers={"X-API-Key": key})
    assert me.status_code == 200 and me.json()["name"] == "Madrid-Barajas e-gates"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    # Screening rights only: no user management, no audit.
    assert client.get("/api/v1/users", headers={"X-API-Key": key}).status_code == 403
    assert client.get("/api/v1/audit", headers={"X-API-Key": key}).status_code == 403
    wrong = key[:-4] + "AAAA"
    assert client.get("/api/v1/me", headers={"X-API-Key": wrong}).status_code == 401
    revoked = client.delete(f"/api/v1/api-clients/{body['id']}", headers=auth(supervisor))
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    answer = client.get("/api/v1/me", headers={"X-API-Key": key})
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]


def test_supervisors_manage_clients_of_their_own_bureau_only(
    client: TestClient, make_user: Callable[..., User], auth: Callable[[User], dict[str, str]]
) -> None:
    supervisor = make_user(Role.SUPERVISOR, "ES")
    other = client.post(
        "/api/v1/api-clients",
        json={"name": "Lisbon gates", "country": "PT"},
        headers=auth(supervisor),
    )
    assert other.status_code == 403
    officer = make_user(Role.OFFICER, "ES")
    assert (
        client.post(
            "/api/v1/api-clients", json={"name": "x-gates"}, headers=auth(officer)
        ).status_code
        == 403
    )
