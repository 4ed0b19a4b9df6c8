"""The console's request forms of every notice type and of diffusions: made from the
types' models, each field named by its place in the API body, each error shown on its
field (422, values kept, nothing written), an unknown type a 404 page, a user who may not
request a 403 page, a form without its CSRF token refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from interlink.notices.types import TYPE_MODELS, NoticeType, dump
from tests.notices.conftest import Flow, examples, make_record
from tests.web.test_pages import _signin

Auth = Callable[[User], dict[str, str]]
MULTI = {"measures"}  # lists of choices: one checkbox each; other lists of words: one a line


def form_of(data: dict[str, Any], prefix: str = "data") -> dict[str, Any]:
    """The form fields that say ``data`` (an API body's ``data``)."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}"
        if isinstance(value, dict):
            fields.update(form_of(value, path))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for row, item in enumerate(value):
                fields.update(form_of(item, f"{path}.{row}"))
        elif isinstance(value, list):
            fields[path] = value if key in MULTI else "\n".join(value)
        else:
            fields[path] = str(value)
    return fields


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.OFFICER, "FR")


@pytest.fixture
def valid(client: TestClient, officer: User, auth: Auth) -> dict[str, dict[str, Any]]:
    kinds = ("persons", "missing-persons", "unidentified-bodies", "assets")
    return examples({kind: make_record(client, kind, officer, auth) for kind in kinds})


def _token(client: TestClient) -> str:
    return client.cookies.get("interlink_csrf") or ""


def _count(client: TestClient, who: User, auth: Auth, kind: str = "notices") -> int:
    listed = client.get(f"/api/v1/{kind}", headers=auth(who))
    assert listed.status_code == 200, listed.text
    return int(listed.json()["total"])


def _error_on(page: str, element_id: str) -> str:
    """The message shown on the field ``element_id``, which points to it."""
    tag = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', page)
    assert tag is not None, f"no element {element_id}"
    described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    assert described and f"{element_id}-error" in described.group(1).split(), tag.group(0)
    shown = re.search(rf'<p id="{element_id}-error" class="error" role="alert">([^<]*)</p>', page)
    assert shown is not None, f"no error shown on {element_id}"
    return shown.group(1)


# A field of each type made invalid: (form field, bad value, element showing the error).
BROKEN = {
    "red": ("data.warrant.date", "2099-01-01", "data-warrant-date"),  # the service's rule
    "blue": ("data.information_sought", "", "data-information_sought"),
    "green": ("data.threat", "bad", "data-threat"),
    "yellow": ("data.missing_country", "XX", "data-missing_country"),
    "black": ("data.found_on", "2026-13-01", "data-found_on"),
    "orange": ("data.threat", "too short", "data-threat"),
    "purple": ("data.modus_operandi", "", "data-modus_operandi"),
    "silver": ("data.assets.0.record_id", "persons", "data-assets-0-record_id"),
    "un": ("data.measures", [], "data-measures"),
}


@pytest.mark.parametrize("notice_type", [t.value for t in NoticeType])
def test_every_type_has_a_form_that_drafts_it_and_shows_errors_on_their_fields(
    client: TestClient,
    officer: User,
    auth: Auth,
    valid: dict[str, dict[str, Any]],
    notice_type: str,
) -> None:
    _signin(client, officer)
    chooser = client.get("/notices/new")
    assert chooser.status_code == 200 and f'href="/notices/new/{notice_type}"' in chooser.text
    fields = form_of(valid[notice_type])
    page = client.get(f"/notices/new/{notice_type}")
    assert page.status_code == 200
    for name, value in fields.items():  # the form has every field the data needs
        assert f'name="{name}"' in page.text, name
        for choice in value if isinstance(value, list) else []:
            assert f'name="{name}" value="{choice}"' in page.text
    before = _count(client, officer, auth)

    name, bad, element = BROKEN[notice_type]
    if bad == "persons":  # a record of the wrong kind
        bad = valid["red"]["person"]["record_id"]
    refused = client.post(f"/notices/new/{notice_type}", follow_redirects=False,
                          data={**fields, name: bad, "csrf_token": _token(client)})  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert _error_on(refused.text, element)
    summary = valid[notice_type]["summary"].replace("'", "&#39;")
    assert summary in refused.text  # the values are kept
    assert _count(client, officer, auth) == before  # nothing written

    created = client.post(f"/notices/new/{notice_type}", follow_redirects=False,
                          data={**fields, "csrf_token": _token(client)})  # fmt: skip
    assert created.status_code == 303, created.text
    ident = created.headers["location"].removeprefix("/notices/")
    notice = client.get(f"/api/v1/notices/{ident}", headers=auth(officer)).json()
    assert notice["type"] == notice_type and notice["status"] == "draft"
    expected = dump(TYPE_MODELS[NoticeType(notice_type)].model_validate(valid[notice_type]))
    for key, value in expected.items():
        if key == "person":  # completed from the record
            assert notice["data"]["person"]["record_id"] == value["record_id"]
        else:
            assert notice["data"][key] == value, key


def test_rows_are_added_without_script_and_errors_find_their_row(
    client: TestClient, officer: User, auth: Auth, valid: dict[str, dict[str, Any]]
) -> None:
    _signin(client, officer)
    fields = {**form_of(valid["red"]), "csrf_token": _token(client)}
    more = client.post("/notices/new/red", data={**fields, "_add": "data.charges"})
    assert more.status_code == 200 and 'name="data.charges.1.offence"' in more.text
    assert "Armed robbery" in more.text and "Charge 2" in more.text
    assert _count(client, officer, auth) == 0  # adding a row writes nothing
    # The first row left blank: the second row's error is shown on the second row.
    second = {k.replace("charges.0.", "charges.1."): v for k, v in fields.items()}
    refused = client.post("/notices/new/red", data={**second, "data.charges.1.law": "x"})
    assert refused.status_code == 422
    assert "at least 2 characters" in _error_on(refused.text, "data-charges-1-law")
    # The person's identifiers beyond the record are folded away, unless one is in error.
    folded = client.post("/notices/new/red", data={**fields, "data.person.sex": "",
                                                   "data.warrant.reference": ""})  # fmt: skip
    assert folded.status_code == 422 and "<details>" in folded.text
    opened = client.post("/notices/new/red",
                         data={**fields, "data.person.country_of_birth": "XX"})  # fmt: skip
    assert opened.status_code == 422 and "<details open>" in opened.text
    assert "XX" in _error_on(opened.text, "data-person-country_of_birth")
    both = {**fields, "data.charges.1.offence": "Receiving stolen goods",
            "data.charges.1.law": "Code pénal art. 321-1"}  # fmt: skip
    created = client.post("/notices/new/red", data=both, follow_redirects=False)
    assert created.status_code == 303
    notice = client.get(f"/api/v1{created.headers['location']}", headers=auth(officer)).json()
    assert [c["offence"] for c in notice["data"]["charges"]] == [
        "Armed robbery",
        "Receiving stolen goods",
    ]


def test_an_error_of_the_whole_request_is_shown_above_the_form(
    client: TestClient, officer: User, auth: Auth, valid: dict[str, dict[str, Any]]
) -> None:
    _signin(client, officer)
    fields = {**form_of(valid["purple"]), "csrf_token": _token(client)}
    fields["data.concealment_methods"] = "  \n "
    refused = client.post("/notices/new/purple", data=fields)
    assert refused.status_code == 422
    assert re.search(r'id="form-error">[^<]*needs at least one of objects', refused.text)
    public = client.post("/notices/new/blue",
                         data={**form_of(valid["blue"]), "csrf_token": _token(client),
                               "public_extract": "1"})  # fmt: skip
    assert public.status_code == 422 and 'id="public_extract-error"' in public.text
    assert 'name="public_extract"' not in public.text  # no checkbox for a non-public type
    assert _count(client, officer, auth) == 0


def test_a_diffusion_reaches_the_countries_chosen(
    client: TestClient,
    make_user: Callable[..., User],
    officer: User,
    auth: Auth,
    valid: dict[str, dict[str, Any]],
) -> None:
    german, italian = make_user(Role.OFFICER, "DE"), make_user(Role.OFFICER, "IT")
    spanish = make_user(Role.OFFICER, "ES")
    _signin(client, officer)
    assert 'href="/diffusions/new/blue"' in client.get("/diffusions/new").text
    page = client.get("/diffusions/new/blue")
    assert 'name="recipients" value="DE"' in page.text
    assert 'name="recipients" value="FR"' not in page.text  # not to itself
    fields = {**form_of(valid["blue"]), "csrf_token": _token(client)}
    for recipients, message in (([], "at least 1"), (["DE", "XX"], "XX")):
        refused = client.post("/diffusions/new/blue", data={**fields, "recipients": recipients})
        assert refused.status_code == 422
        assert message in _error_on(refused.text, "recipients")
        assert "current location and associates" in refused.text
    assert _count(client, officer, auth, "diffusions") == 0
    sent = client.post("/diffusions/new/blue", data={**fields, "recipients": ["DE", "IT"]},
                       follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"].startswith("/diffusions/")
    ident = sent.headers["location"].removeprefix("/diffusions/")
    own = client.get(sent.headers["location"])
    assert own.status_code == 200 and ">sent<" in own.text and "Sent to: DE, IT" in own.text
    assert ">History<" in own.text and ">send<" in own.text
    for recipient in (german, italian):
        seen = client.get(f"/api/v1/diffusions/{ident}", headers=auth(recipient))
        assert seen.status_code == 200 and seen.json()["recipients"] == ["DE", "IT"]
        assert seen.json()["data"]["information_sought"] == "current location and associates"
    assert client.get(f"/api/v1/diffusions/{ident}", headers=auth(spanish)).status_code == 404
    client.cookies.clear()
    _signin(client, german)
    received = client.get(f"/diffusions/{ident}")
    assert received.status_code == 200 and ">History<" not in received.text  # the sender's
    assert ident in client.get("/notices").text  # listed among the diffusions received


def test_unknown_types_refused_roles_and_forged_forms(
    client: TestClient, make_user: Callable[..., User], officer: User, auth: Auth,
    valid: dict[str, dict[str, Any]],
) -> None:  # fmt: skip
    _signin(client, officer)
    token = _token(client)
    for path in ("/notices/new/pink", "/diffusions/new/pink"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"csrf_token": token}).status_code == 404
    fields = form_of(valid["blue"])
    forged = client.post("/notices/new/blue", data=fields)  # no CSRF token
    assert forged.status_code == 403
    assert (
        client.post("/diffusions/new/blue", data={**fields, "recipients": "DE"}).status_code == 403
    )
    assert _count(client, officer, auth) == 0
    for role, country in ((Role.ANALYST, "FR"), (Role.REVIEWER, "SEC"), (Role.AUDITOR, "SEC")):
        client.cookies.clear()
        user = make_user(role, country)
        _signin(client, user)
        for path in ("/notices/new", "/notices/new/red", "/diffusions/new"):
            denied = client.get(path)
            assert denied.status_code == 403, (role, path)
            assert "Dupont" not in denied.text
        posted = client.post("/notices/new/blue", data={**fields, "csrf_token": _token(client)})
        assert posted.status_code == 403
    assert _count(client, officer, auth) == 0


def test_the_notice_page_shows_status_and_history_to_those_who_may_see_them(
    client: TestClient, make_user: Callable[..., User], auth: Auth,
    valid: dict[str, dict[str, Any]], officer: User,
) -> None:  # fmt: skip
    people = {"officer": officer, "supervisor": make_user(Role.SUPERVISOR, "FR"),
              "reviewer": make_user(Role.REVIEWER, "SEC")}  # fmt: skip
    notice = Flow(client, people, auth).published("blue", valid["blue"])
    _signin(client, officer)
    page = client.get(f"/notices/{notice['id']}")
    assert page.status_code == 200 and 'id="status">published<' in page.text
    steps = re.findall(r"<td>(create|submit|approve|publish)</td>", page.text)
    assert steps == ["create", "submit", "approve", "publish"]
    client.cookies.clear()
    _signin(client, make_user(Role.OFFICER, "DE"))
    other = client.get(f"/notices/{notice['id']}")
    assert other.status_code == 200 and 'id="status">published<' in other.text
    assert ">History<" not in other.text  # the requesting bureau's and the secretariat's
