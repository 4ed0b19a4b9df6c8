"""Console pages through the app: sign in with the cookie and CSRF token, the workspace,
and the quick screening box, which shows what the API would (the same policy)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.audit.models import AuditEntry
from interlink.members.models import User
from tests.conftest import PASSWORD

Auth = Callable[[User], dict[str, str]]


def _signin(client: TestClient, user: User, password: str = PASSWORD) -> object:
    page = client.get("/signin")
    token = page.cookies.get("interlink_csrf") or client.cookies.get("interlink_csrf")
    return client.post(
        "/signin",
        data={"username": user.username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_sign_in_and_out(client: TestClient, make_user: Callable[..., User]) -> None:
    officer = make_user(Role.OFFICER, "DE")
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin"
    forged = client.post("/signin", data={"username": officer.username, "password": PASSWORD})
    assert forged.status_code == 403  # no CSRF token
    wrong = _signin(client, officer, "not the password")
    assert wrong.status_code == 401 and 'aria-describedby="signin-error"' in wrong.text
    done = _signin(client, officer)
    assert done.status_code == 303 and "interlink_session" in done.headers["set-cookie"]
    assert "HttpOnly" in done.headers["set-cookie"]
    page = client.get("/")
    assert page.status_code == 200 and "Bureau workspace: DE" in page.text
    token = client.cookies.get("interlink_csrf")
    out = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/signin"
    client.cookies.delete("interlink_session")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_quick_screening_shows_hits_and_respects_the_policy(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    shared = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
              "visibility": {"mode": "all_members"}}  # fmt: skip
    secret = {"given_name": "Marie", "family_name": "Lambert", "date_of_birth": "1980-01-02",
              "visibility": {"mode": "owner_only"}}  # fmt: skip
    for body in (shared, secret):
        client.post("/api/v1/records/persons", json=body, headers=auth(france))
    _signin(client, germany)
    token = client.cookies.get("interlink_csrf")
    headers = {"X-CSRF-Token": token or "", "HX-Request": "true"}
    found = client.post("/screen", data={"kind": "person", "name": "Jean Dupond",
                        "date_of_birth": "1971-03-09"}, headers=headers)  # fmt: skip
    assert found.status_code == 200 and "HIT" in found.text
    assert "owned by <strong>FR</strong>" in found.text and "same date" in found.text
    hidden = client.post("/screen", data={"kind": "person", "name": "Marie Lambert"},
                         headers=headers)  # fmt: skip
    assert "No hit" in hidden.text and "Lambert" not in hidden.text.split("</p>", 1)[1]
    bad = client.post("/screen", data={"kind": "person", "name": "X", "date_of_birth": "1971-13"},
                      headers=headers)  # fmt: skip
    assert "date_of_birth" in bad.text and 'role="alert"' in bad.text
    assert client.post("/screen", data={"kind": "person", "name": "x"}).status_code == 403


def test_command_centre_is_for_operators_and_records_obey_the_policy(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    officer, operator = make_user(Role.OFFICER, "DE"), make_user(Role.OPERATOR, "SEC")
    france, italy = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "IT")
    _signin(client, officer)
    assert client.get("/ccc").status_code == 403
    body = {"plate": "AB-123-CD", "visibility": {"mode": "only", "countries": ["DE"]}}
    record = client.post("/api/v1/records/vehicles", json=body, headers=auth(france)).json()
    page = client.get(f"/records/vehicles/{record['id']}")
    assert page.status_code == 200 and "owned by <strong>FR</strong>" in page.text
    client.cookies.clear()
    _signin(client, italy)
    assert client.get(f"/records/vehicles/{record['id']}").status_code == 404
    assert client.get("/records/vehicles/not-an-id").status_code == 404
    client.cookies.clear()
    _signin(client, operator)
    centre = client.get("/ccc")
    assert centre.status_code == 200 and "Live feed" in centre.text


def test_notice_pages_follow_the_workflow_and_the_policy(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    officer, german = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    person = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09",
              "visibility": {"mode": "owner_only"}}  # fmt: skip
    record = client.post("/api/v1/records/persons", json=person, headers=auth(officer)).json()
    _signin(client, officer)
    assert client.get("/review").status_code == 403  # the reviewers' desk
    form = {
        "csrf_token": client.cookies.get("interlink_csrf"), "data.person.record_id": record["id"],
        "data.purpose": "prosecution", "data.charges.0.offence": "Armed robbery",
        "data.charges.0.law": "art. 311-8", "data.charges.0.max_penalty_months": "240",
        "data.warrant.issuing_authority": "Tribunal de Lyon",
        "data.warrant.issuing_country": "FR", "data.warrant.date": "2099-01-01",
        "data.warrant.reference": "AW-1", "data.summary": "Robbed three jewellers in Lyon.",
    }  # fmt: skip
    refused = client.post("/notices/new/red", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert 'aria-describedby="data-warrant-date-hint data-warrant-date-error"' in refused.text
    created = client.post("/notices/new/red", data={**form, "data.warrant.date": "2026-01-02"},
                          follow_redirects=False)  # fmt: skip
    assert created.status_code == 303
    notice_page = created.headers["location"]
    page = client.get(notice_page)
    assert ">draft<" in page.text and "Submit" in page.text
    client.cookies.clear()
    _signin(client, german)
    assert client.get(notice_page).status_code == 404  # another bureau's draft


def test_bad_tokens_and_numbers_are_refused_not_crashed(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    officer, auditor = make_user(Role.OFFICER, "FR"), make_user(Role.AUDITOR, "SEC")
    person = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09"}
    record = client.post("/api/v1/records/persons", json=person, headers=auth(officer)).json()
    signin = {"username": officer.username, "password": PASSWORD, "csrf_token": "é"}
    assert client.post("/signin", data=signin).status_code == 403
    client.cookies.clear()
    page = client.get("/signin", headers={"Cookie": "interlink_csrf=planted"})
    assert "planted" not in page.text  # a cookie of another shape is replaced, not echoed
    client.cookies.clear()
    _signin(client, officer)
    token = client.cookies.get("interlink_csrf")
    for number in ("²", "9" * 5000):
        form = {
            "csrf_token": token, "data.person.record_id": record["id"],
            "data.purpose": "prosecution", "data.charges.0.offence": "Armed robbery",
            "data.charges.0.law": "art. 1", "data.charges.0.max_penalty_months": number,
            "data.warrant.issuing_authority": "Tribunal", "data.warrant.issuing_country": "FR",
            "data.warrant.date": "2026-01-02", "data.warrant.reference": "AW",
            "data.summary": "Robbed.",
        }  # fmt: skip
        response = client.post("/notices/new/red", data=form, follow_redirects=False)
        assert response.status_code == 422, number
        error = "data-charges-0-max_penalty_months-error"
        assert f'aria-describedby="data-charges-0-max_penalty_months-hint {error}"' in response.text
        assert f'id="{error}" class="error" role="alert"' in response.text
    client.cookies.clear()
    _signin(client, auditor)
    denied = client.get("/notices/new")
    assert denied.status_code == 403 and "Dupont" not in denied.text


def test_a_notice_page_is_an_audited_read(
    client: TestClient, make_user: Callable[..., User], auth: Auth, session: Session
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    person = {"given_name": "Jean", "family_name": "Dupont", "date_of_birth": "1971-03-09"}
    record = client.post("/api/v1/records/persons", json=person, headers=auth(officer)).json()
    body = {"type": "blue", "data": {"person": {"record_id": record["id"]},
            "information_sought": "whereabouts", "offence": "fraud",
            "summary": "Suspected of a large fraud."}}  # fmt: skip
    notice = client.post("/api/v1/notices", json=body, headers=auth(officer)).json()
    _signin(client, officer)

    def reads() -> int:
        query = select(AuditEntry).where(
            AuditEntry.action == "notice.read", AuditEntry.object_id == notice["id"]
        )
        return len(session.scalars(query).all())

    before = reads()
    assert client.get(f"/notices/{notice['id']}").status_code == 200
    assert reads() == before + 1


def test_messages_pages_compose_read_and_reply(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    france, germany = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    spain, auditor = make_user(Role.OFFICER, "ES"), make_user(Role.AUDITOR, "SEC")
    _signin(client, france)
    token = client.cookies.get("interlink_csrf")
    bad = client.post("/messages/new", data={"csrf_token": token, "recipients": "XX",
                      "subject": "Hello", "body": "Hi"}, follow_redirects=False)  # fmt: skip
    assert bad.status_code == 422 and 'aria-describedby="recipients-error"' in bad.text
    sent = client.post(
        "/messages/new",
        data={"csrf_token": token, "recipients": "DE", "priority": "urgent",
              "subject": "Suspect crossing", "body": "Grey Peugeot, plate GH-204-KT."},
        files=[("attachments", ("note.txt", b"plate GH-204-KT", "text/plain"))],
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303
    thread = sent.headers["location"]
    page = client.get(thread)
    assert page.status_code == 200 and "Grey Peugeot" in page.text and "note.txt" in page.text
    client.cookies.clear()
    _signin(client, germany)
    assert "Suspect crossing" in client.get("/messages").text
    token = client.cookies.get("interlink_csrf")
    reply = client.post("/messages/new", data={"csrf_token": token, "recipients": "FR",
                        "subject": "Re: Suspect crossing", "body": "Border posts alerted.",
                        "reply_to": thread.rsplit("/", 1)[-1]}, follow_redirects=False)  # fmt: skip
    assert reply.status_code == 303
    both = client.get(reply.headers["location"]).text
    assert "Grey Peugeot" in both and "Border posts alerted." in both  # one thread
    client.cookies.clear()
    _signin(client, spain)
    assert client.get(thread).status_code == 404
    client.cookies.clear()
    _signin(client, auditor)
    assert client.get("/messages").status_code == 403


def test_console_errors_are_pages_and_api_errors_stay_json(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    html = {"Accept": "text/html"}
    stale = client.post("/signin", data={"username": officer.username, "password": "x"},
                        headers=html)  # fmt: skip
    assert stale.status_code == 403 and stale.headers["content-type"].startswith("text/html")
    assert "reload the page" in stale.text
    htmx = {"HX-Request": "true"}
    signed_out = client.post("/screen", data={"kind": "person"}, headers=htmx)
    assert signed_out.status_code == 401 and signed_out.headers["HX-Redirect"] == "/signin"
    _signin(client, officer)
    fragment = client.post("/screen", data={"kind": "person"}, headers=htmx)  # no CSRF token
    assert fragment.status_code == 200 and 'role="alert"' in fragment.text
    api = client.get("/api/v1/notices", headers=html)
    assert api.status_code == 401 and api.headers["content-type"] == "application/problem+json"


def test_records_pages_browse_create_and_edit_with_visibility(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    france, germany, italy = (make_user(Role.OFFICER, c) for c in ("FR", "DE", "IT"))
    _signin(client, france)
    token = client.cookies.get("interlink_csrf")
    form = {"csrf_token": token, "data.plate": "AB-123-CD", "data.plate_country": "FR",
            "data.make": "Renault", "data.year": "1700", "visibility_mode": "only",
            "visibility_countries": "DE"}  # fmt: skip
    wrong = client.post("/records/vehicles/new", data=form, follow_redirects=False)
    assert wrong.status_code == 422 and 'aria-describedby="data-year-error"' in wrong.text
    assert 'value="AB-123-CD"' in wrong.text  # what was typed stays
    made = client.post("/records/vehicles/new", data={**form, "data.year": "2019"},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    page_url = made.headers["location"]
    edit_form = client.get(f"{page_url}/edit").text
    assert 'value="AB-123-CD"' in edit_form and 'value="2019"' in edit_form
    edit = client.post(f"{page_url}/edit", data={**form, "data.year": "2019",
                       "data.colour": "blue"}, follow_redirects=False)  # fmt: skip
    assert edit.status_code == 303 and "blue" in client.get(page_url).text
    assert "AB-123-CD" in client.get("/records/vehicles", params={"q": "renault"}).text
    assert client.get("/records/nothing").status_code == 404
    client.cookies.clear()
    _signin(client, germany)
    assert "AB-123-CD" in client.get("/records/vehicles").text
    assert client.get(f"{page_url}/edit").status_code == 403  # it reads; the owner edits
    denied = client.post(f"{page_url}/edit", data={**form, "csrf_token":
                         client.cookies.get("interlink_csrf"), "data.year": "2019"},
                         follow_redirects=False)  # fmt: skip
    assert denied.status_code == 404
    client.cookies.clear()
    _signin(client, italy)
    assert "AB-123-CD" not in client.get("/records/vehicles").text
    assert client.get(page_url).status_code == 404
