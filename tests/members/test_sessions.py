"""Ending sessions: signing out (console or API) and changing one's password make every
token the account held refused from then on, not only forgotten by one browser; the
browser that changed the password gets a new session."""

from __future__ import annotations

from collections.abc import Callable

import pytest
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


def _sessions(client: TestClient, user: User) -> tuple[dict[str, str], TestClient]:
    """A bearer token from the password grant and a console signed in with the cookie,
    both of ``user``, both working."""
    token = client.post("/api/v1/auth/token",
                        data={"username": user.username, "password": PASSWORD})  # fmt: skip
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    console = TestClient(client.app)
    assert _signin(console, user).status_code == 303  # type: ignore[attr-defined]
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert console.get("/", follow_redirects=False).status_code == 200
    return bearer, console


def _refused(client: TestClient, bearer: dict[str, str], console: TestClient) -> None:
    answer = client.get("/api/v1/me", headers=bearer)
    assert answer.status_code == 401, answer.text
    assert console.get("/", follow_redirects=False).headers["location"] == "/signin"


@pytest.mark.parametrize(
    "change",
    [{"password": "a brand new password"}, {"role": "supervisor"}, {"active": False}],
    ids=["password reset", "role change", "disabled"],
)
def test_an_administrators_change_ends_every_session_of_the_account(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session,
    change: dict[str, object],
) -> None:  # fmt: skip
    admin, officer = make_user(Role.ADMIN, "SEC"), make_user(Role.OFFICER, "FR")
    bearer, console = _sessions(client, officer)
    changed = client.patch(f"/api/v1/users/{officer.id}", json=change, headers=auth(admin))
    assert changed.status_code == 200, changed.text
    _refused(client, bearer, console)
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.logout",
                                 AuditEntry.object_id == str(officer.id))
    ).one()  # fmt: skip
    assert entry.actor == admin.username
    # The administrator's own session goes on.
    assert client.get("/api/v1/me", headers=auth(admin)).status_code == 200


def test_disabling_then_enabling_an_account_does_not_revive_its_tokens(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    supervisor, officer = make_user(Role.SUPERVISOR, "DE"), make_user(Role.OFFICER, "DE")
    bearer, console = _sessions(client, officer)
    for active in (False, True):
        answer = client.patch(f"/api/v1/users/{officer.id}", json={"active": active},
                              headers=auth(supervisor))  # fmt: skip
        assert answer.status_code == 200, answer.text
    _refused(client, bearer, console)
    # Signing in again works: only what was issued before is refused.
    _sessions(client, officer)


def test_the_console_admin_page_ends_sessions_too_but_a_name_change_does_not(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    supervisor, officer = make_user(Role.SUPERVISOR, "IT"), make_user(Role.OFFICER, "IT")
    bearer, console = _sessions(client, officer)
    _signin(client, supervisor)
    csrf = str(client.cookies.get("interlink_csrf"))
    url = f"/admin/users/{officer.id}"
    form = {"csrf_token": csrf, "role": "officer", "active": "yes", "full_name": "Anna Neri"}
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers=bearer).status_code == 200  # nothing to end
    reset = {**form, "password": "another long password"}
    assert client.post(url, data=reset, follow_redirects=False).status_code == 303
    _refused(client, bearer, console)


def test_a_revoked_api_key_is_refused_at_once(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    supervisor = make_user(Role.SUPERVISOR, "ES")
    created = client.post("/api/v1/api-clients", json={"name": "Barajas gates"},
                          headers=auth(supervisor)).json()  # fmt: skip
    key = {"X-API-Key": created["api_key"]}
    assert client.get("/api/v1/me", headers=key).status_code == 200
    assert client.delete(f"/api/v1/api-clients/{created['id']}",
                         headers=auth(supervisor)).status_code == 200  # fmt: skip
    assert client.get("/api/v1/me", headers=key).status_code == 401
    bearer = {"Authorization": f"Bearer {created['api_key']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
