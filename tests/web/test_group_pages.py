"""The console's sharing groups, with the rules of the API: a bureau makes a group and
is its admin; an addition the other sharing bureaus must consent to waits on the group's
page with who has not answered, and each of them answers on its groups page; a member
that is not an admin changes nothing; every change needs the form's CSRF token."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.members.models import SharingGroup, User
from tests.records.examples import VALID
from tests.web.test_admin_pages import post, sign_in

MakeUser = Callable[..., User]


def test_a_group_is_made_grown_with_consent_and_left_from_the_console(
    client: TestClient,
    make_user: MakeUser,
    auth: Callable[[User], dict[str, str]],
    session: Session,
) -> None:
    french, german = make_user(Role.OFFICER, "FR"), make_user(Role.OFFICER, "DE")
    token = sign_in(client, french)
    assert "Your bureau is in no sharing group" in client.get("/groups").text
    bad = post(client, "/groups", token, name="ab")
    assert bad.status_code == 422 and 'id="name-error"' in bad.text
    made = post(client, "/groups", token, name="Rhine desk", countries="de")
    assert made.status_code == 303, made.text
    group = session.scalars(select(SharingGroup).where(SharingGroup.name == "Rhine desk")).one()
    page = client.get(made.headers["location"]).text
    assert "The group was created" in page and "FR (always an admin)" in page
    assert 'aria-label="Make DE an admin"' in page

    body = {**VALID["persons"], "visibility": {"mode": "group", "group": str(group.id)}}
    shared = client.post("/api/v1/records/persons", json=body, headers=auth(german))
    assert shared.status_code == 201, shared.text
    asked = post(client, f"/groups/{group.id}/members", token, add="IT")
    assert asked.status_code == 303
    page = client.get(asked.headers["location"]).text
    assert "<td>IT</td>" in page and "DE (1): not answered yet" in page

    token = sign_in(client, german)  # a member, not an admin
    listing = client.get("/groups").text
    assert "Waiting for your bureau's answer" in listing and "Rhine desk (FR)" in listing
    assert 'aria-label="Make DE an admin"' not in client.get(f"/groups/{group.id}").text
    refused = post(client, f"/groups/{group.id}/members", token, add="ES")
    assert refused.status_code == 403
    session.refresh(group)
    (addition,) = group.additions
    assert post(client, f"/group-consents/{addition.id}", "", answer="consent").status_code == 403
    agreed = post(client, f"/group-consents/{addition.id}", token, answer="consent")
    assert agreed.status_code == 303
    assert "Your answer was recorded" in client.get(agreed.headers["location"]).text
    session.refresh(group)
    assert sorted(m.country_code for m in group.members) == ["DE", "FR", "IT"]
    left = post(client, f"/groups/{group.id}/leave", token)
    assert left.status_code == 303 and left.headers["location"] == "/groups?done=left"
    assert client.get(f"/groups/{group.id}").status_code == 404


def test_only_those_who_manage_groups_open_the_pages(
    client: TestClient, make_user: MakeUser
) -> None:
    sign_in(client, make_user(Role.AUDITOR, "SEC"))
    answer = client.get("/groups", headers={"Accept": "text/html"})
    assert answer.status_code == 403 and "Sharing groups are managed" in answer.text
    sign_in(client, make_user(Role.ADMIN, "SEC"))  # for compliance: every group, none to own
    page = client.get("/groups").text
    assert "New sharing group" not in page
