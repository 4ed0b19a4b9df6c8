"""A record's history shows each earlier version only to those that version's own
visibility allowed (the owner bureau and the secretariat always); to anyone else it is
withheld: its number and date, nothing of its data, visibility or author."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlink.access import Role
from interlink.members.models import SharingGroup, SharingGroupMember, User

Auth = Callable[[User], dict[str, str]]
SECRET = "safe house, 12 rue des Lilas, Lyon"


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "owner": make_user(Role.OFFICER, "FR"),
        "owner_supervisor": make_user(Role.SUPERVISOR, "FR"),
        "DE": make_user(Role.OFFICER, "DE"),
        "IT": make_user(Role.OFFICER, "IT"),
        "ES": make_user(Role.OFFICER, "ES"),
        "reviewer": make_user(Role.REVIEWER, "SEC"),
    }


def _history(client: TestClient, path: str, who: User, auth: Auth) -> list[dict[str, Any]]:
    response = client.get(f"{path}/history", headers=auth(who))
    assert response.status_code == 200, response.text
    return list(response.json())


def _cleaned_and_shared(client: TestClient, people: dict[str, User], auth: Auth) -> str:
    """A person recorded for the owner's eyes only, with a secret, then cleaned and shared."""
    body = {
        "given_name": "Amira",
        "family_name": "Haddad",
        "distinguishing_marks": SECRET,
        "visibility": {"mode": "owner_only"},
    }
    created = client.post("/api/v1/records/persons", json=body, headers=auth(people["owner"]))
    assert created.status_code == 201, created.text
    path = f"/api/v1/records/persons/{created.json()['id']}"
    cleaned = {
        "distinguishing_marks": "scar on the left hand",
        "visibility": {"mode": "all_members"},
    }
    cleaner = auth(people["owner_supervisor"])  # so that the first author is named only once
    assert client.patch(path, json=cleaned, headers=cleaner).status_code == 200
    return path


def test_a_version_only_the_owner_saw_is_withheld_from_other_members(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    path = _cleaned_and_shared(client, people, auth)

    response = client.get(f"{path}/history", headers=auth(people["DE"]))
    assert response.status_code == 200 and SECRET not in response.text
    first, current = response.json()
    assert first == {
        "version": 1,
        "changed_at": first["changed_at"],
        "withheld": True,
        "data": None,
        "visibility": None,
        "changed_by": None,
        "current": False,
        "deleted": False,
    }
    assert first["changed_at"] is not None
    assert current["version"] == 2 and current["withheld"] is False
    assert current["data"]["distinguishing_marks"] == "scar on the left hand"

    for who in ("owner", "owner_supervisor", "reviewer"):
        first, _ = _history(client, path, people[who], auth)
        assert first["withheld"] is False, who
        assert first["data"]["distinguishing_marks"] == SECRET, who
        assert first["visibility"]["mode"] == "owner_only", who
        assert first["changed_by"] == people["owner"].username, who


def test_only_except_and_group_versions_each_by_their_own_rule(
    client: TestClient, people: dict[str, User], auth: Auth, session: Session
) -> None:
    group = SharingGroup(name=f"history-{uuid.uuid4().hex[:6]}", owner_country="FR")
    group.members = [SharingGroupMember(country_code="FR"), SharingGroupMember(country_code="IT")]
    session.add(group)
    session.commit()
    visibilities = [
        {"mode": "only", "countries": ["DE"]},
        {"mode": "except", "countries": ["DE"]},
        {"mode": "group", "group": str(group.id)},
        {"mode": "all_members"},
    ]
    body = {"make": "Peugeot", "plate": "AA-001-AA", "visibility": visibilities[0]}
    created = client.post("/api/v1/records/vehicles", json=body, headers=auth(people["owner"]))
    assert created.status_code == 201, created.text
    path = f"/api/v1/records/vehicles/{created.json()['id']}"
    for number, visibility in enumerate(visibilities[1:], start=2):
        change = {"plate": f"AA-00{number}-AA", "visibility": visibility}
        changed = client.patch(path, json=change, headers=auth(people["owner"]))
        assert changed.status_code == 200, changed.text

    shown = {
        # versions 1 (only DE), 2 (all but DE), 3 (group FR+IT), 4 (all members, current)
        "DE": [True, False, False, True],
        "IT": [False, True, True, True],
        "ES": [False, True, False, True],
        "owner": [True, True, True, True],
        "reviewer": [True, True, True, True],
    }
    for who, expected in shown.items():
        history = _history(client, path, people[who], auth)
        assert [v["version"] for v in history] == [1, 2, 3, 4], who
        assert [not v["withheld"] for v in history] == expected, who
        for number, version in enumerate(history, start=1):
            plate = f"AA-00{number}-AA"
            if version["withheld"]:
                assert version["data"] is None and version["visibility"] is None, who
            else:
                assert version["data"]["plate"] == plate, who
                assert version["visibility"]["mode"] == visibilities[number - 1]["mode"], who


def test_the_console_history_page_withholds_the_same_versions(
    client: TestClient, people: dict[str, User], auth: Auth
) -> None:
    from tests.web.test_pages import _signin

    path = _cleaned_and_shared(client, people, auth)
    page_path = path.replace("/api/v1", "") + "/history"
    _signin(client, people["DE"])
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    assert SECRET not in page.text and "scar on the left hand" in page.text
    assert page.text.count('class="withheld"') == 1
    assert people["owner"].username not in page.text
    record = client.get(path.replace("/api/v1", ""))
    assert f'href="{page_path}"' in record.text  # the record's page leads to it

    client.cookies.clear()
    _signin(client, people["reviewer"])
    page = client.get(page_path)
    assert page.status_code == 200 and SECRET in page.text and 'class="withheld"' not in page.text

    client.cookies.clear()
    _signin(client, people["ES"])
    assert (
        client.get(page_path.replace(path.rsplit("/", 1)[1], str(uuid.uuid4()))).status_code == 404
    )
