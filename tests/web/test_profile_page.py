"""The profile page and changing one's own password; the sign-in page's message when sign-ins
must wait after failures."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.config import Settings
from interlink.members.models import User
from tests.conftest import PASSWORD
from tests.web.test_admin_pages import post, sign_in

MakeUser = Callable[..., User]
NEW = "a brand new passphrase"


def _try_sign_in(client: TestClient, username: str, password: str) -> Response:
    token = client.get("/signin").cookies.get("interlink_csrf")
    answer: Response = client.post("/signin", data={"username": username, "password": password,
                                   "csrf_token": token}, follow_redirects=False)  # fmt: skip
    return answer


def test_profile_shows_who_is_signed_in(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    assert client.get("/profile", follow_redirects=False).headers["location"] == "/signin"
    officer = make_user(Role.OFFICER, "FR")
    officer.full_name = "Jeanne Martin"
    session.commit()
    sign_in(client, officer)
    page = client.get("/profile")
    assert page.status_code == 200
    for text in ("Jeanne Martin", officer.username, "officer", "FR", "records:write",
                 'for="current_password"', 'for="new_password_again"'):  # fmt: skip
        assert text in page.text, text
    assert "audit:read" not in page.text


def test_changing_ones_password(client: TestClient, make_user: MakeUser, session: Session) -> None:
    officer = make_user(Role.OFFICER, "DE")
    token = sign_in(client, officer)
    url = "/profile/password"
    fields = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    assert client.post(url, data=fields, follow_redirects=False).status_code == 403  # no CSRF

    wrong = post(client, url, token, **{**fields, "current_password": "not my password"})
    assert wrong.status_code == 422
    assert 'aria-describedby="current_password-error"' in wrong.text
    assert "not your current password" in wrong.text and "not my password" not in wrong.text
    differ = post(client, url, token, **{**fields, "new_password_again": NEW + "!"})
    assert differ.status_code == 422 and 'id="new_password_again-error"' in differ.text
    short = post(client, url, token, **{**fields, "new_password": "short",
                 "new_password_again": "short"})  # fmt: skip
    assert short.status_code == 422 and 'aria-describedby="new_password-error' in short.text
    assert "at least 12 characters" in short.text
    same = post(client, url, token, **{**fields, "new_password": PASSWORD,
                "new_password_again": PASSWORD})  # fmt: skip
    assert same.status_code == 422 and "other than the current one" in same.text

    done = post(client, url, token, **fields)
    assert done.status_code == 303
    assert "Your password was changed." in client.get(done.headers["location"]).text
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.update",
                                 AuditEntry.object_id == str(officer.id))
    ).one()  # fmt: skip
    assert entry.actor == officer.username and entry.after == {"by": "self", "password": "changed"}
    client.cookies.clear()
    assert _try_sign_in(client, officer.username, PASSWORD).status_code == 401
    assert _try_sign_in(client, officer.username, NEW).status_code == 303


def test_sign_in_page_says_when_sign_ins_must_wait(
    client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    for _ in range(settings.signin_backoff_after):
        wrong = _try_sign_in(client, officer.username, "not the password")
        assert wrong.status_code == 401
    held = _try_sign_in(client, officer.username, PASSWORD)
    assert held.status_code == 429 and held.headers["Retry-After"] == "60"
    assert 'id="signin-error" class="error" role="alert">too many failed sign-ins' in held.text
    assert "try again in 60 s" in held.text
    assert "interlink_session" not in held.headers.get("set-cookie", "")
