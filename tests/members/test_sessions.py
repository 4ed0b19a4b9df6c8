"""Ending sessions: signing out (console or API) and changing one's password make every
token the account held refused from then on, not only forgotten by one browser; the
browser that changed the password gets a new session."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from interlink.access import Role
from interlink.app import create_app
from interlink.audit.models import AuditEntry
from interlink.core.config import Settings
from interlink.members.models import User
from tests.conftest import PASSWORD
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]


def test_signing_out_ends_every_session(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    bearer = auth(officer)  # a session the API holds (another device)
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    _signin(client, officer)
    stolen = client.cookies.get("interlink_session")
    assert client.get("/", follow_redirects=False).status_code == 200
    out = client.post("/signout", data={"csrf_token": client.cookies.get("interlink_csrf")},
                      follow_redirects=False)  # fmt: skip
    assert out.status_code == 303
    # The cookie a thief copied before is refused, and so is the other device's token.
    client.cookies.set("interlink_session", stolen or "")
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin"
    refused = client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401 and "session has ended" in refused.json()["detail"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.logout")).one()
    assert entry.actor == officer.username and entry.after["why"] == "signed out"
    # Signing in again makes a new session, which works.
    client.cookies.clear()
    _signin(client, officer)
    assert client.get("/", follow_redirects=False).status_code == 200


def test_the_api_signs_out_and_a_password_change_ends_other_sessions(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    officer = make_user(Role.OFFICER, "DE")
    token = client.post("/api/v1/auth/token",
                        data={"username": officer.username, "password": PASSWORD})  # fmt: skip
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.post("/api/v1/auth/signout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401

    other_device = auth(officer)
    _signin(client, officer)
    new = "a much longer new secret"
    changed = client.post("/profile/password", follow_redirects=False, data={
        "csrf_token": client.cookies.get("interlink_csrf"), "current_password": PASSWORD,
        "new_password": new, "new_password_again": new,
    })  # fmt: skip
    assert changed.status_code == 303
    assert client.get("/api/v1/me", headers=other_device).status_code == 401
    # This browser was given a new session with the change.
    assert client.get("/profile", follow_redirects=False).status_code == 200


def test_the_session_cookie_is_guarded_and_signing_in_rotates_the_csrf_token(
    settings: Settings, session_factory: sessionmaker[Session], make_user: Callable[..., User]
) -> None:
    officer = make_user(Role.OFFICER, "IT")
    app = create_app(
        settings.model_copy(update={"secure_cookies": True, "signin_per_minute": 2}),
        session_factory=session_factory,
    )
    with TestClient(app) as client:
        client.get("/signin")
        before = client.cookies.get("interlink_csrf")
        signed_in = client.post(
            "/signin",
            data={"username": officer.username, "password": PASSWORD, "csrf_token": before},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        cookies = signed_in.headers.get_list("set-cookie")
        (session_cookie,) = [c for c in cookies if c.startswith("interlink_session=")]
        assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
        assert "Secure" in session_cookie  # behind a TLS proxy: the app sees http
        (csrf_cookie,) = [c for c in cookies if c.startswith("interlink_csrf=")]
        assert before and before not in csrf_cookie  # the session's own CSRF token
        # The console's sign-in is rate limited like the API's: 429 with Retry-After.
        client.cookies.clear()
        client.get("/signin")
        token = client.cookies.get("interlink_csrf")
        form = {"username": officer.username, "password": "wrong", "csrf_token": token}
        assert client.post("/signin", data=form).status_code == 401
        limited = client.post("/signin", data=form)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert "sign-in attempts for this username" in limited.text
