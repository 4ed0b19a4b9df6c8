"""Administration pages through the app: users, API clients and bureau signing keys,
with exactly the rules of the API (a supervisor manages its own bureau only, only an
administrator makes an administrator), errors on their fields, and CSRF on every change."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.core.config import Settings
from interlink.members.models import ApiClient, SigninBackoff, User
from interlink.messaging.models import BureauKey
from tests.conftest import PASSWORD, bureau

Auth = Callable[[User], dict[str, str]]
MakeUser = Callable[..., User]
NEW_PASSWORD = "a long enough password"


def sign_in(client: TestClient, user: User) -> str:
    """Signs ``user`` in (a fresh cookie jar) and returns the page's CSRF token."""
    client.cookies.clear()
    token = client.get("/signin").cookies.get("interlink_csrf")
    done = client.post("/signin", data={"username": user.username, "password": PASSWORD,
                       "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    return str(client.cookies.get("interlink_csrf"))


def post(client: TestClient, url: str, token: str, **data: str) -> Response:
    answer: Response = client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)
    return answer


def _usernames(session: Session) -> set[str]:
    return set(session.scalars(select(User.username)))


def test_only_administrators_and_supervisors_open_administration(
    client: TestClient, make_user: MakeUser
) -> None:
    officer, auditor = make_user(Role.OFFICER, "DE"), make_user(Role.AUDITOR, "SEC")
    pages = ("/admin", "/admin/users", "/admin/users/new", "/admin/api-clients", "/admin/keys")
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/signin"
    for user in (officer, auditor):
        sign_in(client, user)
        for page in pages:
            answer = client.get(page, headers={"Accept": "text/html"})  # as a browser asks
            assert answer.status_code == 403, page
            assert 'role="alert"' in answer.text and "Not available" in answer.text
    token = sign_in(client, officer)
    refused = post(client, "/admin/users/new", token, username="sneaky", role="officer",
                   country="DE", password=NEW_PASSWORD)  # fmt: skip
    assert refused.status_code == 403


def test_supervisor_sees_and_manages_only_its_own_bureau(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    supervisor = make_user(Role.SUPERVISOR, "DE")
    german, french = make_user(Role.OFFICER, "DE"), make_user(Role.OFFICER, "FR")
    token = sign_in(client, supervisor)
    overview = client.get("/admin")
    assert overview.status_code == 200 and "in your bureau" in overview.text
    assert "/admin/keys" not in overview.text
    listed = client.get("/admin/users").text
    assert german.username in listed and french.username not in listed
    assert french.username not in client.get("/admin/users", params={"bureau": "FR"}).text
    assert client.get(f"/admin/users/{french.id}").status_code == 404
    assert post(client, f"/admin/users/{french.id}", token, active="no").status_code == 404
    session.refresh(french)
    assert french.active

    before = _usernames(session)
    admin_here = post(client, "/admin/users/new", token, username="de.boss", role="admin",
                      country="DE", password=NEW_PASSWORD)  # fmt: skip
    assert admin_here.status_code == 422 and 'aria-describedby="role-error"' in admin_here.text
    admin_there = post(client, "/admin/users/new", token, username="de.boss", role="admin",
                       country="SEC", password=NEW_PASSWORD)  # fmt: skip
    assert admin_there.status_code == 403 and "own bureau" in admin_there.text
    in_france = post(client, "/admin/users/new", token, username="fr.mole", role="officer",
                     country="FR", password=NEW_PASSWORD)  # fmt: skip
    assert in_france.status_code == 403
    promote = post(client, f"/admin/users/{german.id}", token, role="admin", active="yes")
    assert promote.status_code == 422 and 'id="role-error"' in promote.text
    assert _usernames(session) == before  # no partial write
    session.refresh(german)
    assert german.role == "officer"

    made = post(client, "/admin/users/new", token, username="de.new-officer", role="officer",
                country="DE", full_name="Anna Schmidt", password=NEW_PASSWORD)  # fmt: skip
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "The user was added." in page.text and "de.new-officer" in page.text
    assert "de.new-officer" in client.get("/admin/users").text


def test_user_form_errors_are_tied_to_their_fields(client: TestClient, make_user: MakeUser) -> None:
    admin, taken = make_user(Role.ADMIN, "SEC"), make_user(Role.OFFICER, "FR")
    token = sign_in(client, admin)
    short = post(client, "/admin/users/new", token, username="fr.short", role="officer",
                 country="FR", password="short")  # fmt: skip
    assert short.status_code == 422
    assert 'aria-describedby="password-error password-hint"' in short.text
    assert 'value="fr.short"' in short.text and 'value="short"' not in short.text
    bad_name = post(client, "/admin/users/new", token, username="Not Valid", role="officer",
                    country="FR", password=NEW_PASSWORD)  # fmt: skip
    assert bad_name.status_code == 422 and 'id="username-error"' in bad_name.text
    again = post(client, "/admin/users/new", token, username=taken.username, role="officer",
                 country="FR", password=NEW_PASSWORD)  # fmt: skip
    assert again.status_code == 409 and "is taken" in again.text
    assert 'aria-describedby="username-error' in again.text
    nowhere = post(client, "/admin/users/new", token, username="xx.officer", role="officer",
                   country="XX", password=NEW_PASSWORD)  # fmt: skip
    assert nowhere.status_code == 422 and 'id="country-error"' in nowhere.text


def test_administrator_filters_edits_deactivates_and_unlocks(
    client: TestClient, make_user: MakeUser, session: Session, settings: Settings
) -> None:
    admin = make_user(Role.ADMIN, "SEC")
    french = make_user(Role.OFFICER, "FR")
    italian = make_user(Role.SUPERVISOR, "IT")
    for _ in range(settings.signin_backoff_after):  # this address now waits for french
        form = {"username": french.username, "password": "not the password"}
        assert client.post("/api/v1/auth/token", data=form).status_code == 401
    token = sign_in(client, admin)
    assert "in the network" in client.get("/admin").text
    by_bureau = client.get("/admin/users", params={"bureau": "it"}).text
    assert italian.username in by_bureau and french.username not in by_bureau
    by_role = client.get("/admin/users", params={"role": "supervisor"}).text
    assert italian.username in by_role and french.username not in by_role
    page = client.get(f"/admin/users/{french.id}")
    assert "sign-ins held back after failed attempts" in page.text and 'name="unlock"' in page.text
    assert "held back" in client.get("/admin/users", params={"bureau": "fr"}).text
    assert 'name="unlock"' not in client.get(f"/admin/users/{italian.id}").text

    saved = post(client, f"/admin/users/{french.id}", token, role="supervisor", active="no",
                 full_name="Jeanne Martin", unlock="1")  # fmt: skip
    assert saved.status_code == 303
    assert "The changes were saved." in client.get(saved.headers["location"]).text
    session.refresh(french)
    assert (french.role, french.active, french.full_name) == ("supervisor", False, "Jeanne Martin")
    assert not session.scalars(
        select(SigninBackoff).where(SigninBackoff.user_id == french.id)
    ).all()
    inactive = client.get("/admin/users", params={"active": "no"}).text
    assert french.username in inactive and italian.username not in inactive
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.update",
                                 AuditEntry.object_id == str(french.id))
    ).one()  # fmt: skip
    assert entry.actor == admin.username and entry.after["active"] is False
    assert entry.before["signin_held_until"] is not None
    assert entry.after["signin_held_until"] is None

    wrong_role = post(client, f"/admin/users/{italian.id}", token, role="reviewer", active="yes")
    assert wrong_role.status_code == 422 and "belongs to the secretariat" in wrong_role.text
    assert client.get("/admin/users/not-a-uuid").status_code == 404


def test_api_client_key_is_shown_once_works_and_can_be_revoked(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    supervisor, admin = make_user(Role.SUPERVISOR, "DE"), make_user(Role.ADMIN, "SEC")
    token = sign_in(client, supervisor)
    short = post(client, "/admin/api-clients", token, name="ab")
    assert short.status_code == 422 and 'aria-describedby="name-error"' in short.text
    made = post(client, "/admin/api-clients", token, name="Frankfurt airport gates")
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    assert "Copy the key now" in made.text
    created = session.scalars(
        select(ApiClient).where(ApiClient.name == "Frankfurt airport gates")
    ).one()
    key = made.text.split('id="api-key" readonly value="', 1)[1].split('"', 1)[0]
    assert key.startswith(f"ilk_{created.key_prefix}_")
    query = {"document": {"number": "C01X00T47"}}
    works = client.post("/api/v1/screen", json=query, headers={"X-API-Key": key})
    assert works.status_code == 200 and works.json()["hit"] is False
    listing = client.get("/admin/api-clients").text
    assert "Frankfurt airport gates" in listing and created.key_prefix in listing
    assert key not in listing and key.rsplit("_", 1)[1] not in listing

    token = sign_in(client, admin)  # an administrator must say which bureau
    nowhere = post(client, "/admin/api-clients", token, name="No bureau")
    assert nowhere.status_code == 422 and 'id="country-error"' in nowhere.text
    french = post(client, "/admin/api-clients", token, name="Roissy gates", country="FR")
    assert french.status_code == 201
    roissy = session.scalars(select(ApiClient).where(ApiClient.name == "Roissy gates")).one()

    token = sign_in(client, supervisor)
    assert "Roissy gates" not in client.get("/admin/api-clients").text
    other = post(client, f"/admin/api-clients/{roissy.id}/revoke", token)
    assert other.status_code == 404
    session.refresh(roissy)
    assert roissy.active
    assert post(client, f"/admin/api-clients/{created.id}/revoke", "").status_code == 403
    revoked = post(client, f"/admin/api-clients/{created.id}/revoke", token)
    assert revoked.status_code == 303
    assert "its key no longer works" in client.get(revoked.headers["location"]).text
    refused = client.post("/api/v1/screen", json=query, headers={"X-API-Key": key})
    assert refused.status_code == 401


def test_administrator_issues_a_new_bureau_signing_key(
    client: TestClient, make_user: MakeUser, auth: Auth, session: Session
) -> None:
    admin, supervisor = make_user(Role.ADMIN, "SEC"), make_user(Role.SUPERVISOR, "FR")
    officer = make_user(Role.OFFICER, "FR")
    body = {"recipients": ["DE"], "priority": "routine", "subject": "Before", "body": "Signed."}
    sent = client.post("/api/v1/messages", json=body, headers=auth(officer))
    assert sent.status_code == 201, sent.text
    france = bureau(session, "FR").id
    old = session.scalars(select(BureauKey).where(BureauKey.bureau_id == france)).one()

    token = sign_in(client, supervisor)
    assert client.get("/admin/keys").status_code == 403
    assert post(client, "/admin/keys", token, bureau="FR").status_code == 403

    token = sign_in(client, admin)
    page = client.get("/admin/keys", params={"bureau": "FR"})
    assert page.status_code == 200 and "current" in page.text
    assert post(client, "/admin/keys", "", bureau="FR").status_code == 403
    unknown = post(client, "/admin/keys", token, bureau="XX")
    assert unknown.status_code == 422 and 'aria-describedby="bureau-error"' in unknown.text
    issued = post(client, "/admin/keys", token, bureau="FR")
    assert issued.status_code == 303
    shown = client.get(issued.headers["location"]).text
    assert "A new key was issued for FR" in shown and "retired" in shown

    session.expire_all()
    keys = session.scalars(select(BureauKey).where(BureauKey.bureau_id == france)).all()
    current = [key for key in keys if key.retired_at is None]
    assert len(keys) == 2 and len(current) == 1 and current[0].id != old.id
    assert any(action == "bureau_key.issue" for action in session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(current[0].id))
    ))  # fmt: skip
    check = client.get(f"/api/v1/messages/{sent.json()['id']}/verify", headers=auth(officer))
    assert check.json()["valid"] is True  # signed with the old key, still verifies
