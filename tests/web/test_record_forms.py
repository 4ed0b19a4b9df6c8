"""Record forms with structures: a person's identity documents and links as numbered
rows ("add another" without JavaScript, nothing written), each error on its row's field,
and the edit form showing the rows the record has."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]


def test_a_person_with_identity_documents(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    officer = make_user(Role.OFFICER, "FR")
    _signin(client, officer)
    blank = client.get("/records/persons/new")
    assert 'name="data.identity_documents.0.number"' in blank.text
    assert 'name="data.identity_documents.1.number"' not in blank.text
    form = {
        "csrf_token": client.cookies.get("interlink_csrf"),
        "data.given_name": "Jean", "data.family_name": "Dupont", "data.date_of_birth": "1971",
        "data.aliases": "Johnny D\nLe Grand",
        "data.identity_documents.0.number": "19FR12345", "data.identity_documents.0.country": "FR",
        "visibility_mode": "all_members",
    }  # fmt: skip
    more = client.post("/records/persons/new", data={**form, "_add": "data.identity_documents"})
    assert more.status_code == 200 and 'name="data.identity_documents.1.number"' in more.text
    assert 'value="19FR12345"' in more.text  # the first row kept
    assert client.get("/api/v1/records/persons", headers=auth(officer)).json()["total"] == 0

    second = {"data.identity_documents.1.country": "ZZ"}  # a row with no number
    wrong = client.post("/records/persons/new", data={**form, **second}, follow_redirects=False)
    assert wrong.status_code == 422
    assert 'id="data-identity_documents-1-number-error"' in wrong.text
    assert client.get("/api/v1/records/persons", headers=auth(officer)).json()["total"] == 0

    second = {
        "data.identity_documents.1.number": "C01X00T47",
        "data.identity_documents.1.country": "DE",
    }
    made = client.post("/records/persons/new", data={**form, **second}, follow_redirects=False)
    assert made.status_code == 303, made.text
    record_id = made.headers["location"].rsplit("/", 1)[1]
    record = client.get(f"/api/v1/records/persons/{record_id}", headers=auth(officer)).json()
    assert [(d["number"], d["country"]) for d in record["identity_documents"]] == [
        ("19FR12345", "FR"), ("C01X00T47", "DE"),
    ]  # fmt: skip
    assert record["aliases"] == ["Johnny D", "Le Grand"]

    edit = client.get(f"/records/persons/{record_id}/edit").text
    assert 'value="C01X00T47"' in edit and "Johnny D\nLe Grand" in edit
    link = {"data.links.0.record_id": "not-an-id"}
    refused = client.post(f"/records/persons/{record_id}/edit", data={**form, **link})
    assert refused.status_code == 422 and 'id="data-links-0-record_id-error"' in refused.text
